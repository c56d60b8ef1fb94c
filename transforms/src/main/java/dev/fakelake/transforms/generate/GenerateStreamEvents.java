package dev.fakelake.transforms.generate;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An endless, or bounded by a limit or a duration, stream of pageview and rating messages at a
 * given rate: sequence index {@code i} becomes one message, or two for an injected duplicate (see
 * {@link StreamEventFactory} for what each holds, and how a rating finds its pageview). The event
 * time is the wall-clock time the index was generated, shifted back for late and out-of-order dirt.
 *
 * <p>Counts what it sends in {@code stream_generate} counters: {@code events_<entity>} (indexes),
 * {@code messages_<entity>} (messages, with duplicates) and {@code defects_<kind>} (the ground
 * truth, also on each {@link StreamEvent}).
 */
public class GenerateStreamEvents extends PTransform<PBegin, PCollection<StreamEvent>> {

  public static final String METRICS_NAMESPACE = "stream_generate";

  /** A distribution of the indexes generated: its max + 1 is where the next run starts. */
  public static final String INDEX_METRIC = "index";

  /** The name under which {@link LiveProgress} counts messages and marks the highest index. */
  public static final String PROGRESS_NAME = "stream";

  private final GenerationSpec spec;
  private final long startIndex;
  private final double rate;
  private final long limit;
  private final @Nullable Duration maxReadTime;

  private GenerateStreamEvents(
      GenerationSpec spec,
      long startIndex,
      double rate,
      long limit,
      @Nullable Duration maxReadTime) {
    if (startIndex < 0) {
      throw new IllegalArgumentException("the start index must be 0 or more, got " + startIndex);
    }
    if (!(rate > 0 && rate <= 1_000_000)) {
      throw new IllegalArgumentException(
          "the rate must be above 0 and at most 1,000,000 events/s, got " + rate);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("the limit must be 0 (none) or more, got " + limit);
    }
    if (maxReadTime != null && !maxReadTime.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("the duration must be positive, got " + maxReadTime);
    }
    this.spec = spec;
    this.startIndex = startIndex;
    this.rate = rate;
    this.limit = limit;
    this.maxReadTime = maxReadTime;
  }

  /** 100 events/s from index 0, endless. */
  public static GenerateStreamEvents of(GenerationSpec spec) {
    return new GenerateStreamEvents(spec, 0, 100, 0, null);
  }

  /** The first index: a later run continues where the previous one stopped. */
  public GenerateStreamEvents withStartIndex(long value) {
    return new GenerateStreamEvents(spec, value, rate, limit, maxReadTime);
  }

  /** Events (sequence indexes) per second; duplicates add messages on top. */
  public GenerateStreamEvents withRate(double value) {
    return new GenerateStreamEvents(spec, startIndex, value, limit, maxReadTime);
  }

  /** Stops after this many events (0 = no limit). */
  public GenerateStreamEvents withLimit(long value) {
    return new GenerateStreamEvents(spec, startIndex, rate, value, maxReadTime);
  }

  /** Stops after this long (null = no limit). */
  public GenerateStreamEvents withMaxReadTime(@Nullable Duration value) {
    return new GenerateStreamEvents(spec, startIndex, rate, limit, value);
  }

  /**
   * How many events a run with this rate, limit (0 = none) and maximum read time (null = none)
   * generates, or 0 for an endless run: a bounded run generates exactly this many indexes from its
   * start index.
   */
  public static long boundedCount(double rate, long limit, @Nullable Duration maxReadTime) {
    long count = limit;
    if (maxReadTime != null) {
      long inTime = (long) Math.ceil(rate * maxReadTime.getMillis() / 1000.0);
      count = count > 0 ? Math.min(count, inTime) : inTime;
    }
    return count;
  }

  @Override
  public PCollection<StreamEvent> expand(PBegin input) {
    long count = boundedCount(rate, limit, maxReadTime);
    if (count > 0) {
      // A bounded run: a bounded sequence paced here runs at the rate on every runner, where the
      // rate-limited unbounded source, bounded by a count or a time, crawls on Flink.
      // The sequence counts chunks of indexes: a runner's source pays per element it reads (Flink
      // updates every metric after each), which per index was a seventh of the generator.
      return input
          .apply("CountChunks", GenerateSequence.from(0).to((count + CHUNK - 1) / CHUNK))
          .apply("PaceEvents", ParDo.of(new PaceFn(startIndex, count, rate)))
          .apply("MakeEvents", ParDo.of(new MakeEventsFn(spec, startIndex, rate)))
          .setCoder(StreamEventCoder.of());
    }
    GenerateSequence sequence = GenerateSequence.from(startIndex);
    // GenerateSequence takes whole elements per period: a fractional rate becomes one per period.
    sequence =
        rate >= 1
            ? sequence.withRate(Math.round(rate), Duration.standardSeconds(1))
            : sequence.withRate(1, Duration.millis(Math.round(1000 / rate)));
    return input
        .apply("CountEvents", sequence)
        .apply("MakeEvents", ParDo.of(new MakeEventsFn(spec, startIndex, rate)))
        .setCoder(StreamEventCoder.of());
  }

  /** Indexes per element of a bounded run's sequence. */
  private static final long CHUNK = 1000;

  /**
   * Turns chunk {@code c} into its indexes ({@code startIndex + c * CHUNK}, ..., up to the count),
   * holding each back until its time at the rate, counted from the first chunk this instance takes:
   * a job that took seconds to start sends at the rate from then on rather than in a burst.
   */
  private static class PaceFn extends DoFn<Long, Long> {
    private final long startIndex;
    private final long count;
    private final double rate;
    private transient long startMillis;

    PaceFn(long startIndex, long count, double rate) {
      this.startIndex = startIndex;
      this.count = count;
      this.rate = rate;
    }

    @ProcessElement
    public void process(@Element Long chunk, OutputReceiver<Long> out) throws InterruptedException {
      if (startMillis == 0) {
        startMillis = System.currentTimeMillis();
      }
      for (long offset = chunk * CHUNK; offset < Math.min(count, (chunk + 1) * CHUNK); offset++) {
        long due = startMillis + (long) (offset * 1000 / rate);
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        out.output(startIndex + offset);
      }
    }
  }

  private static class MakeEventsFn extends DoFn<Long, StreamEvent> {
    private final GenerationSpec spec;
    private final long startIndex;
    private final double rate;
    private final Map<Entity, Counter> events = new EnumMap<>(Entity.class);
    private final Map<Entity, Counter> messages = new EnumMap<>(Entity.class);
    private final Map<DefectKind, Counter> defects = new EnumMap<>(DefectKind.class);
    private final Distribution indexes = Metrics.distribution(METRICS_NAMESPACE, INDEX_METRIC);

    // Holds Datafaker and Jackson, which are expensive to build and not serializable.
    private transient StreamEventFactory factory;

    MakeEventsFn(GenerationSpec spec, long startIndex, double rate) {
      this.spec = spec;
      this.startIndex = startIndex;
      this.rate = rate;
      for (Entity entity : List.of(Entity.PAGEVIEWS, Entity.RATINGS)) {
        events.put(entity, Metrics.counter(METRICS_NAMESPACE, "events_" + entity.tableName()));
        messages.put(entity, Metrics.counter(METRICS_NAMESPACE, "messages_" + entity.tableName()));
      }
      for (DefectKind kind : DefectKind.values()) {
        defects.put(kind, Metrics.counter(METRICS_NAMESPACE, "defects_" + kind.label()));
      }
    }

    @Setup
    public void setup() {
      factory = new StreamEventFactory(spec, startIndex, rate);
    }

    @ProcessElement
    public void processElement(
        @Element Long index, @Timestamp Instant timestamp, OutputReceiver<StreamEvent> out) {
      // The sequence stamps each index with the wall clock when it was emitted at the rate.
      Instant now =
          timestamp.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE) ? timestamp : Instant.now();
      List<StreamEvent> generated = factory.events(index, now);
      Entity entity = Entity.fromTableName(generated.get(0).getEntity());
      events.get(entity).inc();
      messages.get(entity).inc(generated.size());
      for (Defect defect : generated.get(0).getDefects()) {
        defects.get(DefectKind.valueOf(defect.getDefect().toUpperCase(Locale.ROOT))).inc();
      }
      for (StreamEvent event : generated) {
        out.output(event);
      }
      indexes.update(index);
      LiveProgress.add(PROGRESS_NAME, generated.size());
      LiveProgress.mark(PROGRESS_NAME, index);
    }
  }
}
