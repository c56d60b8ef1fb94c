package dev.fakelake.transforms.enrich;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.KeyState;
import dev.fakelake.transforms.clean.EventIds;
import dev.fakelake.transforms.generate.RecordFactory;
import dev.fakelake.transforms.io.JsonRecords;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
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
import org.joda.time.ReadableDateTime;

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
 * <p>A stateful step keyed by user id keeps both sides of the join in state, in the global window,
 * and an event-time timer drops a pageview once the watermark is past its time + join window +
 * allowed lateness (no rating that could pair with it can still arrive in time) and a rating once
 * the watermark is past its time + allowed lateness, so state stays bounded by one user's product
 * views and ratings in the last join window plus lateness. Keyed by user rather than by user and
 * product: a user views many products, and each key costs the runner a state entry and a timer of
 * several hundred bytes, more than the events it would hold. Both sides and the time of the timer's
 * last firing share one state cell per user, kept the allowed lateness past its last event's
 * expiry. An event that would have expired by that firing arrived too late: it joins with whatever
 * is still kept, is not kept itself, and is counted in {@code stream:join_arrived_too_late}. The
 * step judges lateness only by its own timer's firings, never by a watermark reading while it
 * processes an event.
 */
public final class JoinPageviewsWithRatings extends PTransform<PCollectionTuple, PCollectionTuple> {

  public static final TupleTag<Row> PAGEVIEWS = new TupleTag<Row>("pageviews") {};
  public static final TupleTag<Row> RATINGS = new TupleTag<Row>("ratings") {};
  public static final TupleTag<Row> PAIRS = new TupleTag<Row>("pairs") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>("dead") {};

  /**
   * What the join keeps of an event: only what a pair needs, the user being the key, in about 60
   * bytes. A record rather than a row, since the join reads these fields for every event its user
   * has kept and a row looks up each field by name; and without strings where it can: an id in the
   * canonical UUID form is kept as its bits ({@code idText} holds any other), and the url of a
   * pageview only when it is not the product's page as {@link RecordFactory#productPage} writes it.
   * At 20,000 events/s the join keeps about 10,000 product pageviews a second for 25 minutes.
   */
  record Side(
      boolean isRating,
      long productId,
      long idHigh,
      long idLow,
      @Nullable String idText,
      long eventTimeMs,
      @Nullable String otherUrl,
      @Nullable Integer stars) {

    static Side of(
        boolean isRating,
        long productId,
        String eventId,
        long eventTimeMs,
        @Nullable String url,
        @Nullable Integer stars) {
      boolean uuid = EventIds.isCanonicalUuid(eventId);
      return new Side(
          isRating,
          productId,
          uuid ? EventIds.high(eventId) : 0,
          uuid ? EventIds.low(eventId) : 0,
          uuid ? null : eventId,
          eventTimeMs,
          url == null || url.equals(RecordFactory.productPage(productId)) ? null : url,
          stars);
    }

    String eventId() {
      return idText != null ? idText : EventIds.of(idHigh, idLow);
    }

    /** The pageview's url: null for a rating. */
    @Nullable String url() {
      return isRating ? null : otherUrl != null ? otherUrl : RecordFactory.productPage(productId);
    }

    /** Whether it is the same event as {@code other}, a copy of it. */
    boolean isSameEvent(Side other) {
      return isRating == other.isRating
          && idHigh == other.idHigh
          && idLow == other.idLow
          && java.util.Objects.equals(idText, other.idText);
    }

    Instant eventTime() {
      return new Instant(eventTimeMs);
    }

    /** The coder of a kept event, for the shuffle to the join and its state. */
    static Coder<Side> coder() {
      return SideCoder.INSTANCE;
    }
  }

  private static final class SideCoder extends CustomCoder<Side> {
    private static final SideCoder INSTANCE = new SideCoder();
    private static final Coder<Boolean> FLAG = BooleanCoder.of();
    private static final Coder<Long> LONG = VarLongCoder.of();
    private static final Coder<Long> BITS = BigEndianLongCoder.of();
    private static final Coder<String> TEXT = NullableCoder.of(StringUtf8Coder.of());
    private static final Coder<Integer> STARS = NullableCoder.of(VarIntCoder.of());

    @Override
    public void encode(Side side, OutputStream out) throws IOException {
      FLAG.encode(side.isRating(), out);
      LONG.encode(side.productId(), out);
      TEXT.encode(side.idText(), out);
      if (side.idText() == null) {
        BITS.encode(side.idHigh(), out);
        BITS.encode(side.idLow(), out);
      }
      LONG.encode(side.eventTimeMs(), out);
      TEXT.encode(side.otherUrl(), out);
      STARS.encode(side.stars(), out);
    }

    @Override
    public Side decode(InputStream in) throws IOException {
      boolean isRating = FLAG.decode(in);
      long productId = LONG.decode(in);
      String idText = TEXT.decode(in);
      long idHigh = idText == null ? BITS.decode(in) : 0;
      long idLow = idText == null ? BITS.decode(in) : 0;
      return new Side(
          isRating,
          productId,
          idHigh,
          idLow,
          idText,
          LONG.decode(in),
          TEXT.decode(in),
          STARS.decode(in));
    }
  }

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
        input.get(PAGEVIEWS).apply("KeyPageviewsByUser", keyByUser("pageviews", false));
    PCollectionTuple ratings =
        input.get(RATINGS).apply("KeyRatingsByUser", keyByUser("ratings", true));
    KvCoder<Long, Side> sideCoder = KvCoder.of(VarLongCoder.of(), Side.coder());
    PCollection<KV<Long, Side>> sides =
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

  private static final TupleTag<KV<Long, Side>> KEYED = new TupleTag<KV<Long, Side>>() {};
  private static final TupleTag<DeadLetter> UNKEYED = new TupleTag<DeadLetter>() {};

  private ParDo.MultiOutput<Row, KV<Long, Side>> keyByUser(String source, boolean isRating) {
    return ParDo.of(new KeyByUserFn(source, isRating, batchId))
        .withOutputTags(KEYED, TupleTagList.of(UNKEYED));
  }

  /**
   * A side of the join keyed by user id, nothing for a pageview of a page other than a product's,
   * or a dead letter when it lacks what the join needs.
   */
  private static final class KeyByUserFn extends DoFn<Row, KV<Long, Side>> {

    private final String source;
    private final boolean isRating;
    private final String batchId;
    private final Counter unjoinable;
    // Turns a row back into its JSON for the dead letter's payload.
    private final SerializableFunction<Row, String> json = JsonRecords.rowFormatter();

    KeyByUserFn(String source, boolean isRating, String batchId) {
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
      @Nullable ReadableDateTime eventTime = row.getDateTime("event_time");
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
                  userId,
                  Side.of(
                      isRating,
                      productId,
                      eventId,
                      eventTime.getMillis(),
                      isRating ? null : row.getString("url"),
                      isRating ? row.getInt32("stars") : null)));
    }
  }

  /** Pairs each arriving event with the kept events of the other side; forgets expired ones. */
  static final class JoinFn extends DoFn<KV<Long, Side>, Row> {

    private final Duration joinWindow;
    private final Duration allowedLateness;
    private final Counter pairsOut = Metrics.counter("stream", "join_pairs");
    private final Counter duplicates = Metrics.counter("stream", "join_duplicates_ignored");
    private final Counter tooLate = Metrics.counter("stream", "join_arrived_too_late");

    /**
     * Everything the user keeps, in one state cell: one read and one write per event, where a bag
     * per side and the timer's time and the expiry in cells of their own took five state accesses.
     */
    @StateId("kept")
    private final StateSpec<ValueState<KeyState<Side>>> keptSpec =
        StateSpecs.value(KeyState.coder(Side.coder()));

    /** Set for the earliest expiry of the kept events, or earlier. */
    @TimerId("expire")
    private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    JoinFn(Duration joinWindow, Duration allowedLateness) {
      this.joinWindow = joinWindow;
      this.allowedLateness = allowedLateness;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, Side> element,
        @Timestamp Instant timestamp,
        @StateId("kept") ValueState<KeyState<Side>> state,
        @TimerId("expire") Timer expire,
        OutputReceiver<Row> out) {
      Side event = element.getValue();
      KeyState<Side> kept = KeyState.orNone(state.read());
      long earliestExpiry = Long.MAX_VALUE;
      for (Side other : kept.kept()) {
        if (other.isSameEvent(event)) {
          // Already joined when it first arrived; a second pass would repeat its pairs.
          duplicates.inc();
          return;
        }
        earliestExpiry = Math.min(earliestExpiry, expiryMs(other));
      }
      for (Side other : kept.kept()) {
        if (other.isRating() == event.isRating() || other.productId() != event.productId()) {
          continue;
        }
        Side pageview = event.isRating() ? other : event;
        Side rating = event.isRating() ? event : other;
        long gapMs = rating.eventTimeMs() - pageview.eventTimeMs();
        if (gapMs >= 0 && gapMs <= joinWindow.getMillis()) {
          pairsOut.inc();
          Instant at = rating.eventTime().isBefore(timestamp) ? timestamp : rating.eventTime();
          out.outputWithTimestamp(pair(element.getKey(), pageview, rating), at);
        }
      }
      long expiry = expiryMs(event);
      // The expiry applied by the user's last firing: an event expiring no later arrived too late.
      if (expiry <= kept.lastFiredMs()) {
        // Its partners may already be forgotten; keeping it would only hold state for nothing.
        tooLate.inc();
        return;
      }
      // A new list: the one read may still be in a checkpoint being written.
      List<Side> events = new ArrayList<>(kept.kept().size() + 1);
      events.addAll(kept.kept());
      events.add(event);
      state.write(kept.keeping(events));
      if (expiry < earliestExpiry) {
        expire.set(new Instant(expiry));
      }
    }

    @OnTimer("expire")
    public void onExpire(
        @Timestamp Instant now,
        @StateId("kept") ValueState<KeyState<Side>> state,
        @TimerId("expire") Timer expire) {
      KeyState<Side> kept = KeyState.orNone(state.read());
      if (kept.kept().isEmpty()) {
        // Its last events expired the allowed lateness ago: forget the user.
        state.clear();
        return;
      }
      List<Side> keep = new ArrayList<>();
      long next = Long.MAX_VALUE;
      for (Side event : kept.kept()) {
        long expiry = expiryMs(event);
        if (expiry > now.getMillis()) {
          keep.add(event);
          next = Math.min(next, expiry);
        }
      }
      state.write(kept.firedAt(now, keep));
      // With nothing left, the expiry applied is kept the allowed lateness longer, to tell an
      // event that arrived too late.
      expire.set(
          next != Long.MAX_VALUE
              ? new Instant(next)
              : now.plus(allowedLateness).plus(Duration.millis(1)));
    }

    /**
     * When the watermark has passed the last moment a partner could still arrive in time: a rating
     * up to the join window after a pageview, either of them up to the allowed lateness behind it.
     */
    private long expiryMs(Side event) {
      long keepMs =
          event.isRating()
              ? allowedLateness.getMillis()
              : joinWindow.getMillis() + allowedLateness.getMillis();
      return event.eventTimeMs() + keepMs + 1;
    }

    private static Row pair(long userId, Side pageview, Side rating) {
      // By position, in the table's column order, of the types a row keeps: naming each field
      // parses its name, and checking each value costs as much again.
      return Row.withSchema(WarehouseTable.SILVER_PAGEVIEW_RATINGS.schema())
          .attachValues(
              rating.eventId(),
              pageview.eventId(),
              userId,
              rating.productId(),
              rating.stars(),
              pageview.url(),
              pageview.eventTime(),
              rating.eventTime(),
              (rating.eventTimeMs() - pageview.eventTimeMs()) / 1000);
    }
  }
}
