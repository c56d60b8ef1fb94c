package dev.fakelake.transforms.clean;

import static dev.fakelake.transforms.clean.BronzeRows.fields;
import static dev.fakelake.transforms.clean.BronzeRows.row;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.Entity;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lateness from delivery order: how far each pageview lies behind the newest event delivered before
 * it in its landing file, and behind the newest earlier event of its own session.
 */
@ExtendWith(TestPipelineExtension.class)
class MeasureLatenessTest {

  private static final String FILE = BronzeRows.file(Entity.PAGEVIEWS);
  private static final long MINUTE = 60_000L;

  private static Row pageview(
      String eventId, String file, int line, String session, String eventTime) {
    return row(
        Entity.PAGEVIEWS,
        "event_id",
        eventId,
        "session_id",
        session,
        "event_time",
        eventTime == null ? null : Instant.parse(eventTime),
        Bronze.SOURCE_LOCATION,
        file,
        Bronze.SOURCE_RECORD,
        "line " + line);
  }

  private static PCollection<String> measure(TestPipeline pipeline, Row... pageviews) {
    PCollection<Row> measured =
        pipeline
            .apply(Create.of(List.of(pageviews)).withRowSchema(Bronze.schema(Entity.PAGEVIEWS)))
            .apply(MeasureLateness.bySession("session_id"));
    return fields(measured, "event_id", MeasureLateness.LATENESS, MeasureLateness.SESSION_LATENESS);
  }

  private static String lateness(String eventId, long lateness, long sessionLateness) {
    return "event_id="
        + eventId
        + ", lateness_ms="
        + lateness
        + ", session_lateness_ms="
        + sessionLateness;
  }

  @Test
  void anEventBehindTheNewestEarlierEventOfItsFileIsLateByTheDifference(TestPipeline pipeline) {
    PCollection<String> measured =
        measure(
            pipeline,
            pageview("e1", FILE, 1, "s1", "2026-03-01T10:00:00Z"),
            pageview("e2", FILE, 2, "s2", "2026-03-01T10:05:00Z"),
            pageview("e3", FILE, 3, "s3", "2026-03-01T09:50:00Z"));

    PAssert.that(measured)
        .containsInAnyOrder(
            lateness("e1", 0, 0), lateness("e2", 0, 0), lateness("e3", 15 * MINUTE, 0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void ordersEventsByTheirLineNumberNotByTheOrderTheyArrive(TestPipeline pipeline) {
    PCollection<String> measured =
        measure(
            pipeline,
            pageview("e10", FILE, 10, "s2", "2026-03-01T09:00:00Z"),
            pageview("e9", FILE, 9, "s1", "2026-03-01T10:00:00Z"));

    PAssert.that(measured)
        .containsInAnyOrder(lateness("e9", 0, 0), lateness("e10", 60 * MINUTE, 0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void eventsOfOtherFilesDoNotMakeAnEventLate(TestPipeline pipeline) {
    PCollection<String> measured =
        measure(
            pipeline,
            pageview("e1", "landing/pageviews-00000.jsonl", 1, "s1", "2026-03-01T12:00:00Z"),
            pageview("e2", "landing/pageviews-00001.jsonl", 2, "s1", "2026-03-01T10:00:00Z"));

    PAssert.that(measured).containsInAnyOrder(lateness("e1", 0, 0), lateness("e2", 0, 0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void sessionLatenessCountsOnlyEarlierEventsOfTheSameSession(TestPipeline pipeline) {
    PCollection<String> measured =
        measure(
            pipeline,
            pageview("a1", FILE, 1, "a", "2026-03-01T10:10:00Z"),
            pageview("b1", FILE, 2, "b", "2026-03-01T10:00:00Z"),
            pageview("a2", FILE, 3, "a", "2026-03-01T10:05:00Z"),
            pageview("b2", FILE, 4, "b", "2026-03-01T10:01:00Z"));

    PAssert.that(measured)
        .containsInAnyOrder(
            lateness("a1", 0, 0),
            lateness("b1", 10 * MINUTE, 0),
            lateness("a2", 5 * MINUTE, 5 * MINUTE),
            lateness("b2", 9 * MINUTE, 0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEventWithoutTimeIsNotLateAndDoesNotMoveTheNewest(TestPipeline pipeline) {
    PCollection<String> measured =
        measure(
            pipeline,
            pageview("e1", FILE, 1, "s1", "2026-03-01T10:00:00Z"),
            pageview("e2", FILE, 2, "s1", null),
            pageview("e3", FILE, 3, "s1", "2026-03-01T09:30:00Z"));

    PAssert.that(measured)
        .containsInAnyOrder(
            lateness("e1", 0, 0), lateness("e2", 0, 0), lateness("e3", 30 * MINUTE, 30 * MINUTE));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void keepsEveryBronzeValueOfTheEvent(TestPipeline pipeline) {
    Row event =
        row(
            Entity.PAGEVIEWS,
            "event_id",
            "e1",
            "user_id",
            7L,
            "url",
            "/product/3",
            "latency_ms",
            120,
            "event_time",
            Instant.parse("2026-03-01T10:00:00Z"));

    PCollection<Row> measured =
        pipeline
            .apply(Create.of(event).withRowSchema(Bronze.schema(Entity.PAGEVIEWS)))
            .apply(MeasureLateness.bySession("session_id"));

    PAssert.that(
            fields(
                measured,
                "event_id",
                "user_id",
                "url",
                "latency_ms",
                "event_time",
                Bronze.SOURCE_RECORD,
                Bronze.BATCH_ID))
        .containsInAnyOrder(
            "event_id=e1, user_id=7, url=/product/3, latency_ms=120,"
                + " event_time=2026-03-01T10:00:00.000Z, _source_record=line 1,"
                + " _batch_id="
                + BronzeRows.BATCH);
    pipeline.run().waitUntilFinish();
  }
}
