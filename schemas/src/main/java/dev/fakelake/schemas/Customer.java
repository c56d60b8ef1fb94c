package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/** A registered e-shop customer; the city carries real coordinates for day/night enrichment. */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Customer {

  @SchemaFieldNumber("0")
  @SchemaFieldName("customer_id")
  public abstract long getCustomerId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("first_name")
  public abstract String getFirstName();

  @SchemaFieldNumber("2")
  @SchemaFieldName("last_name")
  public abstract String getLastName();

  @SchemaFieldNumber("3")
  @SchemaFieldName("email")
  public abstract @Nullable String getEmail();

  @SchemaFieldNumber("4")
  @SchemaFieldName("phone")
  public abstract @Nullable String getPhone();

  @SchemaFieldNumber("5")
  @SchemaFieldName("street")
  public abstract @Nullable String getStreet();

  @SchemaFieldNumber("6")
  @SchemaFieldName("city")
  public abstract String getCity();

  @SchemaFieldNumber("7")
  @SchemaFieldName("region")
  public abstract @Nullable String getRegion();

  @SchemaFieldNumber("8")
  @SchemaFieldName("latitude")
  public abstract double getLatitude();

  @SchemaFieldNumber("9")
  @SchemaFieldName("longitude")
  public abstract double getLongitude();

  @SchemaFieldNumber("10")
  @SchemaFieldName("birth_date")
  public abstract String getBirthDate();

  @SchemaFieldNumber("11")
  @SchemaFieldName("registered_at")
  public abstract Instant getRegisteredAt();

  public static Builder builder() {
    return new AutoValue_Customer.Builder();
  }

  /** Builds a {@link Customer}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setCustomerId(long value);

    public abstract Builder setFirstName(String value);

    public abstract Builder setLastName(String value);

    public abstract Builder setEmail(@Nullable String value);

    public abstract Builder setPhone(@Nullable String value);

    public abstract Builder setStreet(@Nullable String value);

    public abstract Builder setCity(String value);

    public abstract Builder setRegion(@Nullable String value);

    public abstract Builder setLatitude(double value);

    public abstract Builder setLongitude(double value);

    /** The ISO-8601 date, e.g. {@code 1984-07-21}, as the source system exports it. */
    public abstract Builder setBirthDate(String value);

    public abstract Builder setRegisteredAt(Instant value);

    public abstract Customer build();
  }
}
