package dev.fakelake.transforms.aggregate;

import dev.fakelake.schemas.WarehouseTable;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.SerializableSupplier;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Pageviews per HTTP method in fixed event-time windows ({@code gold.pageviews_by_method_5m}),
 * fired early while a window is open, on time when the watermark passes its end, and once more for
 * each late pageview within the allowed lateness. Panes discard what they fired, so each output row
 * counts only the pageviews new since the previous pane of its window and method, and the sum of
 * {@code pageviews} per window and method is the total.
 *
 * <p>Input: {@code silver.pageviews_enriched} rows timestamped with their event time. A pageview
 * without an HTTP method is counted under {@value #UNKNOWN_METHOD}. A pageview later than the
 * allowed lateness is dropped by the runner, which counts it in its own {@code
 * droppedDueToLateness} counter; stream-ingest dead-letters such events before they get here.
 *
 * <p>It also measures how long after its arrival each pageview reached an aggregate: emitted_at -
 * published_at, into the {@link LatencyHistogram} {@value #LATENCY_HISTOGRAM}. To keep the
 * accumulator small it holds counts per 100 ms of published_at, not the pageviews.
 */
public final class CountPageviewsByMethod extends PTransform<PCollection<Row>, PCollection<Row>> {

  /** The histogram of emitted_at - published_at of every counted pageview. */
  public static final String LATENCY_HISTOGRAM = "aggregate_latency";

  /** The method a pageview without one is counted under. */
  public static final String UNKNOWN_METHOD = "UNKNOWN";

  private static final long PUBLISHED_BUCKET_MS = 100;

  private final Duration window;
  private final Duration earlyFiring;
  private final Duration allowedLateness;
  private final SerializableSupplier<Instant> clock;

  private CountPageviewsByMethod(
      Duration window,
      Duration earlyFiring,
      Duration allowedLateness,
      SerializableSupplier<Instant> clock) {
    this.window = window;
    this.earlyFiring = earlyFiring;
    this.allowedLateness = allowedLateness;
    this.clock = clock;
  }

  /** Five-minute windows, early panes 1 s after a pane's first pageview, 10 minutes lateness. */
  public static CountPageviewsByMethod of() {
    return new CountPageviewsByMethod(
        Duration.standardMinutes(5),
        Duration.standardSeconds(1),
        Duration.standardMinutes(10),
        Instant::now);
  }

  public CountPageviewsByMethod withWindow(Duration window) {
    return new CountPageviewsByMethod(window, earlyFiring, allowedLateness, clock);
  }

  /** How long after the first pageview of a pane (processing time) an early pane fires. */
  public CountPageviewsByMethod withEarlyFiring(Duration earlyFiring) {
    return new CountPageviewsByMethod(window, earlyFiring, allowedLateness, clock);
  }

  public CountPageviewsByMethod withAllowedLateness(Duration allowedLateness) {
    return new CountPageviewsByMethod(window, earlyFiring, allowedLateness, clock);
  }

  /** The processing-time clock that stamps emitted_at; tests fix it to measure latency exactly. */
  public CountPageviewsByMethod withClock(SerializableSupplier<Instant> clock) {
    return new CountPageviewsByMethod(window, earlyFiring, allowedLateness, clock);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> pageviews) {
    return pageviews
        .apply(
            "WindowPageviews",
            Window.<Row>into(FixedWindows.of(window))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withEarlyFirings(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiring))
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(allowedLateness)
                // After early panes took every pageview, an empty on-time pane would add a 0 row.
                .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
                .discardingFiredPanes())
        // Counted per bundle first, so the grouping sees a few partial counts per bundle instead
        // of every pageview (Flink's streaming runner does not combine before the shuffle).
        .apply("CountInBundle", ParDo.of(new CountInBundleFn()))
        .setCoder(
            KvCoder.of(StringUtf8Coder.of(), MapCoder.of(VarLongCoder.of(), VarLongCoder.of())))
        .apply("CountPerMethod", Combine.perKey(new CountByPublishedTime()))
        .apply("ToWarehouseRows", ParDo.of(new ToRowFn(clock)))
        .setRowSchema(WarehouseTable.GOLD_PAGEVIEWS_BY_METHOD_5M.schema());
  }

  /**
   * A bundle's pageviews per window, method and 100 ms of published_at, passed on when the bundle
   * ends (before the runner moves the watermark past it), each count with its window's earliest
   * pageview timestamp of the bundle.
   */
  private static final class CountInBundleFn extends DoFn<Row, KV<String, Map<Long, Long>>> {
    private transient Map<BoundedWindow, Map<String, Map<Long, Long>>> counts;
    private transient Map<BoundedWindow, Instant> earliest;

    @StartBundle
    public void start() {
      counts = new HashMap<>();
      earliest = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element Row pageview, @Timestamp Instant timestamp, BoundedWindow window) {
      String method = pageview.getString("http_method");
      long published = pageview.getDateTime("published_at").getMillis();
      long bucket = Math.floorDiv(published, PUBLISHED_BUCKET_MS) * PUBLISHED_BUCKET_MS;
      counts
          .computeIfAbsent(window, w -> new HashMap<>())
          .computeIfAbsent(method == null ? UNKNOWN_METHOD : method, m -> new HashMap<>())
          .merge(bucket, 1L, Long::sum);
      earliest.merge(window, timestamp, (a, b) -> a.isBefore(b) ? a : b);
    }

    @FinishBundle
    public void finish(FinishBundleContext context) {
      counts.forEach(
          (window, perMethod) ->
              perMethod.forEach(
                  (method, buckets) ->
                      context.output(KV.of(method, buckets), earliest.get(window), window)));
    }
  }

  /** Pageviews per 100 ms of published_at (bucket start in epoch ms -> count). */
  static final class CountByPublishedTime
      extends CombineFn<Map<Long, Long>, Map<Long, Long>, Map<Long, Long>> {

    @Override
    public Map<Long, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<Long, Long> addInput(Map<Long, Long> counts, Map<Long, Long> partial) {
      partial.forEach((bucket, count) -> counts.merge(bucket, count, Long::sum));
      return counts;
    }

    @Override
    public Map<Long, Long> mergeAccumulators(Iterable<Map<Long, Long>> accumulators) {
      Map<Long, Long> merged = new HashMap<>();
      for (Map<Long, Long> counts : accumulators) {
        counts.forEach((bucket, count) -> merged.merge(bucket, count, Long::sum));
      }
      return merged;
    }

    @Override
    public Map<Long, Long> extractOutput(Map<Long, Long> counts) {
      return counts;
    }

    @Override
    public Coder<Map<Long, Long>> getAccumulatorCoder(
        CoderRegistry registry, Coder<Map<Long, Long>> inputCoder) {
      return MapCoder.of(VarLongCoder.of(), VarLongCoder.of());
    }

    @Override
    public Coder<Map<Long, Long>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<Map<Long, Long>> inputCoder) {
      return MapCoder.of(VarLongCoder.of(), VarLongCoder.of());
    }
  }

  /** One warehouse row per pane, and the latency of every pageview it counted. */
  private static final class ToRowFn extends DoFn<KV<String, Map<Long, Long>>, Row> {

    private final SerializableSupplier<Instant> clock;
    private final LatencyHistogram latency = LatencyHistogram.named(LATENCY_HISTOGRAM);
    private final Counter panes = Metrics.counter(LatencyHistogram.NAMESPACE, "aggregate_panes");

    ToRowFn(SerializableSupplier<Instant> clock) {
      this.clock = clock;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Map<Long, Long>> counts,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<Row> out) {
      Instant emittedAt = clock.get();
      long pageviews = 0;
      for (Map.Entry<Long, Long> bucket : counts.getValue().entrySet()) {
        // The middle of the 100 ms bucket stands for each pageview published in it.
        long publishedAt = bucket.getKey() + PUBLISHED_BUCKET_MS / 2;
        latency.record(emittedAt.getMillis() - publishedAt, bucket.getValue());
        pageviews += bucket.getValue();
      }
      panes.inc();
      out.output(
          Row.withSchema(WarehouseTable.GOLD_PAGEVIEWS_BY_METHOD_5M.schema())
              .withFieldValue("window_start", window.start())
              .withFieldValue("window_end", window.end())
              .withFieldValue("http_method", counts.getKey())
              .withFieldValue("pageviews", pageviews)
              .withFieldValue("pane_timing", pane.getTiming().name())
              .withFieldValue("pane_index", pane.getIndex())
              .withFieldValue("emitted_at", emittedAt)
              .build());
    }
  }
}
