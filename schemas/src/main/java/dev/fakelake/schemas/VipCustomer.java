package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;

/** One line of the VIP list: a customer id, drawn with repeats as the source system exports it. */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class VipCustomer {

  @SchemaFieldNumber("0")
  @SchemaFieldName("customer_id")
  public abstract long getCustomerId();

  public static VipCustomer of(long customerId) {
    return builder().setCustomerId(customerId).build();
  }

  public static Builder builder() {
    return new AutoValue_VipCustomer.Builder();
  }

  /** Builds a {@link VipCustomer}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setCustomerId(long value);

    public abstract VipCustomer build();
  }
}
