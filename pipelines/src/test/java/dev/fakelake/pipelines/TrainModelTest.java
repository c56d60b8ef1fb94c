package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fakelake.schemas.WarehouseTable;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train command on a real DuckDB warehouse: metrics, versions, the retrain gate, errors. */
class TrainModelTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @TempDir Path lake;

  private TrainModel.Summary train(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--lake=" + lake;
    System.arraycopy(args, 0, all, 1, args.length);
    return TrainModel.run(PipelineOptionsFactory.fromArgs(all).as(TrainModel.Options.class), QUIET);
  }

  private void addRows(long firstId, int count) throws SQLException {
    FeatureTableFixture.insert(lake.toString(), FeatureTableFixture.rows(firstId, count, firstId));
  }

  private List<Row> metricRowsInWarehouse() throws SQLException {
    try (Connection connection = DuckDbWarehouse.open(lake.toString());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT model_version, train_rows, test_rows, feature_rows_seen, r2, engine"
                    + " FROM ops.model_metrics ORDER BY trained_at")) {
      List<Row> rows = new java.util.ArrayList<>();
      org.apache.beam.sdk.schemas.Schema schema =
          org.apache.beam.sdk.schemas.Schema.builder()
              .addStringField("model_version")
              .addInt64Field("train_rows")
              .addInt64Field("test_rows")
              .addInt64Field("feature_rows_seen")
              .addDoubleField("r2")
              .addStringField("engine")
              .build();
      while (result.next()) {
        rows.add(
            Row.withSchema(schema)
                .addValues(
                    result.getString(1),
                    result.getLong(2),
                    result.getLong(3),
                    result.getLong(4),
                    result.getDouble(5),
                    result.getString(6))
                .build());
      }
      return rows;
    }
  }

  @Test
  void trainingWritesAVersionedModelAndOneMetricsRow() throws Exception {
    addRows(1, 500);

    TrainModel.Summary summary = train();

    TrainModel.Trained trained = summary.trained();
    assertNotNull(trained, summary.message());
    assertEquals("v1", trained.version());
    assertEquals(500, trained.trainRows() + trained.testRows());
    assertTrue(trained.metrics().r2() > 0.9999, "R² " + trained.metrics().r2());
    assertEquals(FeatureTableFixture.PER_UNIT, trained.coefficients().get("units"), 0.3, "units");
    List<Row> rows = metricRowsInWarehouse();
    assertEquals(1, rows.size());
    assertEquals("v1", rows.get(0).getString("model_version"));
    assertEquals(trained.trainRows(), rows.get(0).getInt64("train_rows"));
    assertEquals(trained.testRows(), rows.get(0).getInt64("test_rows"));
    assertEquals(500L, rows.get(0).getInt64("feature_rows_seen"));
    assertEquals(trained.metrics().r2(), rows.get(0).getDouble("r2"), 1e-12);
    assertEquals(OrderValueModel.ENGINE, rows.get(0).getString("engine"));
    Path folder = lake.resolve("models/order_value/v1");
    assertTrue(Files.isRegularFile(folder.resolve(OrderValueModel.MODEL_FILE)));
    JsonNode metadata = SavedModels.of(lake.toString(), OrderValueModel.NAME).metadata("v1");
    assertEquals(500, metadata.path("feature_rows_seen").asLong());
    assertEquals(
        trained.metrics().rmse(), metadata.path("test_metrics").path("rmse").asDouble(), 1e-12);
    List<Row> lakeRows = OpsRows.read(lake.toString(), WarehouseTable.OPS_MODEL_METRICS);
    assertEquals(1, lakeRows.size());
    assertEquals(folder.toString(), lakeRows.get(0).getString("model_location"));
  }

  @Test
  void skipsTrainingUntilEnoughNewFeatureRowsArrive() throws Exception {
    addRows(1, 400);
    train();
    addRows(1_000, 199);

    TrainModel.Summary skipped = train();

    assertNull(skipped.trained());
    assertTrue(skipped.message().contains("599 rows and had 400 when v1"), skipped.message());
    assertTrue(skipped.message().contains("--force"), skipped.message());
    assertEquals(1, metricRowsInWarehouse().size());
    assertFalse(Files.exists(lake.resolve("models/order_value/v2")));

    addRows(2_000, 1);
    TrainModel.Summary trained = train();

    assertNotNull(trained.trained(), trained.message());
    assertEquals("v2", trained.trained().version());
    List<Row> rows = metricRowsInWarehouse();
    assertEquals(List.of("v1", "v2"), rows.stream().map(r -> r.getString(0)).toList());
    assertEquals(600L, rows.get(1).getInt64("feature_rows_seen"));
  }

  @Test
  void theThresholdIsAnOptionAndForceOverridesIt() throws Exception {
    addRows(1, 400);
    train();
    addRows(1_000, 50);

    assertNull(train().trained());
    assertEquals("v2", train("--minNewFeatureRows=50").trained().version());
    assertEquals("v3", train("--force").trained().version());
    assertNull(train().trained());
  }

  @Test
  void theSplitIsStableAndCloseToTheFraction() {
    long[] test =
        IntStream.range(0, 20_000)
            .filter(id -> TrainModel.isTest(id, 42, 0.2))
            .asLongStream()
            .toArray();
    long[] again =
        IntStream.range(0, 20_000)
            .filter(id -> TrainModel.isTest(id, 42, 0.2))
            .asLongStream()
            .toArray();
    long otherSeed =
        IntStream.range(0, 20_000)
            .filter(id -> TrainModel.isTest(id, 43, 0.2) != TrainModel.isTest(id, 42, 0.2))
            .count();

    assertEquals(0.2, test.length / 20_000.0, 0.01);
    assertTrue(java.util.Arrays.equals(test, again));
    assertTrue(otherSeed > 1_000, "another seed splits differently: " + otherSeed);
  }

  @Test
  void aLakeWithoutAWarehouseIsAClearError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, this::train);

    assertTrue(error.getMessage().contains("run ./fakelake run"), error.getMessage());
    assertFalse(Files.exists(lake.resolve(DuckDbWarehouse.FILE_NAME)), "no warehouse created");
  }

  @Test
  void aWarehouseWithoutTheFeatureTableIsAClearError() throws Exception {
    DuckDbWarehouse.load(lake.toString(), java.util.EnumSet.of(WarehouseTable.OPS_ALERTS));

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, this::train);

    assertTrue(error.getMessage().contains("has no gold.ml_features"), error.getMessage());
  }

  @Test
  void anEmptyFeatureTableIsAClearError() throws Exception {
    addRows(1, 0);

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, this::train);

    assertTrue(error.getMessage().contains("gold.ml_features is empty"), error.getMessage());
  }

  @Test
  void badOptionsAreClearErrorsOfTheCommand() {
    for (String[] option :
        new String[][] {
          {"--testFraction=1.5", "--testFraction must be above 0 and below 1"},
          {"--testFraction=0", "--testFraction must be above 0 and below 1"},
          {"--minNewFeatureRows=-1", "--minNewFeatureRows must be 0 or more"},
          {"--minNewFeatureRows=many", "\"many\": not a valid `long` value"},
        }) {
      PrintStream original = System.err;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = Fakelake.execute(new String[] {"train", "--lake=" + lake, option[0]});
      } finally {
        System.setErr(original);
      }
      String error = captured.toString(StandardCharsets.UTF_8);
      assertEquals(2, code, option[0]);
      assertTrue(error.contains(option[1]), error);
    }
  }
}
