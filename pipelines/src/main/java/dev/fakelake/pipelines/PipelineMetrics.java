package dev.fakelake.pipelines;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads a finished pipeline's counters of one namespace, by name. */
final class PipelineMetrics {

  private PipelineMetrics() {}

  static Map<String, Long> counters(PipelineResult result, String namespace) {
    Map<String, Long> counters = new TreeMap<>();
    Iterable<MetricResult<Long>> results =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(namespace))
                    .build())
            .getCounters();
    for (MetricResult<Long> counter : results) {
      counters.merge(counter.getName().getName(), value(counter), Long::sum);
    }
    return counters;
  }

  private static long value(MetricResult<Long> counter) {
    try {
      return counter.getCommitted();
    } catch (UnsupportedOperationException e) {
      // Some runners only report attempted values; for a finished batch job they agree.
      return counter.getAttempted();
    }
  }
}
