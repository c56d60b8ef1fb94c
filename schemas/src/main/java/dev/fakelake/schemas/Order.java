package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An e-shop order as the source database holds it; {@code status} and {@code updated_at} change
 * over its life, so extraction can be incremental on {@code updated_at}.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Order {

  /** Life-cycle states of an order, in the order they are reached. */
  public enum Status {
    CREATED,
    PAID,
    SHIPPED,
    DELIVERED,
    CANCELLED
  }

  @SchemaFieldNumber("0")
  @SchemaFieldName("order_id")
  public abstract long getOrderId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("customer_id")
  public abstract long getCustomerId();

  @SchemaFieldNumber("2")
  @SchemaFieldName("status")
  public abstract String getStatus();

  @SchemaFieldNumber("3")
  @SchemaFieldName("payment_method")
  public abstract @Nullable String getPaymentMethod();

  @SchemaFieldNumber("4")
  @SchemaFieldName("created_at")
  public abstract Instant getCreatedAt();

  @SchemaFieldNumber("5")
  @SchemaFieldName("updated_at")
  public abstract Instant getUpdatedAt();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_Order.Builder();
  }

  /** Builds an {@link Order}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setOrderId(long value);

    public abstract Builder setCustomerId(long value);

    public abstract Builder setStatus(String value);

    public abstract Builder setPaymentMethod(@Nullable String value);

    public abstract Builder setCreatedAt(Instant value);

    public abstract Builder setUpdatedAt(Instant value);

    public abstract Order build();
  }
}
