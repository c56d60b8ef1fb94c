package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.joda.time.Instant;

/** A product rating (1 to 5 stars), given within 15 minutes of a pageview by the same user. */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Rating {

  @SchemaFieldNumber("0")
  @SchemaFieldName("event_id")
  public abstract String getEventId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("user_id")
  public abstract long getUserId();

  @SchemaFieldNumber("2")
  @SchemaFieldName("product_id")
  public abstract long getProductId();

  @SchemaFieldNumber("3")
  @SchemaFieldName("stars")
  public abstract int getStars();

  @SchemaFieldNumber("4")
  @SchemaFieldName("event_time")
  public abstract Instant getEventTime();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_Rating.Builder();
  }

  /** Builds a {@link Rating}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setEventId(String value);

    public abstract Builder setUserId(long value);

    public abstract Builder setProductId(long value);

    public abstract Builder setStars(int value);

    public abstract Builder setEventTime(Instant value);

    public abstract Rating build();
  }
}
