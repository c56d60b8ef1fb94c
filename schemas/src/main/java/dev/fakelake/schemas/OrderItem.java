package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.joda.time.Instant;

/** One line of an order; its key is ({@code order_id}, {@code line_no}). */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class OrderItem {

  @SchemaFieldNumber("0")
  @SchemaFieldName("order_id")
  public abstract long getOrderId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("line_no")
  public abstract int getLineNo();

  @SchemaFieldNumber("2")
  @SchemaFieldName("product_id")
  public abstract long getProductId();

  @SchemaFieldNumber("3")
  @SchemaFieldName("quantity")
  public abstract int getQuantity();

  @SchemaFieldNumber("4")
  @SchemaFieldName("unit_price")
  public abstract double getUnitPrice();

  @SchemaFieldNumber("5")
  @SchemaFieldName("updated_at")
  public abstract Instant getUpdatedAt();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_OrderItem.Builder();
  }

  /** Builds an {@link OrderItem}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setOrderId(long value);

    public abstract Builder setLineNo(int value);

    public abstract Builder setProductId(long value);

    public abstract Builder setQuantity(int value);

    public abstract Builder setUnitPrice(double value);

    public abstract Builder setUpdatedAt(Instant value);

    public abstract OrderItem build();
  }
}
