package dev.fakelake.pipelines;

import static dev.fakelake.pipelines.FeatureTableFixture.AGE_65_COLUMN;
import static dev.fakelake.pipelines.FeatureTableFixture.BOOKS_COLUMN;
import static dev.fakelake.pipelines.FeatureTableFixture.SATURDAY_COLUMN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.MlFeatures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order-value regression fitted with Tribuo: what it learns, and that it survives saving. */
class OrderValueModelTest {

  private static final List<FeatureRows.Row> TRAIN =
      FeatureTableFixture.featureRows(FeatureTableFixture.rows(1, 600, 1));
  private static final List<FeatureRows.Row> FRESH =
      FeatureTableFixture.featureRows(FeatureTableFixture.rows(10_000, 200, 2));

  @TempDir Path folder;

  private static OrderValueModel fit() {
    return OrderValueModel.fit(TRAIN, OrderValueModel.design(TRAIN).features());
  }

  /** A one-hot column's coefficient; the group's reference level has none and counts as 0. */
  private static double effect(Map<String, Double> coefficients, String column) {
    return coefficients.getOrDefault(column, 0.0);
  }

  @Test
  void recoversAKnownLinearRelation() {
    OrderValueModel model = fit();
    Map<String, Double> coefficients = model.coefficients();

    assertEquals(FeatureTableFixture.PER_UNIT, coefficients.get("units"), 0.2);
    assertEquals(FeatureTableFixture.PER_ITEM, coefficients.get("item_count"), 0.2);
    assertEquals(FeatureTableFixture.VIP, coefficients.get("is_vip"), 0.2);
    assertEquals(
        FeatureTableFixture.SATURDAY,
        effect(coefficients, SATURDAY_COLUMN)
            - effect(coefficients, FeatureTableFixture.day("Monday")),
        0.3);
    String automotive =
        MlFeatures.column(MlFeatures.CATEGORY_PREFIX, MlFeatures.CATEGORY_GROUPS, "Automotive");
    assertEquals(
        FeatureTableFixture.BOOKS,
        effect(coefficients, BOOKS_COLUMN) - effect(coefficients, automotive),
        0.3);
    String youngest = MlFeatures.column(MlFeatures.AGE_PREFIX, MlFeatures.AGE_BANDS, "18-24");
    assertEquals(
        FeatureTableFixture.AGE_65_PLUS,
        effect(coefficients, AGE_65_COLUMN) - effect(coefficients, youngest),
        0.3);
    for (String column : coefficients.keySet()) {
      if (column.startsWith(MlFeatures.REGION_PREFIX)
          || column.startsWith(MlFeatures.MONTH_PREFIX)) {
        assertEquals(0, coefficients.get(column), 0.3, column + " has no effect in the data");
      }
    }
  }

  @Test
  void predictsUnseenRowsAlmostExactly() {
    OrderValueModel model = fit();
    double[] actual = FRESH.stream().mapToDouble(FeatureRows.Row::label).toArray();

    RegressionMetrics metrics = RegressionMetrics.of(actual, model.predict(FRESH));

    assertTrue(metrics.r2() > 0.9999, "R² " + metrics.r2());
    assertTrue(metrics.mae() < FeatureTableFixture.NOISE, "MAE " + metrics.mae());
  }

  @Test
  void leavesOutOneReferenceLevelPerGroupAndColumnsNeverSet() {
    OrderValueModel.Design design = OrderValueModel.design(TRAIN);

    long dayColumns =
        design.features().stream().filter(c -> c.startsWith(MlFeatures.DAY_PREFIX)).count();
    assertEquals(6, dayColumns, "7 days seen, one is the reference");
    assertEquals(2, design.features().stream().filter(c -> c.startsWith("month_")).count());
    assertTrue(design.leftOut().get("month_12").startsWith("never set"));
    assertTrue(design.features().containsAll(List.of("units", "item_count", "is_vip")));
    assertFalse(design.features().contains(MlFeatures.DAY_PREFIX + "other"));
  }

  @Test
  void leavesOutAColumnEqualToAnotherSoEveryFeatureIsFitted() {
    List<String> columns = FeatureRows.candidateColumns();
    List<FeatureRows.Row> rows = new java.util.ArrayList<>();
    for (FeatureRows.Row row : TRAIN) {
      double[] values = row.values().clone();
      if (row.orderId() % 10 == 0) {
        // An order whose customer is unknown: neither region nor age band.
        for (int i = 0; i < values.length; i++) {
          String column = columns.get(i);
          if (column.startsWith(MlFeatures.REGION_PREFIX)
              || column.startsWith(MlFeatures.AGE_PREFIX)) {
            values[i] = column.endsWith("_other") ? 1 : 0;
          }
        }
      }
      rows.add(new FeatureRows.Row(row.orderId(), row.label(), values));
    }

    OrderValueModel.Design design = OrderValueModel.design(rows);
    OrderValueModel model = OrderValueModel.fit(rows, design.features());

    assertEquals("equal to region_other in every training row", design.leftOut().get("age_other"));
    assertTrue(design.features().contains("region_other"));
    assertTrue(
        model.coefficients().values().stream().noneMatch(c -> c == 0.0),
        "every feature has a coefficient: " + model.coefficients());
  }

  @Test
  void aSavedModelReloadedGivesTheSamePredictions() {
    OrderValueModel model = fit();
    double[] before = model.predict(FRESH);

    model.save(folder);
    OrderValueModel reloaded = OrderValueModel.load(folder);

    assertArrayEquals(before, reloaded.predict(FRESH), 0.0);
    assertEquals(model.features(), reloaded.features());
  }

  @Test
  void loadingWhereNoModelIsSavedIsAClearError() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> OrderValueModel.load(folder));

    assertTrue(error.getMessage().contains("No saved model at"), error.getMessage());
  }

  @Test
  void fewerRowsThanFeaturesIsAClearError() {
    List<FeatureRows.Row> few = TRAIN.subList(0, 10);

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> OrderValueModel.fit(few, OrderValueModel.design(TRAIN).features()));

    assertTrue(error.getMessage().contains("needs more rows than features"), error.getMessage());
  }

  @Test
  void metricsOfKnownErrors() {
    RegressionMetrics metrics =
        RegressionMetrics.of(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3, 5});

    assertEquals(0.5, metrics.rmse(), 1e-12);
    assertEquals(0.25, metrics.mae(), 1e-12);
    assertEquals(0.8, metrics.r2(), 1e-12);
    assertEquals(null, RegressionMetrics.of(new double[] {2, 2}, new double[] {1, 3}).r2());
  }
}
