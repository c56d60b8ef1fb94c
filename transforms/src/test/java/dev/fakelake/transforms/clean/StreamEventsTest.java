package dev.fakelake.transforms.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.transforms.ingest.ParseStreamMessages;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stream's first steps: messages parsed or dead-lettered with the reason, repeats of an event
 * id dropped, and events moved to event time unless they arrived later than the allowed lateness.
 */
@ExtendWith(TestPipelineExtension.class)
class StreamEventsTest {

  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private static final Duration LATENESS = Duration.standardMinutes(10);

  private static Row message(long offset, String entity, String payload, Instant publishedAt) {
    return Row.withSchema(StreamMessage.SCHEMA)
        .addValues("kafka:events/0@" + offset, entity, "7", payload, publishedAt)
        .build();
  }

  private static String pageview(String id, Instant eventTime) {
    return "{\"event_id\":\""
        + id
        + "\",\"user_id\":7,\"session_id\":\"s1\",\"url\":\"/\",\"http_method\":\"GET\","
        + "\"client_ip\":\"10.0.0.1\",\"user_agent\":\"test\",\"latency_ms\":120,"
        + "\"event_time\":\""
        + eventTime
        + "\"}";
  }

  private static PCollection<Row> arriving(TestPipeline pipeline, Row... messages) {
    TestStream.Builder<Row> stream =
        TestStream.create(StreamMessage.SCHEMA, TypeDescriptors.rows(), r -> r, r -> r);
    Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    for (Row message : messages) {
      // The watermark follows arrival, as the Kafka and Pub/Sub readers' does.
      Instant arrival = message.getDateTime(StreamMessage.PUBLISHED_AT).toInstant();
      if (arrival.isAfter(watermark)) {
        stream = stream.advanceWatermarkTo(arrival);
        watermark = arrival;
      }
      stream = stream.addElements(TimestampedValue.of(message, arrival));
    }
    return pipeline.apply(stream.advanceWatermarkToInfinity());
  }

  private static PCollection<String> errors(PCollection<DeadLetter> letters) {
    return letters.apply(
        "DescribeDeadLetters",
        MapElements.into(TypeDescriptors.strings())
            .via(l -> l.getSource() + " " + l.getError() + " " + l.getRecord()));
  }

  @Test
  void parsesEachEntityAndDeadLettersWhatItCannotUse(TestPipeline pipeline) {
    PCollectionTuple parsed =
        arriving(
                pipeline,
                message(1, "pageviews", pageview("p1", NOW), NOW),
                message(
                    2,
                    "ratings",
                    "{\"event_id\":\"r1\",\"user_id\":7,\"product_id\":3,"
                        + "\"stars\":4,\"event_time\":\""
                        + NOW
                        + "\"}",
                    NOW),
                message(3, "pageviews", pageview("p2", NOW).substring(0, 40), NOW),
                message(4, null, pageview("p3", NOW), NOW),
                message(5, "orders", "{}", NOW),
                message(6, "pageviews", "{\"event_id\":\"p4\",\"user_id\":7}", NOW),
                message(7, "pageviews", pageview("p5", NOW).replace("120", "\"120 ms\""), NOW))
            .apply(ParseStreamMessages.of("run-1"));

    PAssert.that(
            parsed
                .get(ParseStreamMessages.PAGEVIEWS)
                .apply(
                    "DescribePageviews",
                    MapElements.into(TypeDescriptors.strings())
                        .via(r -> r.getString("event_id") + "@" + r.getString("message_id"))))
        .containsInAnyOrder("p1@kafka:events/0@1");
    PAssert.that(
            parsed
                .get(ParseStreamMessages.RATINGS)
                .apply(
                    MapElements.into(TypeDescriptors.longs()).via(r -> (long) r.getInt32("stars"))))
        .containsInAnyOrder(4L);
    PAssert.that(errors(parsed.get(ParseStreamMessages.DEAD_LETTERS)))
        .containsInAnyOrder(
            "pageviews malformed_json kafka:events/0@3",
            "stream unknown_entity kafka:events/0@4",
            "stream unknown_entity kafka:events/0@5",
            "pageviews missing_field kafka:events/0@6",
            "pageviews wrong_type kafka:events/0@7");
    pipeline.run();
  }

  @Test
  void forgetsEachIdOfABucketAfterItsOwnMemoryNotTheBucketsOldest(TestPipeline pipeline) {
    // "Aa" and "BB" have the same hash code, so they share a bucket and its timer.
    Duration tenMinutes = Duration.standardMinutes(10);
    PCollection<Row> kept =
        arriving(
                pipeline,
                message(1, "pageviews", pageview("Aa", NOW), NOW),
                message(2, "pageviews", pageview("BB", NOW), NOW.plus(Duration.standardMinutes(8))),
                message(
                    3, "pageviews", pageview("BB", NOW), NOW.plus(Duration.standardMinutes(11))),
                message(
                    4, "pageviews", pageview("Aa", NOW), NOW.plus(Duration.standardMinutes(11))),
                message(
                    5, "pageviews", pageview("BB", NOW), NOW.plus(Duration.standardMinutes(19))))
            .apply(ParseStreamMessages.of("run-1"))
            .get(ParseStreamMessages.PAGEVIEWS)
            .apply(DropDuplicateEvents.byEventId("pageviews", tenMinutes));

    PAssert.that(
            kept.apply(
                MapElements.into(TypeDescriptors.strings()).via(r -> r.getString("message_id"))))
        .containsInAnyOrder(
            "kafka:events/0@1", "kafka:events/0@2", "kafka:events/0@4", "kafka:events/0@5");
    pipeline.run();
  }

  @Test
  void keepsTheFirstOfEachEventIdAndForgetsItAfterTheMemory(TestPipeline pipeline) {
    Instant later = NOW.plus(Duration.standardMinutes(30));
    // A UUID, kept as its bits, and an id of another form, kept as it is.
    String uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    PCollection<Row> kept =
        arriving(
                pipeline,
                message(1, "pageviews", pageview(uuid, NOW), NOW),
                message(2, "pageviews", pageview(uuid, NOW), NOW.plus(1_000)),
                message(3, "pageviews", pageview("p2", NOW), NOW.plus(2_000)),
                message(4, "pageviews", pageview("p2", NOW), NOW.plus(3_000)),
                message(5, "pageviews", pageview(uuid, NOW), later),
                message(6, "pageviews", pageview("p2", NOW), later))
            .apply(ParseStreamMessages.of("run-1"))
            .get(ParseStreamMessages.PAGEVIEWS)
            .apply(DropDuplicateEvents.byEventId("pageviews", Duration.standardMinutes(10)));

    PAssert.that(
            kept.apply(
                MapElements.into(TypeDescriptors.strings()).via(r -> r.getString("message_id"))))
        .containsInAnyOrder(
            "kafka:events/0@1", "kafka:events/0@3", "kafka:events/0@5", "kafka:events/0@6");
    pipeline.run();
  }

  @Test
  void keepsEventsWithinTheLatenessAtTheirArrivalAndDeadLettersLaterOnes(TestPipeline pipeline) {
    Instant outOfOrder = NOW.minus(Duration.standardMinutes(9));
    Instant tooLate = NOW.minus(Duration.standardHours(3));
    PCollectionTuple split =
        arriving(
                pipeline,
                message(1, "pageviews", pageview("p1", NOW), NOW.plus(300)),
                message(2, "pageviews", pageview("p2", outOfOrder), NOW.plus(400)),
                message(3, "pageviews", pageview("p3", tooLate), NOW.plus(500)))
            .apply(ParseStreamMessages.of("run-1"))
            .get(ParseStreamMessages.PAGEVIEWS)
            .apply(SplitLateEvents.of("pageviews", LATENESS, "run-1"));

    PCollection<Row> onTime = split.get(SplitLateEvents.ON_TIME);
    PAssert.that(onTime.apply("Arrivals", ParDo.of(new StampFn())))
        .containsInAnyOrder("p1 " + NOW.plus(300), "p2 " + NOW.plus(400));
    PAssert.that(
            onTime
                .apply("InEventTime", StampEventTime.of(LATENESS))
                .apply("EventTimes", ParDo.of(new StampFn())))
        .containsInAnyOrder("p1 " + NOW, "p2 " + outOfOrder);
    PAssert.that(
            split
                .get(SplitLateEvents.TOO_LATE)
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(l -> l.getRecordKey() + " " + l.getError() + ": " + l.getReason())))
        .containsInAnyOrder(
            "p3 too_late: arrived 3h after its event time; the allowed lateness is 10m");
    pipeline.run();
  }

  @Test
  void saysLatenessInHoursMinutesAndSeconds() {
    List<String> said = new ArrayList<>();
    for (long millis : new long[] {0, 59_999, 600_000, 3 * 3_600_000L + 12 * 60_000 + 5_000}) {
      said.add(SplitLateEvents.readable(millis));
    }
    assertEquals(List.of("0s", "59s", "10m", "3h 12m 5s"), said);
    assertTrue(ParseStreamMessages.ENTITIES.contains(Entity.RATINGS));
  }

  private static class StampFn extends DoFn<Row, String> {
    @ProcessElement
    public void process(@Element Row row, @Timestamp Instant stamp, OutputReceiver<String> out) {
      out.output(row.getString("event_id") + " " + stamp);
    }
  }
}
