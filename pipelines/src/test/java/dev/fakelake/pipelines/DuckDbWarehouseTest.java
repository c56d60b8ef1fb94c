package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.io.WriteWindowedFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The local warehouse loads the lake's Parquet and JSON Lines files into DuckDB. */
@ExtendWith(TestPipelineExtension.class)
class DuckDbWarehouseTest {

  /** 23:30 UTC: a timestamp shifted to any other zone would land on another day or hour. */
  static final Instant FIRST_INSTANT = Instant.parse("2026-11-21T23:30:00.000Z");

  static final LocalDate FIRST_DATE = LocalDate.of(2026, 11, 21);

  @TempDir Path lake;

  /**
   * Rows of a table's schema whose values follow from the column type and the row number {@code i}:
   * INT64 {@code 1000 + i}, INT32 {@code i}, DOUBLE {@code i + 0.5}, STRING {@code column-i},
   * BOOLEAN {@code i} even, DATETIME {@link #FIRST_INSTANT} plus {@code i} days, DATE {@link
   * #FIRST_DATE} plus {@code i} days, ARRAY {@code [/a/i, /b/i]}. Nullable columns are null in odd
   * rows.
   */
  static List<Row> sampleRows(WarehouseTable table, int count) {
    Schema schema = table.schema();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Row.Builder row = Row.withSchema(schema);
      for (Field field : schema.getFields()) {
        row.addValue(field.getType().getNullable() && i % 2 == 1 ? null : sampleValue(field, i));
      }
      rows.add(row.build());
    }
    return rows;
  }

  private static Object sampleValue(Field field, int i) {
    switch (field.getType().getTypeName()) {
      case INT64:
        return 1000L + i;
      case INT32:
        return i;
      case DOUBLE:
        return i + 0.5;
      case STRING:
        return field.getName() + "-" + i;
      case BOOLEAN:
        return i % 2 == 0;
      case DATETIME:
        return FIRST_INSTANT.plus(Duration.standardDays(i));
      case ARRAY:
        return List.of("/a/" + i, "/b/" + i);
      case LOGICAL_TYPE:
        return FIRST_DATE.plusDays(i);
      default:
        throw new IllegalArgumentException("No sample value for " + field);
    }
  }

  /** Writes rows of each table as Parquet into {@code LAKE/dataset/table/}, as curate does. */
  private void writeParquet(Pipeline pipeline, Map<WarehouseTable, List<Row>> rowsByTable) {
    rowsByTable.forEach(
        (table, rows) -> {
          org.apache.avro.Schema avroSchema =
              AvroUtils.toAvroSchema(table.schema(), table.tableName(), "fakelake.test.avro");
          String folder = lake.resolve(table.dataset()).resolve(table.tableName()).toString();
          pipeline
              .apply("Create" + table.name(), Create.of(rows).withRowSchema(table.schema()))
              .apply(
                  "ToAvro" + table.name(),
                  MapElements.into(TypeDescriptor.of(GenericRecord.class))
                      .via(AvroUtils.getRowToGenericRecordFunction(avroSchema)))
              .setCoder(AvroCoder.of(GenericRecord.class, avroSchema))
              .apply(
                  "Write" + table.name(),
                  FileIO.<GenericRecord>write()
                      .via(ParquetIO.sink(avroSchema))
                      .to(folder)
                      .withSuffix(".parquet"));
        });
    pipeline.run().waitUntilFinish();
  }

  private void writeAlerts(String... lines) throws IOException {
    Path folder = lake.resolve("ops").resolve("alerts");
    Files.createDirectories(folder);
    Files.write(folder.resolve("alerts-00000.jsonl"), List.of(lines), StandardCharsets.UTF_8);
  }

  private List<List<String>> query(String sql) throws SQLException {
    try (Connection connection = DuckDbWarehouse.open(lake.toString());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      List<List<String>> rows = new ArrayList<>();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int c = 1; c <= columns; c++) {
          row.add(result.getString(c));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private List<List<String>> columns(WarehouseTable table) throws SQLException {
    return query(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog ="
            + " 'warehouse' AND table_schema = '"
            + table.dataset()
            + "' AND table_name = '"
            + table.tableName()
            + "' ORDER BY ordinal_position");
  }

  @Test
  void createsTablesInTheirDatasetSchemaWithTheSchemaColumnsAndTypes(TestPipeline pipeline)
      throws Exception {
    writeParquet(
        pipeline,
        Map.of(WarehouseTable.GOLD_DAILY_SALES, sampleRows(WarehouseTable.GOLD_DAILY_SALES, 2)));

    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.GOLD_DAILY_SALES));

    assertEquals(
        List.of(
            List.of("sales_date", "DATE"),
            List.of("orders", "BIGINT"),
            List.of("units", "BIGINT"),
            List.of("revenue", "DOUBLE"),
            List.of("customers", "BIGINT"),
            List.of("avg_order_value", "DOUBLE")),
        columns(WarehouseTable.GOLD_DAILY_SALES));
  }

  @Test
  void loadsParquetValuesWithArraysAndNulls(TestPipeline pipeline) throws Exception {
    writeParquet(
        pipeline,
        Map.of(WarehouseTable.SILVER_PRODUCTS, sampleRows(WarehouseTable.SILVER_PRODUCTS, 2)));

    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.SILVER_PRODUCTS));

    assertEquals(
        List.of(
            List.of("1000", "name-0", "0.5", "material-0", "/a/0,/b/0", "VARCHAR[]"),
            Arrays.asList("1001", "name-1", "1.5", null, "/a/1,/b/1", "VARCHAR[]")),
        query(
            "SELECT product_id, name, price, material, array_to_string(pages, ','),"
                + " typeof(pages) FROM silver.products ORDER BY product_id"));
  }

  @Test
  void loadsParquetTimestampsAsUtcAndDatesAsDates(TestPipeline pipeline) throws Exception {
    writeParquet(
        pipeline,
        Map.of(WarehouseTable.SILVER_ORDERS, sampleRows(WarehouseTable.SILVER_ORDERS, 2)));

    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.SILVER_ORDERS));

    assertEquals(
        List.of(
            List.of("2026-11-21 23:30:00", "2026-11-21", "TIMESTAMP", "DATE"),
            List.of("2026-11-22 23:30:00", "2026-11-22", "TIMESTAMP", "DATE")),
        query(
            "SELECT CAST(created_at AS VARCHAR), CAST(order_date AS VARCHAR), typeof(created_at),"
                + " typeof(order_date) FROM silver.orders ORDER BY order_id"));
  }

  @Test
  void loadsOpsJsonLinesWithUtcTimestampsAndNulls() throws Exception {
    writeAlerts(
        "{\"raised_at\":\"2026-11-21T23:45:00.000Z\",\"origin\":\"curate\",\"batch_id\":null,"
            + "\"source\":\"orders\",\"check_name\":\"dead_letter_rate\",\"observed\":0.07,"
            + "\"threshold\":0.05,\"message\":\"7% dead-lettered\"}",
        "{\"raised_at\":\"2026-11-22T01:00:00.000Z\",\"origin\":\"stream\",\"batch_id\":\"b-2\","
            + "\"source\":\"pageviews\",\"check_name\":\"lateness\",\"observed\":null,"
            + "\"threshold\":null,\"message\":\"late\"}");

    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.OPS_ALERTS));

    assertEquals(
        List.of(
            Arrays.asList(
                "2026-11-21 23:45:00", "curate", null, "orders", "0.07", "7% dead-lettered"),
            Arrays.asList("2026-11-22 01:00:00", "stream", "b-2", "pageviews", null, "late")),
        query(
            "SELECT CAST(raised_at AS VARCHAR), origin, batch_id, source, observed, message"
                + " FROM ops.alerts ORDER BY raised_at"));
  }

  @Test
  void loadsTheStreamsWindowedFilesFromTheTableFolders(TestPipeline pipeline) throws Exception {
    List<Row> sales = sampleRows(WarehouseTable.GOLD_DAILY_SALES, 3);
    List<Row> alerts = sampleRows(WarehouseTable.OPS_ALERTS, 3);
    writeWindowed(
        pipeline, WarehouseTable.GOLD_DAILY_SALES, sales, WriteWindowedFiles.Format.PARQUET);
    writeWindowed(
        pipeline, WarehouseTable.OPS_ALERTS, alerts, WriteWindowedFiles.Format.JSON_LINES);
    pipeline.run().waitUntilFinish();

    DuckDbWarehouse.load(
        lake.toString(), EnumSet.of(WarehouseTable.GOLD_DAILY_SALES, WarehouseTable.OPS_ALERTS));

    assertEquals(
        List.of(List.of("3", "1000", "1002")),
        query("SELECT count(*), min(orders), max(orders) FROM gold.daily_sales"));
    assertEquals(
        List.of(
            Arrays.asList("2026-11-21 23:30:00", "origin-0", "batch_id-0"),
            Arrays.asList("2026-11-22 23:30:00", "origin-1", null),
            Arrays.asList("2026-11-23 23:30:00", "origin-2", "batch_id-2")),
        query(
            "SELECT CAST(raised_at AS VARCHAR), origin, batch_id FROM ops.alerts"
                + " ORDER BY raised_at"));
    try (Stream<Path> files = Files.list(lake.resolve("ops").resolve("alerts"))) {
      assertEquals(
          List.of(
              "alerts-2026-11-21T23-30-00Z-p0-00000-of-00001.jsonl",
              "alerts-2026-11-21T23-31-00Z-p0-00000-of-00001.jsonl",
              "alerts-2026-11-21T23-32-00Z-p0-00000-of-00001.jsonl"),
          files
              .map(file -> file.getFileName().toString())
              .filter(name -> !name.startsWith("."))
              .sorted()
              .toList());
    }
  }

  /**
   * Writes rows as the stream does, one window file set per row (each in its own minute), into
   * {@code LAKE/dataset/table/}.
   */
  private void writeWindowed(
      Pipeline pipeline, WarehouseTable table, List<Row> rows, WriteWindowedFiles.Format format) {
    List<TimestampedValue<Row>> timed = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      timed.add(TimestampedValue.of(rows.get(i), FIRST_INSTANT.plus(Duration.standardMinutes(i))));
    }
    String folder = lake.resolve(table.dataset()).resolve(table.tableName()).toString();
    pipeline
        .apply(
            "Create" + table.name(),
            Create.timestamped(timed).withCoder(RowCoder.of(table.schema())))
        .setRowSchema(table.schema())
        .apply(
            "Write" + table.name(),
            WriteWindowedFiles.to(folder, format).withPrefix(table.tableName()));
  }

  @Test
  void opsTablesGetTheSchemaTypesRatherThanGuessedOnes() throws Exception {
    writeAlerts(
        "{\"raised_at\":\"2026-11-21T23:45:00.000Z\",\"origin\":\"curate\",\"batch_id\":null,"
            + "\"source\":\"orders\",\"check_name\":\"rate\",\"observed\":1,\"threshold\":null,"
            + "\"message\":\"m\"}");

    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.OPS_ALERTS));

    assertEquals(
        List.of(
            List.of("raised_at", "TIMESTAMP"),
            List.of("origin", "VARCHAR"),
            List.of("batch_id", "VARCHAR"),
            List.of("source", "VARCHAR"),
            List.of("check_name", "VARCHAR"),
            List.of("observed", "DOUBLE"),
            List.of("threshold", "DOUBLE"),
            List.of("message", "VARCHAR")),
        columns(WarehouseTable.OPS_ALERTS));
  }

  @Test
  void returnsTheRowCountOfEachTable(TestPipeline pipeline) throws Exception {
    writeParquet(
        pipeline,
        Map.of(
            WarehouseTable.SILVER_PRODUCTS, sampleRows(WarehouseTable.SILVER_PRODUCTS, 3),
            WarehouseTable.GOLD_DAILY_SALES, sampleRows(WarehouseTable.GOLD_DAILY_SALES, 2)));

    Map<WarehouseTable, Long> counts =
        DuckDbWarehouse.load(
            lake.toString(),
            EnumSet.of(
                WarehouseTable.SILVER_PRODUCTS,
                WarehouseTable.GOLD_DAILY_SALES,
                WarehouseTable.OPS_ALERTS));

    assertEquals(
        Map.of(
            WarehouseTable.SILVER_PRODUCTS, 3L,
            WarehouseTable.GOLD_DAILY_SALES, 2L,
            WarehouseTable.OPS_ALERTS, 0L),
        counts);
  }

  @Test
  void missingFolderGivesAnEmptyTableWithItsColumns() throws Exception {
    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.SILVER_CAR_LISTINGS));

    assertEquals(0, DuckDbWarehouse.count(lake.toString(), "silver.car_listings"));
    assertEquals(
        WarehouseTable.SILVER_CAR_LISTINGS.schema().getFieldNames(),
        columns(WarehouseTable.SILVER_CAR_LISTINGS).stream().map(c -> c.get(0)).toList());
  }

  @Test
  void emptyFolderGivesAnEmptyTable() throws Exception {
    Files.createDirectories(lake.resolve("gold").resolve("daily_sales"));
    Files.createDirectories(lake.resolve("ops").resolve("load_stats"));
    Files.createFile(lake.resolve("ops").resolve("load_stats").resolve("empty.jsonl"));

    Map<WarehouseTable, Long> counts =
        DuckDbWarehouse.load(
            lake.toString(),
            EnumSet.of(WarehouseTable.GOLD_DAILY_SALES, WarehouseTable.OPS_LOAD_STATS));

    assertEquals(
        Map.of(WarehouseTable.GOLD_DAILY_SALES, 0L, WarehouseTable.OPS_LOAD_STATS, 0L), counts);
  }

  @Test
  void everyWarehouseTableCanBeCreated() {
    Map<WarehouseTable, Long> counts =
        DuckDbWarehouse.load(lake.toString(), EnumSet.allOf(WarehouseTable.class));

    assertEquals(WarehouseTable.values().length, counts.size());
    assertTrue(counts.values().stream().allMatch(count -> count == 0L));
  }

  @Test
  void loadingTwiceReplacesTheRows(TestPipeline pipeline) throws Exception {
    writeParquet(
        pipeline,
        Map.of(WarehouseTable.SILVER_PRODUCTS, sampleRows(WarehouseTable.SILVER_PRODUCTS, 2)));
    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.SILVER_PRODUCTS));

    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.SILVER_PRODUCTS));

    assertEquals(2, DuckDbWarehouse.count(lake.toString(), "silver.products"));
  }

  @Test
  void failedLoadKeepsEveryPreviousTable(TestPipeline pipeline) throws Exception {
    writeParquet(
        pipeline,
        Map.of(
            WarehouseTable.SILVER_PRODUCTS, sampleRows(WarehouseTable.SILVER_PRODUCTS, 2),
            WarehouseTable.GOLD_DAILY_SALES, sampleRows(WarehouseTable.GOLD_DAILY_SALES, 3)));
    Set<WarehouseTable> tables =
        EnumSet.of(WarehouseTable.SILVER_PRODUCTS, WarehouseTable.GOLD_DAILY_SALES);
    DuckDbWarehouse.load(lake.toString(), tables);
    // silver.products, loaded first, would now be emptied; gold.daily_sales then fails.
    deleteRecursively(lake.resolve("silver").resolve("products"));
    Files.writeString(lake.resolve("gold").resolve("daily_sales").resolve("bad.parquet"), "junk");

    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class, () -> DuckDbWarehouse.load(lake.toString(), tables));

    assertTrue(failure.getMessage().contains("gold.daily_sales"), failure.getMessage());
    assertEquals(2, DuckDbWarehouse.count(lake.toString(), "silver.products"));
    assertEquals(3, DuckDbWarehouse.count(lake.toString(), "gold.daily_sales"));
  }

  @Test
  void warehouseFileUsesAStorageFormatThatDuckDb1CanOpen() throws Exception {
    DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.OPS_ALERTS));

    assertEquals("v1.0.0+", storageVersion(DuckDbWarehouse.file(lake.toString())));
  }

  @Test
  void warehouseCreatedInTheNewerFormatStillLoads() throws Exception {
    Path file = DuckDbWarehouse.file(lake.toString());
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("ATTACH '" + file + "' AS newer");
    }

    Map<WarehouseTable, Long> counts =
        DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.OPS_ALERTS));

    assertEquals(Map.of(WarehouseTable.OPS_ALERTS, 0L), counts);
  }

  @Test
  void warehouseHeldByAnotherProcessFailsWithAClearMessage() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process holder =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HoldWarehouse.class.getName(),
                lake.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader output =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals(HoldWarehouse.READY, output.readLine());

      IllegalStateException failure =
          assertThrows(
              IllegalStateException.class,
              () -> DuckDbWarehouse.load(lake.toString(), EnumSet.of(WarehouseTable.OPS_ALERTS)));

      assertTrue(failure.getMessage().contains("open in another process"), failure.getMessage());
    } finally {
      holder.destroy();
      holder.waitFor();
    }
  }

  @Test
  void duckDbTypeRejectsTypesNoWarehouseTableUses() {
    assertThrows(
        IllegalArgumentException.class, () -> DuckDbWarehouse.duckDbType(Schema.FieldType.BYTES));
  }

  private static String storageVersion(Path file) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("ATTACH '" + file + "' AS checked (READ_ONLY)");
      try (ResultSet result =
          statement.executeQuery(
              "SELECT tags['storage_version'] FROM duckdb_databases()"
                  + " WHERE database_name = 'checked'")) {
        result.next();
        return result.getString(1);
      }
    }
  }

  private static void deleteRecursively(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** Holds the lake's warehouse open until killed, as a DuckDB CLI or DBeaver would. */
  static final class HoldWarehouse {
    static final String READY = "holding";

    public static void main(String[] args) throws Exception {
      try (Connection connection = DuckDbWarehouse.open(args[0])) {
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(60_000);
      }
    }
  }
}
