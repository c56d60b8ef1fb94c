package dev.fakelake.transforms.ingest;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.StreamMessage;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Parses raw stream messages ({@link StreamMessage#SCHEMA}) into pageview and rating events: the
 * entity's fields as bronze keeps them, followed by {@code message_id} and {@code published_at}. A
 * message without a known entity, with a payload the batch parser rejects, or without the user or
 * event time that the stream's windows need becomes a dead letter with the reason.
 */
public class ParseStreamMessages extends PTransform<PCollection<Row>, PCollectionTuple> {

  public static final TupleTag<Row> PAGEVIEWS = new TupleTag<>() {};
  public static final TupleTag<Row> RATINGS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** The entities the stream carries. */
  public static final List<Entity> ENTITIES = List.of(Entity.PAGEVIEWS, Entity.RATINGS);

  private static final List<String> REQUIRED = List.of("user_id", "event_time");

  private final String runId;

  private ParseStreamMessages(String runId) {
    this.runId = runId;
  }

  /** {@code runId} names this run of stream-ingest in the dead letters' {@code batch_id}. */
  public static ParseStreamMessages of(String runId) {
    return new ParseStreamMessages(runId);
  }

  private static final java.util.regex.Pattern EVENT_ID =
      java.util.regex.Pattern.compile("\"event_id\"\\s*:\\s*\"([^\"]+)\"");

  /**
   * The event id a payload names, found without parsing it (so also in a broken payload), or none.
   */
  public static List<String> eventId(String payload) {
    java.util.regex.Matcher matcher = EVENT_ID.matcher(payload);
    return matcher.find() ? List.of(matcher.group(1)) : List.of();
  }

  /** An event of the stream: its entity's bronze fields, the message id and the arrival time. */
  public static Schema eventSchema(Entity entity) {
    return Schema.builder()
        .addFields(Bronze.fields(entity).getFields())
        .addStringField(StreamMessage.MESSAGE_ID)
        .addField(StreamMessage.PUBLISHED_AT, FieldType.DATETIME)
        .build();
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> messages) {
    PCollectionTuple out =
        messages.apply(
            "ParseMessages",
            ParDo.of(new ParseFn(runId))
                .withOutputTags(PAGEVIEWS, TupleTagList.of(List.of(RATINGS, DEAD_LETTERS))));
    out.get(PAGEVIEWS).setRowSchema(eventSchema(Entity.PAGEVIEWS));
    out.get(RATINGS).setRowSchema(eventSchema(Entity.RATINGS));
    return out;
  }

  private static class ParseFn extends DoFn<Row, Row> {
    private final String runId;
    private final RecordParser pageviews = new RecordParser(Entity.PAGEVIEWS);
    private final RecordParser ratings = new RecordParser(Entity.RATINGS);
    private final Schema pageviewSchema = eventSchema(Entity.PAGEVIEWS);
    private final Schema ratingSchema = eventSchema(Entity.RATINGS);
    private final Counter parsed = Metrics.counter("stream", "events_parsed");
    // Per entity too: they show that the entity attribute, not the payload, chose the parser.
    private final Counter pageviewsParsed =
        Metrics.counter("stream", Entity.PAGEVIEWS.tableName() + "_parsed");
    private final Counter ratingsParsed =
        Metrics.counter("stream", Entity.RATINGS.tableName() + "_parsed");
    private final Counter deadLettered = Metrics.counter("stream", "events_dead_lettered");

    ParseFn(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element Row message, MultiOutputReceiver out) {
      String entityName = message.getString(StreamMessage.ENTITY);
      String payload = message.getString(StreamMessage.PAYLOAD);
      RecordParser parser;
      Schema schema;
      TupleTag<Row> tag;
      if (Entity.PAGEVIEWS.tableName().equals(entityName)) {
        parser = pageviews;
        schema = pageviewSchema;
        tag = PAGEVIEWS;
      } else if (Entity.RATINGS.tableName().equals(entityName)) {
        parser = ratings;
        schema = ratingSchema;
        tag = RATINGS;
      } else {
        deadLetter(
            message,
            "stream",
            null,
            DeadLetter.Error.UNKNOWN_ENTITY,
            entityName == null
                ? "the message has no '" + StreamMessage.ENTITY_ATTRIBUTE + "' attribute"
                : "unknown entity '" + entityName + "': the stream carries pageviews and ratings",
            out);
        return;
      }
      RecordParser.Result result = parser.parse(payload);
      if (!result.ok()) {
        deadLetter(message, entityName, result.key(), result.error(), result.reason(), out);
        return;
      }
      Row fields = result.row();
      for (String required : REQUIRED) {
        if (fields.getValue(required) == null) {
          deadLetter(
              message,
              entityName,
              result.key(),
              DeadLetter.Error.MISSING_FIELD,
              "field '" + required + "' missing: the stream's windows need it",
              out);
          return;
        }
      }
      List<Object> values = new ArrayList<>(schema.getFieldCount());
      values.addAll(fields.getValues());
      values.add(message.getString(StreamMessage.MESSAGE_ID));
      values.add(message.getDateTime(StreamMessage.PUBLISHED_AT).toInstant());
      out.get(tag).output(Row.withSchema(schema).attachValues(values));
      parsed.inc();
      (tag == PAGEVIEWS ? pageviewsParsed : ratingsParsed).inc();
    }

    private void deadLetter(
        Row message,
        String source,
        @Nullable String key,
        DeadLetter.Error error,
        String reason,
        MultiOutputReceiver out) {
      out.get(DEAD_LETTERS).output(deadLetterOf(message, source, key, error, reason, runId));
      deadLettered.inc();
    }
  }

  /** A dead letter for a stream message: the location is the message id. */
  public static DeadLetter deadLetterOf(
      Row message,
      String source,
      @Nullable String key,
      DeadLetter.Error error,
      String reason,
      String runId) {
    String messageId = message.getString(StreamMessage.MESSAGE_ID);
    return DeadLetter.builder()
        .setSource(source)
        .setLocation(messageId)
        .setRecord(messageId)
        .setRecordKey(key)
        .setError(error.code())
        .setReason(reason)
        .setPayload(
            message.getSchema().hasField(StreamMessage.PAYLOAD)
                ? message.getString(StreamMessage.PAYLOAD)
                : message.toString())
        .setBatchId(runId)
        .setFailedAt(Instant.now())
        .build();
  }
}
