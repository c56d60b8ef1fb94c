package dev.fakelake.transforms.aggregate;

import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.SerializableSupplier;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Each user's sessions ({@code gold.sessions}): runs of pageviews at most the gap apart in event
 * time. A session's first row is output when the watermark passes its end (its last pageview + the
 * gap), with {@code pane_timing} ON_TIME (LATE if its end had already passed when its first
 * pageview arrived, see below); each time a late pageview within the allowed lateness changes it
 * (merged with any sessions that pageview bridged), it is output again, whole, with LATE: the
 * newest row of a session is the current one.
 *
 * <p>Input: {@code silver.pageviews_enriched} rows, each timestamped no earlier than its event time
 * and at most the allowed lateness after it: stream-ingest keeps their arrival time, which the
 * watermark follows, while the sessions read the event time from the row.
 *
 * <p>A stateful step keyed by user keeps the user's open sessions, in the global window, instead of
 * Beam's merging session windows: those keep a window set, a trigger, a watermark hold and a
 * garbage-collection timer per pageview, and on Flink were a quarter of the stream's CPU. Here a
 * pageview costs one read and one write of its user's state; one event-time timer per user, set for
 * the earliest moment a session closes or is forgotten, fires the output.
 *
 * <p>What the step knows of the watermark is what its timer has fired for: the time of the user's
 * last firing, which the watermark has passed. A pageview changing a session that ended before that
 * time is output LATE at once; one whose own session would have been forgotten by then (its end
 * plus the allowed lateness) is dropped and counted in {@code stream:session_pageviews_too_late}.
 * Any other pageview is kept, even if the watermark is in fact further on: the step never drops a
 * pageview on a watermark reading it has no timer firing for. stream-ingest dead-letters events
 * later than the allowed lateness before they get here.
 */
public final class BuildSessions extends PTransform<PCollection<Row>, PCollection<Row>> {

  private final Duration gap;
  private final Duration allowedLateness;
  private final SerializableSupplier<Instant> clock;

  private BuildSessions(
      Duration gap, Duration allowedLateness, SerializableSupplier<Instant> clock) {
    this.gap = gap;
    this.allowedLateness = allowedLateness;
    this.clock = clock;
  }

  /** A 30-minute gap, 10 minutes of allowed lateness. */
  public static BuildSessions of() {
    return new BuildSessions(
        Duration.standardMinutes(30), Duration.standardMinutes(10), Instant::now);
  }

  /** The longest pause between two pageviews of one session. */
  public BuildSessions withGap(Duration gap) {
    return new BuildSessions(gap, allowedLateness, clock);
  }

  public BuildSessions withAllowedLateness(Duration allowedLateness) {
    return new BuildSessions(gap, allowedLateness, clock);
  }

  /** The processing-time clock that stamps emitted_at; tests fix it. */
  public BuildSessions withClock(SerializableSupplier<Instant> clock) {
    return new BuildSessions(gap, allowedLateness, clock);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> pageviews) {
    return pageviews
        // Only what a session keeps travels to the stateful step: the time and the page.
        .apply(
            "KeyTimeAndPageByUser",
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.longs(),
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.strings())))
                .via(
                    (Row pageview) ->
                        KV.of(
                            pageview.getInt64("user_id"),
                            KV.of(
                                pageview.getDateTime("event_time").getMillis(),
                                pageview.getString("url")))))
        .setCoder(
            KvCoder.of(
                VarLongCoder.of(),
                KvCoder.of(VarLongCoder.of(), NullableCoder.of(StringUtf8Coder.of()))))
        // A user's sessions live across windows; the timer decides when they close.
        .apply("IntoGlobalWindow", Window.into(new GlobalWindows()))
        .apply("SummarizeSessions", ParDo.of(new SessionsFn(gap, allowedLateness, clock)))
        .setRowSchema(WarehouseTable.GOLD_SESSIONS.schema());
  }

  /** What a session keeps while it is open: enough for the row, not the pageviews. */
  static final class Summary {
    long pageviews;
    long firstMs = Long.MAX_VALUE;
    @Nullable String firstUrl;
    long lastMs = Long.MIN_VALUE;
    @Nullable String lastUrl;

    /**
     * A 64-bit fingerprint of each distinct url, sorted: what counts the session's distinct pages.
     * Two urls of one session share a fingerprint with a chance of about one in 10^13 at a thousand
     * pages; strings in a hash set cost about 100 bytes a page, and a stream's sessions hold
     * hundreds of thousands of them.
     */
    long[] pages = new long[0];

    /** Whether a row of it was output already: any next row is LATE. */
    boolean output;

    /** Whether it has pageviews that no row of it counts yet. */
    boolean changed;

    void add(long timeMs, @Nullable String url) {
      pageviews++;
      changed = true;
      if (url != null) {
        addPage(fingerprint(url));
      }
      extend(timeMs, url);
    }

    private void extend(long timeMs, @Nullable String url) {
      if (timeMs < firstMs) {
        firstMs = timeMs;
        firstUrl = url;
      }
      // Of pageviews at the same instant the later one counts as the exit, as the log lists it.
      if (timeMs >= lastMs) {
        lastMs = timeMs;
        lastUrl = url;
      }
    }

    void merge(Summary other) {
      extend(other.firstMs, other.firstUrl);
      extend(other.lastMs, other.lastUrl);
      pageviews += other.pageviews;
      pages = union(pages, other.pages);
      output |= other.output;
      changed |= other.changed;
    }

    private void addPage(long page) {
      int at = Arrays.binarySearch(pages, page);
      if (at < 0) {
        int insertAt = -at - 1;
        long[] more = new long[pages.length + 1];
        System.arraycopy(pages, 0, more, 0, insertAt);
        more[insertAt] = page;
        System.arraycopy(pages, insertAt, more, insertAt + 1, pages.length - insertAt);
        pages = more;
      }
    }

    /**
     * The sorted fingerprints of both, each once, in one pass. Arrays are never changed once made,
     * so either may be returned as it is: a pageview merges the session it extends into a new one.
     */
    private static long[] union(long[] some, long[] more) {
      if (some.length == 0) {
        return more;
      }
      if (more.length == 0) {
        return some;
      }
      long[] both = new long[some.length + more.length];
      int i = 0;
      int j = 0;
      int n = 0;
      while (i < some.length || j < more.length) {
        long next;
        if (j == more.length || (i < some.length && some[i] <= more[j])) {
          next = some[i++];
        } else {
          next = more[j++];
        }
        if (n == 0 || both[n - 1] != next) {
          both[n++] = next;
        }
      }
      return n == both.length ? both : Arrays.copyOf(both, n);
    }

    /** FNV-1a over the url's characters, its bits then spread by MurmurHash3's finaliser. */
    static long fingerprint(String url) {
      long hash = 0xcbf29ce484222325L;
      for (int i = 0; i < url.length(); i++) {
        hash = (hash ^ url.charAt(i)) * 0x100000001b3L;
      }
      hash ^= hash >>> 33;
      hash *= 0xff51afd7ed558ccdL;
      hash ^= hash >>> 33;
      hash *= 0xc4ceb9fe1a85ec53L;
      return hash ^ (hash >>> 33);
    }

    /** A copy of it as it is once a row of it is output. */
    Summary asOutput() {
      Summary copy = new Summary();
      copy.merge(this);
      copy.output = true;
      copy.changed = false;
      return copy;
    }

    /** Whether a pageview at {@code timeMs} belongs to it: their gaps overlap. */
    boolean overlaps(long timeMs, Duration gap) {
      return timeMs < lastMs + gap.getMillis() && firstMs < timeMs + gap.getMillis();
    }

    /** The last instant of the session's window (Beam's {@code maxTimestamp}). */
    Instant end(Duration gap) {
      return new Instant(lastMs + gap.getMillis() - 1);
    }
  }

  /** Encodes a {@link Summary} field by field. */
  static final class SummaryCoder extends CustomCoder<Summary> {
    private static final Coder<Long> LONG = VarLongCoder.of();
    private static final Coder<String> URL = NullableCoder.of(StringUtf8Coder.of());
    private static final Coder<Integer> COUNT = VarIntCoder.of();
    private static final Coder<Long> PAGE = BigEndianLongCoder.of();
    private static final Coder<Boolean> FLAG = BooleanCoder.of();

    @Override
    public void encode(Summary summary, OutputStream out) throws IOException {
      LONG.encode(summary.pageviews, out);
      LONG.encode(summary.firstMs, out);
      URL.encode(summary.firstUrl, out);
      LONG.encode(summary.lastMs, out);
      URL.encode(summary.lastUrl, out);
      COUNT.encode(summary.pages.length, out);
      for (long page : summary.pages) {
        PAGE.encode(page, out);
      }
      FLAG.encode(summary.output, out);
      FLAG.encode(summary.changed, out);
    }

    @Override
    public Summary decode(InputStream in) throws IOException {
      Summary summary = new Summary();
      summary.pageviews = LONG.decode(in);
      summary.firstMs = LONG.decode(in);
      summary.firstUrl = URL.decode(in);
      summary.lastMs = LONG.decode(in);
      summary.lastUrl = URL.decode(in);
      summary.pages = new long[COUNT.decode(in)];
      for (int i = 0; i < summary.pages.length; i++) {
        summary.pages[i] = PAGE.decode(in);
      }
      summary.output = FLAG.decode(in);
      summary.changed = FLAG.decode(in);
      return summary;
    }
  }

  /**
   * Adds each pageview to its user's sessions, merging those it bridges; outputs a session when the
   * watermark passes its end and again when a late pageview changes it; forgets it once the
   * watermark is the allowed lateness past its end, and the user the allowed lateness after that.
   */
  static final class SessionsFn extends DoFn<KV<Long, KV<Long, String>>, Row> {

    private final Duration gap;
    private final Duration allowedLateness;
    private final SerializableSupplier<Instant> clock;
    private final Counter late = Metrics.counter("stream", "sessions_re_emitted_late");
    private final Counter tooLate = Metrics.counter("stream", "session_pageviews_too_late");

    /** The user's open sessions, and when the user's timer last fired. */
    @StateId("user")
    private final StateSpec<ValueState<KeyState<Summary>>> userSpec =
        StateSpecs.value(KeyState.coder(new SummaryCoder()));

    /** Set for the earliest deadline of the kept sessions, or earlier. */
    @TimerId("close")
    private final TimerSpec closeSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    SessionsFn(Duration gap, Duration allowedLateness, SerializableSupplier<Instant> clock) {
      this.gap = gap;
      this.allowedLateness = allowedLateness;
      this.clock = clock;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, KV<Long, String>> pageview,
        @Timestamp Instant arrival,
        @StateId("user") ValueState<KeyState<Summary>> state,
        @TimerId("close") Timer close,
        OutputReceiver<Row> out) {
      long timeMs = pageview.getValue().getKey();
      KeyState<Summary> user = KeyState.orNone(state.read());
      Instant firedAt = user.lastFired();
      if (new Instant(timeMs + gap.getMillis() - 1).plus(allowedLateness).isBefore(firedAt)) {
        tooLate.inc();
        return;
      }
      Summary session = new Summary();
      List<Summary> others = new ArrayList<>();
      // The timer is set no later than this, so a pageview only needs to move it earlier.
      Instant earliestDeadline = null;
      for (Summary other : user.kept()) {
        Instant otherDeadline = deadline(other);
        earliestDeadline =
            earliestDeadline == null || otherDeadline.isBefore(earliestDeadline)
                ? otherDeadline
                : earliestDeadline;
        if (other.overlaps(timeMs, gap)) {
          session.merge(other);
        } else {
          others.add(other);
        }
      }
      // Added after the sessions it joins: of pageviews at one instant, the later arrival is the
      // exit.
      session.add(timeMs, pageview.getValue().getValue());
      if (!session.end(gap).isAfter(firedAt)) {
        // A late pageview: the watermark has passed its session's end already.
        output(pageview.getKey(), session, PaneInfo.Timing.LATE, arrival, out);
        session = session.asOutput();
      }
      others.add(session);
      state.write(user.keeping(others));
      Instant deadline = deadline(session);
      if (earliestDeadline == null || deadline.isBefore(earliestDeadline)) {
        close.set(deadline);
      }
    }

    @OnTimer("close")
    public void onClose(
        @Key Long userId,
        @Timestamp Instant now,
        @StateId("user") ValueState<KeyState<Summary>> state,
        @TimerId("close") Timer close,
        OutputReceiver<Row> out) {
      KeyState<Summary> user = KeyState.orNone(state.read());
      if (user.kept().isEmpty()) {
        // The user's last sessions were forgotten the allowed lateness ago: forget the user.
        state.clear();
        return;
      }
      List<Summary> kept = new ArrayList<>();
      Instant next = null;
      for (Summary session : user.kept()) {
        if (session.changed && !session.end(gap).isAfter(now)) {
          output(
              userId,
              session,
              session.output ? PaneInfo.Timing.LATE : PaneInfo.Timing.ON_TIME,
              now,
              out);
          // A changed copy: the one read may still be in a checkpoint being written.
          session = session.asOutput();
        }
        Instant deadline = deadline(session);
        if (deadline.isAfter(now)) {
          kept.add(session);
          next = next == null || deadline.isBefore(next) ? deadline : next;
        }
      }
      state.write(user.firedAt(now, kept));
      // With no session left, the time of this firing is kept the allowed lateness longer, to
      // tell a pageview of a forgotten session.
      close.set(next != null ? next : now.plus(allowedLateness).plus(Duration.millis(1)));
    }

    /** When the session is next due: output at its end, then forgotten the lateness after. */
    private Instant deadline(Summary session) {
      Instant end = session.end(gap);
      return session.changed ? end : end.plus(allowedLateness);
    }

    /**
     * Outputs the session's row at its end, or at {@code notBefore} if that is later (a step may
     * not output before the time of what it processes).
     */
    private void output(
        Long user,
        Summary session,
        PaneInfo.Timing timing,
        Instant notBefore,
        OutputReceiver<Row> out) {
      if (timing == PaneInfo.Timing.LATE) {
        late.inc();
      }
      out.outputWithTimestamp(
          // By position, in the table's column order: naming each field parses its name.
          Row.withSchema(WarehouseTable.GOLD_SESSIONS.schema())
              .addValues(
                  user,
                  new Instant(session.firstMs),
                  new Instant(session.lastMs),
                  (session.lastMs - session.firstMs) / 1000,
                  session.pageviews,
                  (long) session.pages.length,
                  session.firstUrl,
                  session.lastUrl,
                  timing.name(),
                  clock.get())
              .build(),
          session.end(gap).isBefore(notBefore) ? notBefore : session.end(gap));
    }
  }
}
