package dev.fakelake.transforms.aggregate;

import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Sessions;
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
 * time, fired when the watermark passes a session's end and again for each late pageview within the
 * allowed lateness. Panes accumulate, so a late pageview re-emits its whole session, merged with
 * any sessions it bridged, with {@code pane_timing} LATE: the newest row of a session is the
 * current one.
 *
 * <p>Input: {@code silver.pageviews_enriched} rows timestamped with their event time. A pageview
 * later than the allowed lateness is dropped by the runner, which counts it in its own {@code
 * droppedDueToLateness} counter; stream-ingest dead-letters such events before they get here.
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
        .apply(
            "WindowIntoSessions",
            Window.<Row>into(Sessions.withGapDuration(gap))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(allowedLateness)
                .accumulatingFiredPanes())
        // Only what a session keeps travels to the grouping: the time and the page.
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
        .apply("SummarizeSession", Combine.perKey(new SummarizeFn()))
        .apply("ToWarehouseRows", ParDo.of(new ToRowFn(clock)))
        .setRowSchema(WarehouseTable.GOLD_SESSIONS.schema());
  }

  /** What a session keeps while it is open: enough for the row, not the pageviews. */
  static final class Summary {
    long pageviews;
    long firstMs = Long.MAX_VALUE;
    @Nullable String firstUrl;
    long lastMs = Long.MIN_VALUE;
    @Nullable String lastUrl;
    Set<String> urls = new HashSet<>();

    void add(long timeMs, @Nullable String url, long count) {
      pageviews += count;
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
      if (other.pageviews == 0) {
        return;
      }
      long pageviewsBefore = pageviews;
      add(other.firstMs, other.firstUrl, 0);
      add(other.lastMs, other.lastUrl, 0);
      pageviews = pageviewsBefore + other.pageviews;
      urls.addAll(other.urls);
    }
  }

  /** Encodes a {@link Summary} field by field. */
  static final class SummaryCoder extends CustomCoder<Summary> {
    private static final Coder<Long> LONG = VarLongCoder.of();
    private static final Coder<String> URL = NullableCoder.of(StringUtf8Coder.of());
    private static final Coder<Set<String>> URLS = SetCoder.of(StringUtf8Coder.of());

    @Override
    public void encode(Summary summary, OutputStream out) throws IOException {
      LONG.encode(summary.pageviews, out);
      LONG.encode(summary.firstMs, out);
      URL.encode(summary.firstUrl, out);
      LONG.encode(summary.lastMs, out);
      URL.encode(summary.lastUrl, out);
      URLS.encode(summary.urls, out);
    }

    @Override
    public Summary decode(InputStream in) throws IOException {
      Summary summary = new Summary();
      summary.pageviews = LONG.decode(in);
      summary.firstMs = LONG.decode(in);
      summary.firstUrl = URL.decode(in);
      summary.lastMs = LONG.decode(in);
      summary.lastUrl = URL.decode(in);
      summary.urls = new HashSet<>(URLS.decode(in));
      return summary;
    }
  }

  /** Sums up a session from its pageviews' times (epoch milliseconds) and pages. */
  static final class SummarizeFn extends CombineFn<KV<Long, String>, Summary, Summary> {

    @Override
    public Summary createAccumulator() {
      return new Summary();
    }

    @Override
    public Summary addInput(Summary summary, KV<Long, String> pageview) {
      String url = pageview.getValue();
      summary.add(pageview.getKey(), url, 1);
      if (url != null) {
        summary.urls.add(url);
      }
      return summary;
    }

    @Override
    public Summary mergeAccumulators(Iterable<Summary> summaries) {
      Summary merged = new Summary();
      for (Summary summary : summaries) {
        merged.merge(summary);
      }
      return merged;
    }

    @Override
    public Summary extractOutput(Summary summary) {
      return summary;
    }

    @Override
    public Coder<Summary> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<Long, String>> inputCoder) {
      return new SummaryCoder();
    }

    @Override
    public Coder<Summary> getDefaultOutputCoder(
        CoderRegistry registry, Coder<KV<Long, String>> inputCoder) {
      return new SummaryCoder();
    }
  }

  private static final class ToRowFn extends DoFn<KV<Long, Summary>, Row> {

    private final SerializableSupplier<Instant> clock;
    private final Counter late = Metrics.counter("stream", "sessions_re_emitted_late");

    ToRowFn(SerializableSupplier<Instant> clock) {
      this.clock = clock;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, Summary> session, PaneInfo pane, OutputReceiver<Row> out) {
      Summary summary = session.getValue();
      if (pane.getTiming() == PaneInfo.Timing.LATE) {
        late.inc();
      }
      out.output(
          // By position, in the table's column order: naming each field parses its name.
          Row.withSchema(WarehouseTable.GOLD_SESSIONS.schema())
              .addValues(
                  session.getKey(),
                  new Instant(summary.firstMs),
                  new Instant(summary.lastMs),
                  (summary.lastMs - summary.firstMs) / 1000,
                  summary.pageviews,
                  (long) summary.urls.size(),
                  summary.firstUrl,
                  summary.lastUrl,
                  pane.getTiming().name(),
                  clock.get())
              .build());
    }
  }
}
