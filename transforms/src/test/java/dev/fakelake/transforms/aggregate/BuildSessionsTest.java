package dev.fakelake.transforms.aggregate;

import static dev.fakelake.transforms.aggregate.StreamRows.atEventTime;
import static dev.fakelake.transforms.aggregate.StreamRows.fields;
import static dev.fakelake.transforms.aggregate.StreamRows.pageview;
import static dev.fakelake.transforms.aggregate.StreamRows.streamCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fakelake.schemas.WarehouseTable;
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
 * Sessions of 30-minute gaps per user: split at the gap, merged from out-of-order pageviews,
 * re-emitted whole when a late pageview joins, and a lone pageview as a session of its own.
 */
@ExtendWith(TestPipelineExtension.class)
class BuildSessionsTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final String[] FIELDS = {
    "user_id",
    "session_start",
    "session_end",
    "duration_seconds",
    "pageviews",
    "distinct_urls",
    "landing_url",
    "exit_url",
    "pane_timing"
  };

  private static Instant at(int minutes) {
    return T0.plus(Duration.standardMinutes(minutes));
  }

  private static Row view(String id, long user, String url, Instant time) {
    return pageview(id, user, "GET", url, time, 100);
  }

  private static TestStream.Builder<Row> stream() {
    return TestStream.create(RowCoder.of(WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema()));
  }

  private static PCollection<Row> sessions(TestPipeline pipeline, TestStream<Row> events) {
    return pipeline
        .apply(events)
        .apply(BuildSessions.of().withClock(() -> Instant.parse("2026-11-22T12:00:00Z")));
  }

  @Test
  void aPauseLongerThanTheGapStartsANewSession(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(
                atEventTime(view("a", 1, "/", at(0))),
                atEventTime(view("b", 1, "/product/1", at(29))),
                // 30 min 1 s after b: a new session
                atEventTime(view("c", 1, "/cart", at(59).plus(Duration.standardSeconds(1)))))
            .advanceWatermarkToInfinity();

    PCollection<Row> sessions = sessions(pipeline, events);

    PAssert.that(fields(sessions, FIELDS))
        .containsInAnyOrder(
            "user_id=1, session_start=10:00:00, session_end=10:29:00, duration_seconds=1740,"
                + " pageviews=2, distinct_urls=2, landing_url=/, exit_url=/product/1,"
                + " pane_timing=ON_TIME",
            "user_id=1, session_start=10:59:01, session_end=10:59:01, duration_seconds=0,"
                + " pageviews=1, distinct_urls=1, landing_url=/cart, exit_url=/cart,"
                + " pane_timing=ON_TIME");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void outOfOrderPageviewsBridgingTwoRunsMergeThemIntoOneSession(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(
                atEventTime(view("late-in-time", 1, "/cart", at(50))),
                atEventTime(view("first", 1, "/", at(0))),
                // bridges 10:00 and 10:50, arriving last
                atEventTime(view("bridge", 1, "/", at(25))),
                atEventTime(view("other-user", 2, "/", at(25))))
            .advanceWatermarkToInfinity();

    PCollection<Row> sessions = sessions(pipeline, events);

    PAssert.that(fields(sessions, FIELDS))
        .containsInAnyOrder(
            "user_id=1, session_start=10:00:00, session_end=10:50:00, duration_seconds=3000,"
                + " pageviews=3, distinct_urls=2, landing_url=/, exit_url=/cart,"
                + " pane_timing=ON_TIME",
            "user_id=2, session_start=10:25:00, session_end=10:25:00, duration_seconds=0,"
                + " pageviews=1, distinct_urls=1, landing_url=/, exit_url=/,"
                + " pane_timing=ON_TIME");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLatePageviewReEmitsItsWholeSessionAndOneBeyondLatenessChangesNothing(
      TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(atEventTime(view("a", 1, "/", at(0))))
            // the session [10:00, 10:30) fires on time; it is kept until 10:40 (10 min lateness)
            .advanceWatermarkTo(at(36))
            // its own session [10:05, 10:35) is behind the watermark: late, and merged; the
            // merged session is output again when its timer fires at 10:35, and forgotten at 10:45
            .addElements(atEventTime(view("late", 1, "/product/3", at(5))))
            // [10:04, 10:34) was closed for good at 10:44, before that last firing: too late
            .advanceWatermarkTo(at(47))
            .addElements(atEventTime(view("too-late", 1, "/x", at(4))))
            .advanceWatermarkToInfinity();

    PCollection<Row> sessions = sessions(pipeline, events);

    PAssert.that(fields(sessions, FIELDS))
        .containsInAnyOrder(
            "user_id=1, session_start=10:00:00, session_end=10:00:00, duration_seconds=0,"
                + " pageviews=1, distinct_urls=1, landing_url=/, exit_url=/, pane_timing=ON_TIME",
            "user_id=1, session_start=10:00:00, session_end=10:05:00, duration_seconds=300,"
                + " pageviews=2, distinct_urls=2, landing_url=/, exit_url=/product/3,"
                + " pane_timing=LATE");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1L, streamCounter(result, "session_pageviews_too_late"));
  }

  @Test
  void aLatePageviewBridgingAnOutputSessionAndAnOpenOneIsOutputMergedWhenItCloses(
      TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(atEventTime(view("a", 1, "/", at(0))))
            // [10:00, 10:30) is output on time
            .advanceWatermarkTo(at(31))
            .addElements(
                atEventTime(view("b", 1, "/cart", at(40))),
                // late, but within the lateness: bridges [10:00, 10:30) and [10:40, 11:10)
                atEventTime(view("bridge", 1, "/product/2", at(20))))
            .advanceWatermarkTo(at(45))
            .advanceWatermarkToInfinity();

    PCollection<Row> sessions = sessions(pipeline, events);

    PAssert.that(fields(sessions, FIELDS))
        .containsInAnyOrder(
            "user_id=1, session_start=10:00:00, session_end=10:00:00, duration_seconds=0,"
                + " pageviews=1, distinct_urls=1, landing_url=/, exit_url=/, pane_timing=ON_TIME",
            // open until 11:10, then output once, replacing the row above
            "user_id=1, session_start=10:00:00, session_end=10:40:00, duration_seconds=2400,"
                + " pageviews=3, distinct_urls=3, landing_url=/, exit_url=/cart,"
                + " pane_timing=LATE");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void ofPageviewsAtOneInstantTheEarlierArrivalLandsAndTheLaterExits(TestPipeline pipeline) {
    TestStream<Row> events =
        stream()
            .addElements(atEventTime(view("a", 1, "/a", at(0))))
            .addElements(atEventTime(view("b", 1, "/b", at(0))))
            .advanceWatermarkToInfinity();

    PCollection<Row> sessions = sessions(pipeline, events);

    PAssert.that(fields(sessions, FIELDS))
        .containsInAnyOrder(
            "user_id=1, session_start=10:00:00, session_end=10:00:00, duration_seconds=0,"
                + " pageviews=2, distinct_urls=2, landing_url=/a, exit_url=/b,"
                + " pane_timing=ON_TIME");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void countsEachDistinctPageOnceWhenSessionsMerge() throws Exception {
    BuildSessions.Summary first = new BuildSessions.Summary();
    BuildSessions.Summary second = new BuildSessions.Summary();
    for (String url : new String[] {"/", "/product/1", "/cart", "/product/1"}) {
      first.add(1_000, url);
    }
    for (String url : new String[] {"/cart", "/search?q=x", "/", "/product/2"}) {
      second.add(2_000, url);
    }

    BuildSessions.Summary merged = new BuildSessions.Summary();
    merged.merge(first);
    merged.merge(second);
    BuildSessions.Summary decoded =
        org.apache.beam.sdk.util.CoderUtils.clone(new BuildSessions.SummaryCoder(), merged);

    assertEquals(3, first.pages.length);
    assertEquals(4, second.pages.length);
    assertEquals(5, merged.pages.length);
    assertEquals(8, merged.pageviews);
    assertEquals(java.util.Arrays.toString(merged.pages), java.util.Arrays.toString(decoded.pages));
  }
}
