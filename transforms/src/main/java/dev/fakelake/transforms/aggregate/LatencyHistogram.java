package dev.fakelake.transforms.aggregate;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * A latency histogram made of Beam {@link Metrics} counters, one per bucket, so a streaming job
 * reports its latency distribution on any runner without a metrics system of its own: each bucket
 * counts the latencies above the previous bound and at most its own ({@code PREFIX_le_250ms}), and
 * {@code PREFIX_gt_600000ms} counts the rest. The bounds are fixed, so histograms of different runs
 * add up bucket by bucket: 1, 2.5 and 5 per decade from 10 ms to 10 minutes, and between 500 ms and
 * 10 s, where a stream's latency goals lie, every 250 ms up to 2 s, every 500 ms up to 5 s and
 * every second up to 10 s. A percentile read back is then within a bucket's width of the true one,
 * where with one bucket from 5 to 10 s it could be off by seconds.
 *
 * <p>{@link #percentileMs} reads a percentile back from a finished (or running) pipeline's metrics
 * or from a map of counter name to count, interpolating linearly inside the bucket it falls in.
 */
public final class LatencyHistogram implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The Metrics namespace of every stream measurement. */
  public static final String NAMESPACE = "stream";

  private static final long[] BOUNDS_MS = {
    10, 25, 50, 100, 250, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000, 2_500, 3_000, 3_500, 4_000,
    4_500, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 25_000, 50_000, 100_000, 250_000, 600_000
  };

  private final String prefix;
  private final Counter[] buckets;

  private LatencyHistogram(String prefix) {
    this.prefix = prefix;
    this.buckets = new Counter[BOUNDS_MS.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = Metrics.counter(NAMESPACE, bucketName(prefix, i));
    }
  }

  /** A histogram whose counters are named {@code PREFIX_le_10ms} ... {@code PREFIX_gt_600000ms}. */
  public static LatencyHistogram named(String prefix) {
    return new LatencyHistogram(prefix);
  }

  public String prefix() {
    return prefix;
  }

  /**
   * Counts {@code count} observations of {@code latencyMs}; a negative latency (the clocks of the
   * broker and the worker disagree) counts in the lowest bucket.
   */
  public void record(long latencyMs, long count) {
    if (count > 0) {
      buckets[bucketIndex(latencyMs)].inc(count);
    }
  }

  /** The upper bounds of the buckets in ms, without the overflow bucket. */
  public static long[] boundsMs() {
    return BOUNDS_MS.clone();
  }

  /** The counter name of bucket {@code index}; {@code BOUNDS_MS.length} is the overflow bucket. */
  static String bucketName(String prefix, int index) {
    return index < BOUNDS_MS.length
        ? prefix + "_le_" + BOUNDS_MS[index] + "ms"
        : prefix + "_gt_" + BOUNDS_MS[BOUNDS_MS.length - 1] + "ms";
  }

  static int bucketIndex(long latencyMs) {
    for (int i = 0; i < BOUNDS_MS.length; i++) {
      if (latencyMs <= BOUNDS_MS[i]) {
        return i;
      }
    }
    return BOUNDS_MS.length;
  }

  /**
   * The histogram's counters of namespace {@value #NAMESPACE} in {@code results}, by counter name
   * (committed values where the runner has them, else attempted).
   */
  public static Map<String, Long> counters(MetricResults results, String prefix) {
    Map<String, Long> counters = new TreeMap<>();
    MetricsFilter filter =
        MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(NAMESPACE)).build();
    for (MetricResult<Long> counter : results.queryMetrics(filter).getCounters()) {
      String name = counter.getName().getName();
      if (name.startsWith(prefix + "_")) {
        counters.merge(name, value(counter), Long::sum);
      }
    }
    return counters;
  }

  /** The {@code quantile} (0 to 1, e.g. 0.99) of the histogram {@code prefix} in a pipeline. */
  public static OptionalDouble percentileMs(MetricResults results, String prefix, double quantile) {
    return percentileMs(counters(results, prefix), prefix, quantile);
  }

  /**
   * The {@code quantile} (0 to 1) of the histogram {@code prefix} given its counters by name (other
   * names are ignored, missing buckets count as empty), or empty when it counted nothing. Inside a
   * bucket the observations are taken as evenly spread from its lower to its upper bound (the
   * lowest bucket from 0); a quantile in the overflow bucket is reported as its lower bound, 10
   * minutes, since nothing is known of how far above it lies.
   */
  public static OptionalDouble percentileMs(
      Map<String, Long> counters, String prefix, double quantile) {
    if (!(quantile >= 0 && quantile <= 1)) {
      throw new IllegalArgumentException("A quantile is between 0 and 1, not " + quantile);
    }
    long[] counts = new long[BOUNDS_MS.length + 1];
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = Math.max(0, counters.getOrDefault(bucketName(prefix, i), 0L));
      total += counts[i];
    }
    if (total == 0) {
      return OptionalDouble.empty();
    }
    // The rank of the wanted observation, 1-based; the 0th quantile is the first observation.
    double rank = Math.max(1, Math.ceil(quantile * total));
    long below = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && below + counts[i] >= rank) {
        if (i == BOUNDS_MS.length) {
          return OptionalDouble.of(BOUNDS_MS[BOUNDS_MS.length - 1]);
        }
        double lower = i == 0 ? 0 : BOUNDS_MS[i - 1];
        double fraction = (rank - below) / counts[i];
        return OptionalDouble.of(lower + fraction * (BOUNDS_MS[i] - lower));
      }
      below += counts[i];
    }
    throw new IllegalStateException("unreachable: the rank is at most the total");
  }

  /** p50 and p99 in words, e.g. {@code p50 180 ms, p99 2,400 ms (1,234 counted)}. */
  public static String summary(Map<String, Long> counters, String prefix) {
    long total =
        counters.entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix + "_"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    OptionalDouble p50 = percentileMs(counters, prefix, 0.5);
    OptionalDouble p99 = percentileMs(counters, prefix, 0.99);
    if (p50.isEmpty() || p99.isEmpty()) {
      return "nothing counted";
    }
    return String.format(
        Locale.ROOT,
        "p50 %,.0f ms, p99 %,.0f ms (%,d counted)",
        p50.getAsDouble(),
        p99.getAsDouble(),
        total);
  }

  private static long value(MetricResult<Long> counter) {
    try {
      return counter.getCommitted();
    } catch (UnsupportedOperationException e) {
      // Some runners only report attempted values.
      return counter.getAttempted();
    }
  }
}
