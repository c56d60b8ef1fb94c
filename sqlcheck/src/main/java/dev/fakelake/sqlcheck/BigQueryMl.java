package dev.fakelake.sqlcheck;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * BigQuery ML's {@code ML.EVALUATE}, which ZetaSQL does not know. ZetaSQL analyses {@code CREATE
 * MODEL} itself, but table functions declared through its Java client crash its native service
 * (2025.09.1), so {@code ML.EVALUATE(MODEL m)} is replaced, before analysis, by a one-row relation
 * with the FLOAT64 metric columns BigQuery documents for m's model type. The model must have been
 * created by an earlier action; the rest of the query is analysed as written.
 */
final class BigQueryMl {

  private static final Pattern EVALUATE =
      Pattern.compile(
          "ML\\.EVALUATE\\s*\\(\\s*MODEL\\s+(`[^`]+`|[A-Za-z_][\\w.-]*)\\s*\\)",
          Pattern.CASE_INSENSITIVE);

  private static final List<String> REGRESSION_METRICS =
      List.of(
          "mean_absolute_error",
          "mean_squared_error",
          "mean_squared_log_error",
          "median_absolute_error",
          "r2_score",
          "explained_variance");
  private static final List<String> CLASSIFICATION_METRICS =
      List.of("precision", "recall", "accuracy", "f1_score", "log_loss", "roc_auc");
  private static final List<String> KMEANS_METRICS =
      List.of("davies_bouldin_index", "mean_squared_distance");

  private BigQueryMl() {}

  /** ML.EVALUATE's columns for a model type, or an empty list for types not covered here. */
  static List<String> evaluationMetrics(String modelType) {
    String type = modelType.toUpperCase(Locale.ROOT);
    if (type.equals("LINEAR_REG") || type.endsWith("_REGRESSOR")) {
      return REGRESSION_METRICS;
    }
    if (type.equals("LOGISTIC_REG") || type.endsWith("_CLASSIFIER")) {
      return CLASSIFICATION_METRICS;
    }
    if (type.equals("KMEANS")) {
      return KMEANS_METRICS;
    }
    return List.of();
  }

  /**
   * The statement with each {@code ML.EVALUATE(MODEL m)} replaced by its metrics relation; {@code
   * modelTypes} maps each created model's name, lower-cased, to its {@code model_type}.
   *
   * @throws IllegalArgumentException naming the model if it is unknown or of an uncovered type
   */
  static String replaceEvaluate(String sql, Map<String, String> modelTypes) {
    Matcher matcher = EVALUATE.matcher(sql);
    StringBuilder replaced = new StringBuilder();
    while (matcher.find()) {
      String model = matcher.group(1).replace("`", "");
      String type = modelTypes.get(model.toLowerCase(Locale.ROOT));
      if (type == null) {
        throw new IllegalArgumentException(
            "ML.EVALUATE reads model " + model + ", which no earlier action creates");
      }
      List<String> metrics = evaluationMetrics(type);
      if (metrics.isEmpty()) {
        throw new IllegalArgumentException(
            "ML.EVALUATE of a " + type + " model is not covered by the offline check");
      }
      String relation =
          metrics.stream()
              .map(metric -> "CAST(NULL AS FLOAT64) AS " + metric)
              .collect(Collectors.joining(", ", "(SELECT ", ")"));
      matcher.appendReplacement(replaced, Matcher.quoteReplacement(relation));
    }
    matcher.appendTail(replaced);
    return replaced.toString();
  }
}
