package dev.fakelake.transforms.generate;

import com.google.auto.value.AutoValue;
import dev.fakelake.schemas.Defect;
import java.util.List;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.joda.time.Instant;

/**
 * One message the stream generator sends: its entity (the {@code entity} attribute), its key (the
 * user id), its JSON payload as a landing line of the entity would read, and the event time written
 * in it. An injected duplicate is sent as two equal messages; the second is marked {@link
 * #isCopy()} so that its dirt is recorded only once.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class StreamEvent {

  /** The position in the endless sequence this message was generated from. */
  @SchemaFieldNumber("0")
  @SchemaFieldName("index")
  public abstract long getIndex();

  /** {@code pageviews} or {@code ratings}. */
  @SchemaFieldNumber("1")
  @SchemaFieldName("entity")
  public abstract String getEntity();

  /** The user id as a decimal string, the Kafka key. */
  @SchemaFieldNumber("2")
  @SchemaFieldName("key")
  public abstract String getKey();

  @SchemaFieldNumber("3")
  @SchemaFieldName("payload")
  public abstract String getPayload();

  /** The event time in the payload (shifted back for late and out-of-order dirt). */
  @SchemaFieldNumber("4")
  @SchemaFieldName("event_time")
  public abstract Instant getEventTime();

  /** The dirt injected into this message: its ground truth. */
  @SchemaFieldNumber("5")
  @SchemaFieldName("defects")
  public abstract List<Defect> getDefects();

  /** True for the second message of an injected duplicate. */
  @SchemaFieldNumber("6")
  @SchemaFieldName("copy")
  public abstract boolean isCopy();

  public static StreamEvent of(
      long index,
      String entity,
      String key,
      String payload,
      Instant eventTime,
      List<Defect> defects,
      boolean copy) {
    return new AutoValue_StreamEvent(
        index, entity, key, payload, eventTime, List.copyOf(defects), copy);
  }
}
