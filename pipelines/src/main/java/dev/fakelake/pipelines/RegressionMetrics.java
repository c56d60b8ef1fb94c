package dev.fakelake.pipelines;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How far predictions are from the actual values: root mean squared error, mean absolute error and
 * R² (the share of the actual values' variance the predictions explain). Each is null when it is
 * undefined: no rows, or for R² actual values that do not vary.
 */
record RegressionMetrics(
    long rows, @Nullable Double rmse, @Nullable Double mae, @Nullable Double r2) {

  static RegressionMetrics of(double[] actual, double[] predicted) {
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          actual.length + " actual values for " + predicted.length + " predictions");
    }
    int n = actual.length;
    if (n == 0) {
      return new RegressionMetrics(0, null, null, null);
    }
    double mean = 0;
    for (double value : actual) {
      mean += value / n;
    }
    double squared = 0;
    double absolute = 0;
    double total = 0;
    for (int i = 0; i < n; i++) {
      double error = actual[i] - predicted[i];
      squared += error * error;
      absolute += Math.abs(error);
      total += (actual[i] - mean) * (actual[i] - mean);
    }
    return new RegressionMetrics(
        n, Math.sqrt(squared / n), absolute / n, total == 0 ? null : 1 - squared / total);
  }

  /** {@code RMSE 12.34 MAE 9.87 R² 0.9123}, with {@code -} for an undefined metric. */
  String render() {
    return String.format(
        "RMSE %s  MAE %s  R² %s", format(rmse, "%,.2f"), format(mae, "%,.2f"), format(r2, "%.4f"));
  }

  private static String format(@Nullable Double value, String pattern) {
    return value == null ? "-" : String.format(pattern, value);
  }
}
