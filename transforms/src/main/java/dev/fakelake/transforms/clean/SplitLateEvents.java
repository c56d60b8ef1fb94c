package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.transforms.ingest.ParseStreamMessages;
import dev.fakelake.transforms.io.JsonRecords;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * Splits off the stream events that arrived later than the allowed lateness after their event time.
 * An event's lateness is how long after its event time it arrived ({@code published_at -
 * event_time}); within the allowed lateness the event goes on unchanged, still at its arrival time.
 * Later than that it goes to a {@code too_late} dead letter, stored and counted rather than dropped
 * by a window.
 *
 * <p>The events stay at their arrival time, which the stream's watermark follows, so that no event
 * is behind the watermark on its way to a stateful step downstream (sessions, the rating join):
 * such a step reads the event time from the row. The windowed steps, which group by event time,
 * take the events through {@link StampEventTime} first.
 */
public class SplitLateEvents extends PTransform<PCollection<Row>, PCollectionTuple> {

  public static final TupleTag<Row> ON_TIME = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> TOO_LATE = new TupleTag<>() {};

  private final String entity;
  private final Duration allowedLateness;
  private final String runId;

  private SplitLateEvents(String entity, Duration allowedLateness, String runId) {
    this.entity = entity;
    this.allowedLateness = allowedLateness;
    this.runId = runId;
  }

  public static SplitLateEvents of(String entity, Duration allowedLateness, String runId) {
    return new SplitLateEvents(entity, allowedLateness, runId);
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> events) {
    PCollectionTuple out =
        events.apply(
            "SplitTooLate",
            ParDo.of(new SplitFn(entity, allowedLateness, runId))
                .withOutputTags(ON_TIME, TupleTagList.of(List.of(TOO_LATE))));
    out.get(ON_TIME).setRowSchema(events.getSchema());
    return out;
  }

  /** How long after its event time an event arrived, in milliseconds. */
  public static long latenessMillis(Row event) {
    return event.getDateTime(StreamMessage.PUBLISHED_AT).getMillis()
        - event.getDateTime("event_time").getMillis();
  }

  /** {@code 3h 12m 5s}, {@code 10m}, {@code 0s}. */
  static String readable(long millis) {
    long seconds = millis / 1000;
    StringBuilder out = new StringBuilder();
    if (seconds >= 3600) {
      out.append(seconds / 3600).append("h ");
    }
    if (seconds % 3600 >= 60) {
      out.append(seconds % 3600 / 60).append("m ");
    }
    if (seconds % 60 > 0 || out.length() == 0) {
      out.append(seconds % 60).append("s");
    }
    return out.toString().strip();
  }

  private static class SplitFn extends DoFn<Row, Row> {
    private final String entity;
    private final Duration allowedLateness;
    private final String runId;
    private final Counter tooLate;

    SplitFn(String entity, Duration allowedLateness, String runId) {
      this.entity = entity;
      this.allowedLateness = allowedLateness;
      this.runId = runId;
      this.tooLate = Metrics.counter("stream", entity + "_too_late");
    }

    @ProcessElement
    public void process(@Element Row event, MultiOutputReceiver out) {
      long lateness = latenessMillis(event);
      if (lateness > allowedLateness.getMillis()) {
        String reason =
            String.format(
                "arrived %s after its event time; the allowed lateness is %s",
                readable(lateness), readable(allowedLateness.getMillis()));
        DeadLetter letter =
            ParseStreamMessages.deadLetterOf(
                    event,
                    entity,
                    event.getString("event_id"),
                    DeadLetter.Error.TOO_LATE,
                    reason,
                    runId)
                .toBuilder()
                .setPayload(JsonRecords.rowFormatter().apply(event))
                .build();
        out.get(TOO_LATE).output(letter);
        tooLate.inc();
        return;
      }
      out.get(ON_TIME).output(event);
    }
  }
}
