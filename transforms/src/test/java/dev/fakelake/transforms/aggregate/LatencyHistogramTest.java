package dev.fakelake.transforms.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Bucketing of latencies and percentiles read back from bucket counts. */
class LatencyHistogramTest {

  private static final String P = "aggregate_latency";

  @Test
  void aLatencyOnABoundCountsInThatBucketAndAboveItInTheNext() {
    assertEquals("aggregate_latency_le_250ms", LatencyHistogram.bucketName(P, 4));
    assertEquals(4, LatencyHistogram.bucketIndex(250));
    assertEquals(5, LatencyHistogram.bucketIndex(251));
    assertEquals(0, LatencyHistogram.bucketIndex(-30));
    assertEquals(28, LatencyHistogram.bucketIndex(600_001));
    assertEquals("aggregate_latency_gt_600000ms", LatencyHistogram.bucketName(P, 28));
  }

  @Test
  void percentilesInterpolateInsideTheBucketTheRankFallsIn() {
    // 50 in (100, 250], 49 in (250, 500], 1 in (2000, 2500]
    Map<String, Long> counters =
        Map.of(
            "aggregate_latency_le_250ms", 50L,
            "aggregate_latency_le_500ms", 49L,
            "aggregate_latency_le_2500ms", 1L,
            "other_le_10ms", 1_000L);

    assertEquals(250.0, LatencyHistogram.percentileMs(counters, P, 0.5).getAsDouble(), 1e-9);
    assertEquals(500.0, LatencyHistogram.percentileMs(counters, P, 0.99).getAsDouble(), 1e-9);
    assertEquals(2500.0, LatencyHistogram.percentileMs(counters, P, 1.0).getAsDouble(), 1e-9);
    // rank 25 of 50 in (100, 250]: halfway
    assertEquals(175.0, LatencyHistogram.percentileMs(counters, P, 0.25).getAsDouble(), 1e-9);
  }

  @Test
  void theLowestBucketStartsAtZeroAndTheOverflowReportsItsLowerBound() {
    Map<String, Long> counters =
        Map.of("aggregate_latency_le_10ms", 2L, "aggregate_latency_gt_600000ms", 2L);

    assertEquals(5.0, LatencyHistogram.percentileMs(counters, P, 0.25).getAsDouble(), 1e-9);
    assertEquals(600_000.0, LatencyHistogram.percentileMs(counters, P, 0.99).getAsDouble(), 1e-9);
  }

  @Test
  void boundsBetweenHalfASecondAndTenSecondsAreAQuarterToOneSecondApart() {
    long[] bounds = LatencyHistogram.boundsMs();
    for (int i = 1; i < bounds.length; i++) {
      assertTrue(bounds[i] > bounds[i - 1], "bounds ascend");
      if (bounds[i - 1] >= 500 && bounds[i] <= 10_000) {
        long step = bounds[i] - bounds[i - 1];
        long widest = bounds[i] <= 2_000 ? 250 : bounds[i] <= 5_000 ? 500 : 1_000;
        assertTrue(step <= widest, bounds[i - 1] + " to " + bounds[i]);
      }
    }
    // The rank falls halfway into (7 s, 8 s]: 7.5 s, where one bucket from 5 to 10 s gave 9 s.
    Map<String, Long> counters =
        Map.of(
            "aggregate_latency_le_2000ms", 8_500L,
            "aggregate_latency_le_5000ms", 1_000L,
            "aggregate_latency_le_7000ms", 300L,
            "aggregate_latency_le_8000ms", 200L);
    assertEquals(7_500.0, LatencyHistogram.percentileMs(counters, P, 0.99).getAsDouble(), 1e-9);
  }

  @Test
  void nothingCountedHasNoPercentile() {
    assertEquals(OptionalDouble.empty(), LatencyHistogram.percentileMs(Map.of(), P, 0.5));
    assertEquals("nothing counted", LatencyHistogram.summary(Map.of(), P));
  }

  @Test
  void aQuantileOutsideZeroToOneIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> LatencyHistogram.percentileMs(Map.of(), P, 99));
  }

  @Test
  void summaryNamesP50AndP99() {
    String summary =
        LatencyHistogram.summary(
            Map.of("aggregate_latency_le_1000ms", 1_000L, "aggregate_latency_le_5000ms", 1_000L),
            P);

    assertTrue(summary.startsWith("p50 1,000 ms, p99 4,990 ms (2,000 counted)"), summary);
  }
}
