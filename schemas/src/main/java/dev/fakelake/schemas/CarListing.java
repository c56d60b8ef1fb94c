package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A used-car advert of the car marketplace; {@code removed_at} is empty while it is still listed,
 * and turnover is {@code removed_at - listed_at}.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class CarListing {

  @SchemaFieldNumber("0")
  @SchemaFieldName("listing_id")
  public abstract long getListingId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("make")
  public abstract String getMake();

  @SchemaFieldNumber("2")
  @SchemaFieldName("model")
  public abstract String getModel();

  @SchemaFieldNumber("3")
  @SchemaFieldName("year")
  public abstract int getYear();

  @SchemaFieldNumber("4")
  @SchemaFieldName("km")
  public abstract int getKm();

  @SchemaFieldNumber("5")
  @SchemaFieldName("price")
  public abstract double getPrice();

  @SchemaFieldNumber("6")
  @SchemaFieldName("city")
  public abstract @Nullable String getCity();

  @SchemaFieldNumber("7")
  @SchemaFieldName("listed_at")
  public abstract Instant getListedAt();

  @SchemaFieldNumber("8")
  @SchemaFieldName("removed_at")
  public abstract @Nullable Instant getRemovedAt();

  public static Builder builder() {
    return new AutoValue_CarListing.Builder();
  }

  /** Builds a {@link CarListing}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setListingId(long value);

    public abstract Builder setMake(String value);

    public abstract Builder setModel(String value);

    public abstract Builder setYear(int value);

    public abstract Builder setKm(int value);

    public abstract Builder setPrice(double value);

    public abstract Builder setCity(@Nullable String value);

    public abstract Builder setListedAt(Instant value);

    public abstract Builder setRemovedAt(@Nullable Instant value);

    public abstract CarListing build();
  }
}
