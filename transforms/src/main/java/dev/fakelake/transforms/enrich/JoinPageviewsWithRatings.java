package dev.fakelake.transforms.enrich;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.KeyState;
import dev.fakelake.transforms.generate.RecordFactory;
import dev.fakelake.transforms.io.JsonRecords;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Pairs each rating with each pageview of the rated product's page that its user made at most the
 * join window before it ({@code silver.pageview_ratings}), in a stream where either side may arrive
 * first: every pair is output exactly once, when its second half arrives, as long as both arrive
 * within the allowed lateness.
 *
 * <p>Input: a tuple of {@link #PAGEVIEWS} ({@code silver.pageviews_enriched} rows) and {@link
 * #RATINGS} (rows of {@code Bronze.fields(Entity.RATINGS)}), each timestamped no earlier than its
 * event time and at most the allowed lateness after it: stream-ingest keeps their arrival time,
 * which the watermark follows, while the join reads the event time from the row. Output: {@link
 * #PAIRS}, timestamped with the rating's time or, if later, that of the event that completed the
 * pair, and {@link #DEAD_LETTERS}: ratings without an event id, user id, product id or event time,
 * and pageviews without an event id, user id or event time, which cannot be joined. A pageview of
 * any page other than a product's ({@link RecordFactory#productPage}) has no rating to pair with
 * and is left out of the join.
 *
 * <p>A stateful step keyed by user id and product id keeps both sides of the join in state, in the
 * global window, and an event-time timer drops a pageview once the watermark is past its time +
 * join window + allowed lateness (no rating that could pair with it can still arrive in time) and a
 * rating once the watermark is past its time + allowed lateness, so state stays bounded by one
 * user's views and ratings of one product in the last join window plus lateness. Both sides and the
 * time of the timer's last firing share one state cell per key, kept the allowed lateness past its
 * last event's expiry. An event that would have expired by that firing arrived too late: it joins
 * with whatever is still kept, is not kept itself, and is counted in {@code
 * stream:join_arrived_too_late}. The step judges lateness only by its own timer's firings, never by
 * a watermark reading while it processes an event.
 */
public final class JoinPageviewsWithRatings extends PTransform<PCollectionTuple, PCollectionTuple> {

  public static final TupleTag<Row> PAGEVIEWS = new TupleTag<Row>("pageviews") {};
  public static final TupleTag<Row> RATINGS = new TupleTag<Row>("ratings") {};
  public static final TupleTag<Row> PAIRS = new TupleTag<Row>("pairs") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>("dead") {};

  /**
   * What a side of the join keeps in state: only the fields a pair needs (the user and the product
   * are the key).
   */
  static final Schema SIDE =
      Schema.builder()
          .addBooleanField("is_rating")
          .addStringField("event_id")
          .addDateTimeField("event_time")
          .addNullableField("url", FieldType.STRING)
          .addNullableField("stars", FieldType.INT32)
          .build();

  private final Duration joinWindow;
  private final Duration allowedLateness;
  private final String batchId;

  private JoinPageviewsWithRatings(Duration joinWindow, Duration allowedLateness, String batchId) {
    this.joinWindow = joinWindow;
    this.allowedLateness = allowedLateness;
    this.batchId = batchId;
  }

  /** A 15-minute join window, 10 minutes of allowed lateness. */
  public static JoinPageviewsWithRatings of() {
    return new JoinPageviewsWithRatings(
        Duration.standardMinutes(15), Duration.standardMinutes(10), "stream-ingest");
  }

  /** The longest time from a pageview to a rating that still pairs them (inclusive). */
  public JoinPageviewsWithRatings withJoinWindow(Duration joinWindow) {
    return new JoinPageviewsWithRatings(joinWindow, allowedLateness, batchId);
  }

  public JoinPageviewsWithRatings withAllowedLateness(Duration allowedLateness) {
    return new JoinPageviewsWithRatings(joinWindow, allowedLateness, batchId);
  }

  /** The batch id the dead letters carry (stream-ingest's run id). */
  public JoinPageviewsWithRatings withBatchId(String batchId) {
    return new JoinPageviewsWithRatings(joinWindow, allowedLateness, batchId);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    PCollectionTuple pageviews =
        input
            .get(PAGEVIEWS)
            .apply("KeyPageviewsByUserAndProduct", keyByUserAndProduct("pageviews", false));
    PCollectionTuple ratings =
        input
            .get(RATINGS)
            .apply("KeyRatingsByUserAndProduct", keyByUserAndProduct("ratings", true));
    KvCoder<KV<Long, Long>, Row> sideCoder =
        KvCoder.of(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()), RowCoder.of(SIDE));
    PCollection<KV<KV<Long, Long>, Row>> sides =
        PCollectionList.of(pageviews.get(KEYED).setCoder(sideCoder))
            .and(ratings.get(KEYED).setCoder(sideCoder))
            .apply("FlattenSides", Flatten.pCollections())
            // The join's state lives across windows; its timers decide what is forgotten.
            .apply("IntoGlobalWindow", Window.into(new GlobalWindows()));
    PCollection<Row> pairs =
        sides
            .apply("PairWithinJoinWindow", ParDo.of(new JoinFn(joinWindow, allowedLateness)))
            .setRowSchema(WarehouseTable.SILVER_PAGEVIEW_RATINGS.schema());
    PCollection<DeadLetter> dead =
        PCollectionList.of(pageviews.get(UNKEYED))
            .and(ratings.get(UNKEYED))
            .apply("FlattenUnjoinable", Flatten.pCollections());
    return PCollectionTuple.of(PAIRS, pairs).and(DEAD_LETTERS, dead);
  }

  private static final TupleTag<KV<KV<Long, Long>, Row>> KEYED =
      new TupleTag<KV<KV<Long, Long>, Row>>() {};
  private static final TupleTag<DeadLetter> UNKEYED = new TupleTag<DeadLetter>() {};

  private ParDo.MultiOutput<Row, KV<KV<Long, Long>, Row>> keyByUserAndProduct(
      String source, boolean isRating) {
    return ParDo.of(new KeyByUserAndProductFn(source, isRating, batchId))
        .withOutputTags(KEYED, TupleTagList.of(UNKEYED));
  }

  /**
   * A side of the join keyed by user id and product id, nothing for a pageview of another page, or
   * a dead letter when it lacks what the join needs.
   */
  private static final class KeyByUserAndProductFn extends DoFn<Row, KV<KV<Long, Long>, Row>> {

    private final String source;
    private final boolean isRating;
    private final String batchId;
    private final Counter unjoinable;
    // Turns a row back into its JSON for the dead letter's payload.
    private final SerializableFunction<Row, String> json = JsonRecords.rowFormatter();

    KeyByUserAndProductFn(String source, boolean isRating, String batchId) {
      this.source = source;
      this.isRating = isRating;
      this.batchId = batchId;
      this.unjoinable = Metrics.counter("stream", "join_" + source + "_unjoinable");
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      String eventId = row.getString("event_id");
      Long userId = row.getInt64("user_id");
      Long productId =
          isRating ? row.getInt64("product_id") : RecordFactory.productOfPage(row.getString("url"));
      @Nullable Object eventTime = row.getDateTime("event_time");
      List<String> missing = new ArrayList<>();
      if (eventId == null) {
        missing.add("event_id");
      }
      if (userId == null) {
        missing.add("user_id");
      }
      if (isRating && productId == null) {
        missing.add("product_id");
      }
      if (eventTime == null) {
        missing.add("event_time");
      }
      if (!missing.isEmpty()) {
        unjoinable.inc();
        out.get(UNKEYED)
            .output(
                DeadLetter.builder()
                    .setSource(source)
                    .setLocation("stream")
                    .setRecord("JoinPageviewsWithRatings")
                    .setRecordKey(eventId)
                    .setError(DeadLetter.Error.MISSING_KEY.code())
                    .setReason(
                        "Cannot join "
                            + source
                            + " with "
                            + (isRating ? "pageviews" : "ratings")
                            + " without "
                            + String.join(", ", missing))
                    .setPayload(json.apply(row))
                    .setBatchId(batchId)
                    .setFailedAt(Instant.now())
                    .build());
        return;
      }
      if (productId == null) {
        // Not a product's page: no rating pairs with it.
        return;
      }
      out.get(KEYED)
          .output(
              KV.of(
                  KV.of(userId, productId),
                  // By position, in SIDE's order, of the types a row keeps: naming each field
                  // parses its name, and checking each value costs as much again.
                  Row.withSchema(SIDE)
                      .attachValues(
                          isRating,
                          eventId,
                          row.getDateTime("event_time").toInstant(),
                          isRating ? null : row.getString("url"),
                          isRating ? row.getInt32("stars") : null)));
    }
  }

  /** Pairs each arriving event with the kept events of the other side; forgets expired ones. */
  static final class JoinFn extends DoFn<KV<KV<Long, Long>, Row>, Row> {

    private final Duration joinWindow;
    private final Duration allowedLateness;
    private final Counter pairsOut = Metrics.counter("stream", "join_pairs");
    private final Counter duplicates = Metrics.counter("stream", "join_duplicates_ignored");
    private final Counter tooLate = Metrics.counter("stream", "join_arrived_too_late");

    /**
     * Everything the key keeps, in one state cell: one read and one write per event, where a bag
     * per side and the timer's time and the expiry in cells of their own took five state accesses.
     */
    @StateId("kept")
    private final StateSpec<ValueState<KeyState<Row>>> keptSpec =
        StateSpecs.value(KeyState.coder(RowCoder.of(SIDE)));

    /** Set for the earliest expiry of the kept events, or earlier. */
    @TimerId("expire")
    private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    JoinFn(Duration joinWindow, Duration allowedLateness) {
      this.joinWindow = joinWindow;
      this.allowedLateness = allowedLateness;
    }

    @ProcessElement
    public void process(
        @Element KV<KV<Long, Long>, Row> element,
        @Timestamp Instant timestamp,
        @StateId("kept") ValueState<KeyState<Row>> state,
        @TimerId("expire") Timer expire,
        OutputReceiver<Row> out) {
      Row event = element.getValue();
      boolean isRating = event.getBoolean("is_rating");
      String eventId = event.getString("event_id");
      KeyState<Row> kept = KeyState.orNone(state.read());
      Instant earliestExpiry = null;
      for (Row other : kept.kept()) {
        if (other.getBoolean("is_rating") == isRating
            && other.getString("event_id").equals(eventId)) {
          // Already joined when it first arrived; a second pass would repeat its pairs.
          duplicates.inc();
          return;
        }
        Instant expiry = expiry(other);
        earliestExpiry =
            earliestExpiry == null || expiry.isBefore(earliestExpiry) ? expiry : earliestExpiry;
      }
      // Everything kept under this key is the same user and product: only the times decide.
      for (Row other : kept.kept()) {
        if (other.getBoolean("is_rating") == isRating) {
          continue;
        }
        Row pageview = isRating ? other : event;
        Row rating = isRating ? event : other;
        Instant pageviewTime = time(pageview);
        Instant ratingTime = time(rating);
        long gapMs = ratingTime.getMillis() - pageviewTime.getMillis();
        if (gapMs >= 0 && gapMs <= joinWindow.getMillis()) {
          pairsOut.inc();
          Instant at = ratingTime.isBefore(timestamp) ? timestamp : ratingTime;
          out.outputWithTimestamp(pair(element.getKey(), pageview, rating), at);
        }
      }
      Instant expiry = expiry(event);
      // The expiry applied by the key's last firing: an event expiring no later arrived too late.
      if (!expiry.isAfter(kept.lastFired())) {
        // Its partners may already be forgotten; keeping it would only hold state for nothing.
        tooLate.inc();
        return;
      }
      // A new list: the one read may still be in a checkpoint being written.
      List<Row> events = new ArrayList<>(kept.kept());
      events.add(event);
      state.write(kept.keeping(events));
      if (earliestExpiry == null || expiry.isBefore(earliestExpiry)) {
        expire.set(expiry);
      }
    }

    @OnTimer("expire")
    public void onExpire(
        @Timestamp Instant now,
        @StateId("kept") ValueState<KeyState<Row>> state,
        @TimerId("expire") Timer expire) {
      KeyState<Row> kept = KeyState.orNone(state.read());
      if (kept.kept().isEmpty()) {
        // Its last events expired the allowed lateness ago: forget the key.
        state.clear();
        return;
      }
      List<Row> keep = new ArrayList<>();
      Instant next = null;
      for (Row event : kept.kept()) {
        Instant expiry = expiry(event);
        if (expiry.isAfter(now)) {
          keep.add(event);
          next = next == null || expiry.isBefore(next) ? expiry : next;
        }
      }
      state.write(kept.firedAt(now, keep));
      // With nothing left, the expiry applied is kept the allowed lateness longer, to tell an
      // event that arrived too late.
      expire.set(next != null ? next : now.plus(allowedLateness).plus(Duration.millis(1)));
    }

    /**
     * When the watermark has passed the last moment a partner could still arrive in time: a rating
     * up to the join window after a pageview, either of them up to the allowed lateness behind it.
     */
    private Instant expiry(Row event) {
      Duration keep =
          event.getBoolean("is_rating") ? allowedLateness : joinWindow.plus(allowedLateness);
      return time(event).plus(keep).plus(Duration.millis(1));
    }

    private static Instant time(Row event) {
      return event.getDateTime("event_time").toInstant();
    }

    private static Row pair(KV<Long, Long> userAndProduct, Row pageview, Row rating) {
      Instant pageviewTime = time(pageview);
      Instant ratingTime = time(rating);
      // By position, in the table's column order, of the types a row keeps (see above).
      return Row.withSchema(WarehouseTable.SILVER_PAGEVIEW_RATINGS.schema())
          .attachValues(
              rating.getString("event_id"),
              pageview.getString("event_id"),
              userAndProduct.getKey(),
              userAndProduct.getValue(),
              rating.getInt32("stars"),
              pageview.getString("url"),
              pageviewTime,
              ratingTime,
              (ratingTime.getMillis() - pageviewTime.getMillis()) / 1000);
    }
  }
}
