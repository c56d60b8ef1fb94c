package dev.fakelake.transforms.enrich;

import static dev.fakelake.transforms.aggregate.StreamRows.fields;
import static dev.fakelake.transforms.aggregate.StreamRows.pageview;
import static dev.fakelake.transforms.aggregate.StreamRows.streamCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.WarehouseTable;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
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
 * A rating paired with its user's pageviews of the rated product within the 15 minutes before it,
 * once each, whichever side arrives first, with state forgotten once nothing can join it in time.
 */
@ExtendWith(TestPipelineExtension.class)
class JoinPageviewsWithRatingsTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final Schema RATING = Bronze.fields(Entity.RATINGS);
  private static final String[] PAIR_FIELDS = {
    "pageview_event_id", "rating_event_id", "user_id", "product_id", "seconds_between"
  };

  private static Instant at(int minutes, int seconds) {
    return T0.plus(Duration.standardMinutes(minutes)).plus(Duration.standardSeconds(seconds));
  }

  private static Row view(String id, long user, String url, Instant time) {
    return pageview(id, user, "GET", url, time, 100);
  }

  private static Row rating(String id, Long user, Long product, Instant time) {
    return Row.withSchema(RATING)
        .withFieldValue("event_id", id)
        .withFieldValue("user_id", user)
        .withFieldValue("product_id", product)
        .withFieldValue("stars", 4)
        .withFieldValue("event_time", time)
        .build();
  }

  /** One stream of both sides, so the order of arrival between them is exactly as written. */
  private static final Schema EITHER =
      Schema.builder()
          .addNullableField(
              "pageview", FieldType.row(WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema()))
          .addNullableField("rating", FieldType.row(RATING))
          .build();

  private static TestStream.Builder<Row> events() {
    return TestStream.create(RowCoder.of(EITHER));
  }

  private static TimestampedValue<Row> pv(Row pageview) {
    return pv(pageview, pageview.getDateTime("event_time").toInstant());
  }

  /** A pageview timestamped with its arrival, as stream-ingest hands it over. */
  private static TimestampedValue<Row> pv(Row pageview, Instant arrival) {
    return TimestampedValue.of(Row.withSchema(EITHER).addValues(pageview, null).build(), arrival);
  }

  private static TimestampedValue<Row> rt(Row rating) {
    return rt(rating, rating.getDateTime("event_time").toInstant());
  }

  private static TimestampedValue<Row> rt(Row rating, Instant arrival) {
    return TimestampedValue.of(Row.withSchema(EITHER).addValues(null, rating).build(), arrival);
  }

  private static PCollection<Row> side(PCollection<Row> events, String field, Schema schema) {
    return events
        .apply(
            "Take" + field,
            FlatMapElements.into(TypeDescriptors.rows())
                .via(
                    (Row e) -> e.getRow(field) == null ? List.<Row>of() : List.of(e.getRow(field))))
        .setRowSchema(schema);
  }

  private static PCollectionTuple join(TestPipeline pipeline, TestStream<Row> stream) {
    PCollection<Row> events = pipeline.apply(stream);
    return PCollectionTuple.of(
            JoinPageviewsWithRatings.PAGEVIEWS,
            side(events, "pageview", WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema()))
        .and(JoinPageviewsWithRatings.RATINGS, side(events, "rating", RATING))
        .apply(JoinPageviewsWithRatings.of());
  }

  @Test
  void pairsARatingWithItsUsersViewsOfTheProductUpToFifteenMinutesBefore(TestPipeline pipeline) {
    TestStream<Row> stream =
        events()
            .addElements(
                pv(view("pv", 1, "/product/7", T0)), pv(view("other-user", 2, "/product/7", T0)))
            .addElements(
                rt(rating("three-minutes-after", 1L, 7L, at(3, 0))),
                rt(rating("on-the-boundary", 1L, 7L, at(15, 0))),
                rt(rating("a-second-too-late", 1L, 7L, at(15, 1))),
                rt(rating("before-the-view", 1L, 7L, at(-1, 0))))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(fields(out.get(JoinPageviewsWithRatings.PAIRS), PAIR_FIELDS))
        .containsInAnyOrder(
            "pageview_event_id=pv, rating_event_id=three-minutes-after, user_id=1, product_id=7,"
                + " seconds_between=180",
            "pageview_event_id=pv, rating_event_id=on-the-boundary, user_id=1, product_id=7,"
                + " seconds_between=900");
    PAssert.that(out.get(JoinPageviewsWithRatings.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void joinsEventsAtTheirArrivalAndStampsAPairNoEarlierThanTheEventThatCompletedIt(
      TestPipeline pipeline) {
    // Each arrives 9 minutes after its event time, within the 10 minutes of allowed lateness.
    TestStream<Row> stream =
        events()
            .addElements(pv(view("pv", 1, "/product/7", T0), at(9, 0)))
            .addElements(rt(rating("rating", 1L, 7L, at(3, 0)), at(12, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(
            out.get(JoinPageviewsWithRatings.PAIRS)
                .apply("Stamps", ParDo.of(new PairWithTimestampFn())))
        .containsInAnyOrder("rating/pv at " + at(12, 0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aRatingPairsOnlyWithViewsOfTheRatedProductsPage(TestPipeline pipeline) {
    TestStream<Row> stream =
        events()
            .addElements(
                pv(view("product-7", 1, "/product/7", T0)),
                pv(view("product-70", 1, "/product/70", T0)),
                pv(view("home", 1, "/", T0)),
                pv(view("search", 1, "/search?q=7", T0)))
            .addElements(rt(rating("of-7", 1L, 7L, at(2, 0))), rt(rating("of-8", 1L, 8L, at(2, 0))))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(
            fields(out.get(JoinPageviewsWithRatings.PAIRS), "pageview_event_id", "rating_event_id"))
        .containsInAnyOrder("pageview_event_id=product-7, rating_event_id=of-7");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void pairsOnceWhicheverSideArrivesFirst(TestPipeline pipeline) {
    // the rating arrives before its pageview, the second rating after it; the pageview repeats
    TestStream<Row> stream =
        events()
            .addElements(rt(rating("r1", 1L, 7L, at(5, 0))))
            .addElements(pv(view("pv", 1, "/product/7", at(1, 0))))
            .addElements(pv(view("pv", 1, "/product/7", at(1, 0))))
            .addElements(rt(rating("r2", 1L, 7L, at(6, 0))))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(
            fields(
                out.get(JoinPageviewsWithRatings.PAIRS),
                "pageview_event_id",
                "rating_event_id",
                "seconds_between"))
        .containsInAnyOrder(
            "pageview_event_id=pv, rating_event_id=r1, seconds_between=240",
            "pageview_event_id=pv, rating_event_id=r2, seconds_between=300");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void forgetsAPageviewOnceNoRatingCanStillJoinItInTime(TestPipeline pipeline) {
    // 10:00 + 15 min window + 10 min lateness: the pageview is dropped when the watermark passes
    // 10:25, so a rating of 10:14 arriving at 10:26 is beyond the allowed lateness, unpaired and
    // counted; a rating of 10:14 arriving in time pairs.
    TestStream<Row> stream =
        events()
            .addElements(pv(view("pv", 1, "/product/7", T0)))
            .advanceWatermarkTo(at(24, 0))
            .addElements(rt(rating("in-time", 1L, 7L, at(14, 0))))
            .advanceWatermarkTo(at(26, 0))
            .addElements(rt(rating("too-late", 1L, 7L, at(14, 0))))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(
            fields(out.get(JoinPageviewsWithRatings.PAIRS), "pageview_event_id", "rating_event_id"))
        .containsInAnyOrder("pageview_event_id=pv, rating_event_id=in-time");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1L, streamCounter(result, "join_arrived_too_late"));
  }

  @Test
  void aRatingWithoutProductIsDeadLetteredAndAPageviewOfNoProductIsLeftOut(TestPipeline pipeline) {
    TestStream<Row> stream =
        events()
            .addElements(pv(view("home", 1, "/", T0)))
            .addElements(rt(rating("no-product", 1L, null, at(1, 0))))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(reasons(out.get(JoinPageviewsWithRatings.DEAD_LETTERS)))
        .containsInAnyOrder(
            "ratings no-product missing_key: Cannot join ratings with pageviews without"
                + " product_id");
    PAssert.that(out.get(JoinPageviewsWithRatings.PAIRS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aRatingWithoutUserIsDeadLetteredWithItsReason(TestPipeline pipeline) {
    TestStream<Row> stream =
        events().addElements(rt(rating("anon", null, 7L, T0))).advanceWatermarkToInfinity();

    PCollectionTuple out = join(pipeline, stream);

    PAssert.that(reasons(out.get(JoinPageviewsWithRatings.DEAD_LETTERS)))
        .containsInAnyOrder(
            "ratings anon missing_key: Cannot join ratings with pageviews without user_id");
    PAssert.that(out.get(JoinPageviewsWithRatings.PAIRS)).empty();
    pipeline.run().waitUntilFinish();
  }

  private static PCollection<String> reasons(PCollection<DeadLetter> deadLetters) {
    return deadLetters.apply(
        MapElements.into(TypeDescriptors.strings())
            .via(
                d ->
                    d.getSource()
                        + " "
                        + d.getRecordKey()
                        + " "
                        + d.getError()
                        + ": "
                        + d.getReason()));
  }

  private static class PairWithTimestampFn extends DoFn<Row, String> {
    @ProcessElement
    public void process(@Element Row pair, @Timestamp Instant at, OutputReceiver<String> out) {
      out.output(
          pair.getString("rating_event_id")
              + "/"
              + pair.getString("pageview_event_id")
              + " at "
              + at);
    }
  }

  @Test
  void keepsAnEventCompactlyAndGivesBackItsIdAndUrlAsTheyWere() throws Exception {
    String uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    List<JoinPageviewsWithRatings.Side> sides =
        List.of(
            JoinPageviewsWithRatings.Side.of(false, 7, uuid, 1_000, "/product/7", null),
            JoinPageviewsWithRatings.Side.of(false, 7, "pv-1", 1_000, "/product/007", null),
            JoinPageviewsWithRatings.Side.of(true, 7, uuid, 2_000, null, 4));

    List<JoinPageviewsWithRatings.Side> decoded =
        org.apache.beam.sdk.util.CoderUtils.clone(
            org.apache.beam.sdk.coders.ListCoder.of(JoinPageviewsWithRatings.Side.coder()), sides);

    assertEquals(sides, decoded);
    assertEquals(uuid, sides.get(0).eventId());
    assertEquals(null, sides.get(0).idText());
    assertEquals("/product/7", sides.get(0).url());
    assertEquals(null, sides.get(0).otherUrl());
    assertEquals("pv-1", sides.get(1).eventId());
    assertEquals("/product/007", sides.get(1).url());
    assertEquals(null, sides.get(2).url());
    assertEquals(false, sides.get(0).isSameEvent(sides.get(2)));
    assertEquals(
        true,
        sides.get(0).isSameEvent(JoinPageviewsWithRatings.Side.of(false, 7, uuid, 9, null, null)));
  }
}
