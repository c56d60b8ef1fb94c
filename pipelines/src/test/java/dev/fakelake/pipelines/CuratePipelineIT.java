package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.WarehouseTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The curate command end to end on a small generated and ingested lake: every warehouse table is
 * loaded, silver keeps one row per key, nothing from bronze is lost, the quality scores find the
 * injected dirt, the Dataform models run on the result, Flink gives the same tables as the Direct
 * runner, and the order-value model trains and scores on the curated features.
 */
class CuratePipelineIT {

  @TempDir static Path lake;

  @BeforeAll
  static void generateIngestAndCurate() {
    run("generate", "--seed=7", "--scale=0.05", "--pageviews=3000");
    run("ingest");
    run("curate", "--runner=DirectRunner");
  }

  @Test
  void loadsEveryWarehouseTableIntoItsSchema() throws SQLException {
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      for (WarehouseTable table : WarehouseTable.values()) {
        if (table.isStreamed()) {
          // stream-ingest owns these; curate neither builds nor loads them.
          continue;
        }
        long rows = count(warehouse, "SELECT count(*) FROM " + table.qualifiedName());
        if (!table.dataset().equals("ops") || table == WarehouseTable.OPS_QUALITY_SCORES) {
          assertTrue(rows > 0, table.qualifiedName() + " is empty");
        }
      }
    }
  }

  @Test
  void keepsOneSilverRowPerKeyOfBronze() throws SQLException {
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      for (String[] entity :
          new String[][] {
            {"pageviews", "event_id"},
            {"ratings", "event_id"},
            {"customers", "customer_id"},
            {"car_listings", "listing_id"},
            {"orders", "order_id"}
          }) {
        long bronzeKeys =
            count(
                warehouse,
                "SELECT count(DISTINCT "
                    + entity[1]
                    + ") FROM read_parquet('"
                    + lake
                    + "/bronze/"
                    + entity[0]
                    + "/*/*.parquet')");
        long silverRows = count(warehouse, "SELECT count(*) FROM silver." + entity[0]);
        long silverKeys =
            count(warehouse, "SELECT count(DISTINCT " + entity[1] + ") FROM silver." + entity[0]);
        assertEquals(bronzeKeys, silverKeys, entity[0] + ": every bronze key reaches silver");
        assertEquals(silverKeys, silverRows, entity[0] + ": one silver row per key");
      }
    }
  }

  @Test
  void quarantinesOrphanItemsInsteadOfLosingThem() throws Exception {
    long quarantined;
    try (Stream<Path> files = Files.list(lake.resolve("silver/_quarantine/order_items"))) {
      quarantined = files.flatMap(CuratePipelineIT::lines).count();
    }
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      long bronzeItems =
          count(
              warehouse,
              "SELECT count(*) FROM (SELECT DISTINCT order_id, line_no FROM read_parquet('"
                  + lake
                  + "/bronze/order_items/*/*.parquet'))");
      long silverItems = count(warehouse, "SELECT count(*) FROM silver.order_items");
      assertTrue(quarantined > 0, "the generator injects orphans at this scale");
      assertEquals(bronzeItems, silverItems + quarantined);
      assertEquals(
          0,
          count(
              warehouse,
              "SELECT count(*) FROM silver.order_items i"
                  + " WHERE NOT EXISTS (SELECT 1 FROM silver.orders o WHERE o.order_id = i.order_id)"));
    }
  }

  @Test
  void scoresWhatItDetectedAgainstTheTruth() throws SQLException {
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      for (String kind :
          List.of("malformed", "wrong_type", "duplicate", "latency_outlier", "orphan")) {
        try (Statement statement = warehouse.createStatement();
            ResultSet score =
                statement.executeQuery(
                    "SELECT precision, recall, injected FROM ops.quality_scores"
                        + " WHERE entity = 'all' AND defect_kind = '"
                        + kind
                        + "' ORDER BY scored_at DESC LIMIT 1")) {
          assertTrue(score.next(), kind + " is scored");
          assertTrue(score.getLong("injected") > 0, kind + " was injected");
          assertTrue(score.getDouble("precision") >= 0.95, kind + " precision");
          assertTrue(score.getDouble("recall") >= 0.9, kind + " recall");
        }
      }
    }
  }

  @Test
  void enrichesPageviewsWithDayOrNightAtTheCustomersCity() throws SQLException {
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      long day = count(warehouse, "SELECT count(*) FROM silver.pageviews WHERE is_daylight");
      long night = count(warehouse, "SELECT count(*) FROM silver.pageviews WHERE NOT is_daylight");
      long summerNoon =
          count(
              warehouse,
              "SELECT count(*) FROM silver.pageviews WHERE NOT is_daylight AND region IS NOT NULL"
                  + " AND hour(event_time) = 11 AND month(event_time) IN (5, 6, 7)");
      assertTrue(day > 0 && night > 0, "both day and night occur");
      assertEquals(0, summerNoon, "never night at noon in a Czech summer");
    }
  }

  @Test
  void theDataformModelsRunWithEveryAssertionPassingOnTheCuratedWarehouse() throws SQLException {
    run("models");

    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      long pageviews = count(warehouse, "SELECT count(*) FROM silver.pageviews");
      assertTrue(pageviews > 0);
      assertEquals(pageviews, count(warehouse, "SELECT count(*) FROM marts.pageview_facts"));
      assertEquals(pageviews, count(warehouse, "SELECT sum(pageviews) FROM marts.sessions"));
      assertEquals(
          count(warehouse, "SELECT count(*) FROM silver.orders WHERE status <> 'cancelled'"),
          count(warehouse, "SELECT count(*) FROM marts.customer_running_revenue"));
    }
  }

  @Test
  void givesTheSameSilverAndGoldOnFlinkAsOnDirect() throws SQLException {
    List<WarehouseTable> curated = CuratePipeline.curatedTables();
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      try (Statement statement = warehouse.createStatement()) {
        statement.execute("CREATE SCHEMA IF NOT EXISTS direct_run");
        for (WarehouseTable table : curated) {
          statement.execute(
              "CREATE OR REPLACE TABLE direct_run."
                  + table.tableName()
                  + " AS SELECT * FROM "
                  + table.qualifiedName());
        }
      }
    }

    run("curate", "--runner=FlinkRunner", "--parallelism=2");

    List<String> differing = new ArrayList<>();
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      for (WarehouseTable table : curated) {
        String flink = table.qualifiedName();
        String direct = "direct_run." + table.tableName();
        long onlyOne =
            count(
                    warehouse,
                    "SELECT count(*) FROM (SELECT * FROM "
                        + flink
                        + " EXCEPT ALL SELECT * FROM "
                        + direct
                        + ")")
                + count(
                    warehouse,
                    "SELECT count(*) FROM (SELECT * FROM "
                        + direct
                        + " EXCEPT ALL SELECT * FROM "
                        + flink
                        + ")");
        if (onlyOne > 0) {
          differing.add(table.qualifiedName() + " (" + onlyOne + " rows differ)");
        }
      }
    }
    assertEquals(List.of(), differing);
  }

  @Test
  void trainsAndScoresTheOrderValueModelOnTheCuratedFeatures() throws Exception {
    run("train");
    run("score");

    try (Connection warehouse = DuckDbWarehouse.open(lake.toString())) {
      long features = count(warehouse, "SELECT count(*) FROM gold.ml_features");
      assertTrue(features > 0);
      assertEquals(
          features,
          count(
              warehouse,
              "SELECT train_rows + test_rows FROM ops.model_metrics"
                  + " WHERE model_version = 'v1' AND rmse > 0 AND r2 IS NOT NULL"));
      Path predictions = lake.resolve("models/order_value/v1/predictions");
      try (Stream<Path> files = Files.list(predictions)) {
        assertEquals(features, files.flatMap(CuratePipelineIT::lines).count());
      }
    }
  }

  private static void run(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--lake=" + lake));
    all.addAll(List.of(args));
    assertEquals(0, Fakelake.execute(all.toArray(String[]::new)), String.join(" ", all));
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream().filter(line -> !line.isBlank());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
