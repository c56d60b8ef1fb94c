package dev.fakelake.transforms.aggregate;

import static dev.fakelake.transforms.aggregate.StreamRows.atEventTime;
import static dev.fakelake.transforms.aggregate.StreamRows.fields;
import static dev.fakelake.transforms.aggregate.StreamRows.pageview;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fakelake.schemas.WarehouseTable;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Five-minute counts per HTTP method: window boundaries, early, on-time and late panes that each
 * count only what is new, data beyond the allowed lateness, and the event-to-aggregate latency.
 */
@ExtendWith(TestPipelineExtension.class)
class CountPageviewsByMethodTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant EMITTED = Instant.parse("2026-11-22T12:00:00Z");
  private static final String[] FIELDS = {
    "window_start", "http_method", "pageviews", "pane_timing", "pane_index"
  };

  private static TestStream.Builder<Row> stream() {
    return TestStream.create(RowCoder.of(WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema()));
  }

  private static PCollection<Row> count(TestPipeline pipeline, TestStream<Row> events) {
    return pipeline.apply(events).apply(CountPageviewsByMethod.of().withClock(() -> EMITTED));
  }

  @Test
  void countsEachMethodPerWindowWithTheBoundaryInTheLaterWindow(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(
                atEventTime(pageview("a", 1, "GET", T0, 100)),
                atEventTime(pageview("b", 2, "GET", T0.plus(Duration.millis(299_999)), 100)),
                atEventTime(pageview("c", 3, "POST", T0.plus(Duration.standardMinutes(1)), 100)),
                atEventTime(pageview("d", 1, "GET", T0.plus(Duration.standardMinutes(5)), 100)))
            .advanceWatermarkToInfinity();

    PCollection<Row> counts = count(pipeline, events);

    PAssert.that(fields(counts, FIELDS))
        .containsInAnyOrder(
            "window_start=10:00:00, http_method=GET, pageviews=2, pane_timing=ON_TIME,"
                + " pane_index=0",
            "window_start=10:00:00, http_method=POST, pageviews=1, pane_timing=ON_TIME,"
                + " pane_index=0",
            "window_start=10:05:00, http_method=GET, pageviews=1, pane_timing=ON_TIME,"
                + " pane_index=0");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void earlyOnTimeAndLatePanesEachCountOnlyWhatIsNew(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .advanceWatermarkTo(T0)
            .addElements(
                atEventTime(pageview("a", 1, "GET", T0.plus(Duration.standardMinutes(1)), 100)),
                atEventTime(pageview("b", 2, "GET", T0.plus(Duration.standardMinutes(2)), 100)))
            .advanceProcessingTime(Duration.standardSeconds(2))
            // out of order: earlier in event time than what came before it
            .addElements(atEventTime(pageview("c", 3, "GET", T0.plus(Duration.millis(10)), 100)))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(6)))
            // late, but within the 10 minutes of allowed lateness
            .addElements(
                atEventTime(pageview("d", 4, "GET", T0.plus(Duration.standardMinutes(4)), 100)))
            .advanceWatermarkToInfinity();

    PCollection<Row> counts = count(pipeline, events);

    PAssert.that(fields(counts, FIELDS))
        .containsInAnyOrder(
            "window_start=10:00:00, http_method=GET, pageviews=2, pane_timing=EARLY, pane_index=0",
            "window_start=10:00:00, http_method=GET, pageviews=1, pane_timing=ON_TIME,"
                + " pane_index=1",
            "window_start=10:00:00, http_method=GET, pageviews=1, pane_timing=LATE, pane_index=2");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewBeyondTheAllowedLatenessIsNotCounted(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(atEventTime(pageview("a", 1, "GET", T0, 100)))
            // the window [10:00, 10:05) closes for good at 10:15
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(16)))
            .addElements(atEventTime(pageview("late", 2, "GET", T0.plus(Duration.millis(1)), 100)))
            .advanceWatermarkToInfinity();

    PCollection<Row> counts = count(pipeline, events);

    PAssert.that(fields(counts, FIELDS))
        .containsInAnyOrder(
            "window_start=10:00:00, http_method=GET, pageviews=1, pane_timing=ON_TIME,"
                + " pane_index=0");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewWithoutMethodIsCountedAsUnknown(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(atEventTime(pageview("a", 1, null, T0, 100)))
            .advanceWatermarkToInfinity();

    PCollection<Row> counts = count(pipeline, events);

    PAssert.that(fields(counts, "http_method", "pageviews"))
        .containsInAnyOrder("http_method=UNKNOWN, pageviews=1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void measuresEmittedMinusPublishedIntoTheLatencyHistogram(TestPipeline pipeline) {
    // published 11:59:59.900 and 11:58:00.000; emitted 12:00:00: 100 ms and 2 min
    Instant early = EMITTED.minus(Duration.standardMinutes(3));
    TestStream<Row> events =
        stream()
            .addElements(
                atEventTime(pageview("a", 1, "GET", early, 179_900)),
                atEventTime(pageview("b", 2, "PUT", early, 60_000)))
            .advanceWatermarkToInfinity();

    PCollection<Row> counts = count(pipeline, events);

    PAssert.that(fields(counts, "emitted_at", "pageviews"))
        .containsInAnyOrder("emitted_at=12:00:00, pageviews=1", "emitted_at=12:00:00, pageviews=1");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    Map<String, Long> histogram =
        LatencyHistogram.counters(result.metrics(), CountPageviewsByMethod.LATENCY_HISTOGRAM);
    // the bucket middle stands for its pageviews: 50 ms and 120,000 - 50 ms
    assertEquals(
        Map.of("aggregate_latency_le_50ms", 1L, "aggregate_latency_le_250000ms", 1L), histogram);
  }
}
