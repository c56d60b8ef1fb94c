package dev.fakelake.transforms.clean;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Moves stream events from their arrival time to their event time ({@code event_time}), for the
 * steps that window by event time: the per-method counts, the alerts and the lake's files. The
 * events must be at most {@code allowedLateness} behind their arrival, as {@link SplitLateEvents}
 * leaves them; the windows downstream allow the same lateness, so they still take each event.
 *
 * <p>Stateful steps keep the arrival time instead (see {@link SplitLateEvents}): an event moved
 * back in time may be behind the watermark, and a runner need not order such an event before the
 * timers its step fires (the Direct runner does not, at the end of a run).
 */
public class StampEventTime extends PTransform<PCollection<Row>, PCollection<Row>> {

  private final Duration allowedLateness;

  private StampEventTime(Duration allowedLateness) {
    this.allowedLateness = allowedLateness;
  }

  /** Stamps events that arrived at most {@code allowedLateness} after their event time. */
  public static StampEventTime of(Duration allowedLateness) {
    return new StampEventTime(allowedLateness);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> events) {
    return events
        .apply("StampEventTime", ParDo.of(new StampFn(allowedLateness)))
        .setRowSchema(events.getSchema());
  }

  private static class StampFn extends DoFn<Row, Row> {
    private final Duration allowedLateness;

    StampFn(Duration allowedLateness) {
      this.allowedLateness = allowedLateness;
    }

    @ProcessElement
    public void process(@Element Row event, OutputReceiver<Row> out) {
      Instant eventTime = event.getDateTime("event_time").toInstant();
      out.outputWithTimestamp(event, eventTime);
    }

    // Moving an element back in time is what this step is for; the bound is the lateness above.
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return allowedLateness;
    }
  }
}
