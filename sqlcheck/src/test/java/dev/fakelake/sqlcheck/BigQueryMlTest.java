package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BigQueryMlTest {

  private static final Map<String, String> MODELS =
      Map.of(
          "p.ml.revenue", "LINEAR_REG", "p.ml.churn", "LOGISTIC_REG", "p.ml.trend", "ARIMA_PLUS");

  @Test
  void evaluateOfARegressionBecomesItsMetricColumns() {
    String sql =
        BigQueryMl.replaceEvaluate("SELECT * FROM ML.EVALUATE(MODEL `p.ml.revenue`)", MODELS);

    assertTrue(
        sql.startsWith("SELECT * FROM (SELECT CAST(NULL AS FLOAT64) AS mean_absolute_error"), sql);
    assertTrue(sql.endsWith("CAST(NULL AS FLOAT64) AS explained_variance)"), sql);
  }

  @Test
  void evaluateOfAClassifierGetsClassificationMetrics() {
    String sql =
        BigQueryMl.replaceEvaluate("select * from ml.evaluate( model `P.ML.CHURN` )", MODELS);

    assertTrue(sql.contains("AS roc_auc"), sql);
  }

  @Test
  void sqlWithoutEvaluateIsUnchanged() {
    String sql = "SELECT evaluate FROM `p.silver.orders`";

    assertEquals(sql, BigQueryMl.replaceEvaluate(sql, MODELS));
  }

  @Test
  void unknownModelIsAnErrorNamingIt() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BigQueryMl.replaceEvaluate("SELECT * FROM ML.EVALUATE(MODEL `p.ml.nope`)", MODELS));

    assertTrue(error.getMessage().contains("p.ml.nope"), error.getMessage());
  }

  @Test
  void uncoveredModelTypeIsAnError() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BigQueryMl.replaceEvaluate(
                    "SELECT * FROM ML.EVALUATE(MODEL `p.ml.trend`)", MODELS));

    assertTrue(error.getMessage().contains("ARIMA_PLUS"), error.getMessage());
  }
}
