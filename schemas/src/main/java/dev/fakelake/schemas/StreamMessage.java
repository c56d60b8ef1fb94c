package dev.fakelake.schemas;

import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;

/**
 * One message of the event stream as it arrived, before any parsing: what the raw capture keeps,
 * whether the payload is a good event, a broken one or not an event at all.
 *
 * <p>On the wire a message is a UTF-8 JSON payload with the attribute (Kafka header, Pub/Sub
 * attribute) {@value #ENTITY_ATTRIBUTE} naming its entity ({@code pageviews} or {@code ratings});
 * on Kafka the key is the user id.
 */
public final class StreamMessage {

  /** The Kafka header or Pub/Sub attribute that names a message's entity. */
  public static final String ENTITY_ATTRIBUTE = "entity";

  /** {@code kafka:TOPIC/PARTITION@OFFSET}, or {@code pubsub:MESSAGE_ID}. */
  public static final String MESSAGE_ID = "message_id";

  /** The entity attribute, or null when the message had none. */
  public static final String ENTITY = "entity";

  /** The Kafka key, or null (always null on Pub/Sub). */
  public static final String MESSAGE_KEY = "message_key";

  /** The payload, decoded as UTF-8 (malformed bytes become U+FFFD). */
  public static final String PAYLOAD = "payload";

  /** When the broker or service received the message (Kafka record time, Pub/Sub publish time). */
  public static final String PUBLISHED_AT = "published_at";

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField(MESSAGE_ID)
          .addNullableField(ENTITY, FieldType.STRING)
          .addNullableField(MESSAGE_KEY, FieldType.STRING)
          .addStringField(PAYLOAD)
          .addDateTimeField(PUBLISHED_AT)
          .build();

  private StreamMessage() {}
}
