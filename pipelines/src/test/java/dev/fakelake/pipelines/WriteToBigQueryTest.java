package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import dev.fakelake.schemas.WarehouseTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Warehouse tables land in BigQuery (a fake of it) with their columns, partitioning and rows. */
@ExtendWith(TestPipelineExtension.class)
class WriteToBigQueryTest {

  private static final String SILVER = "fl_silver";
  private static final String GOLD = "fl_gold";
  private static final String OPS = "fl_ops";

  // BigQueryIO remembers in a static cache which tables it created: a project per test keeps one
  // test's tables from being taken as created in the next test's fresh fake.
  private static final AtomicInteger TESTS = new AtomicInteger();

  @TempDir Path tempLocation;

  private String project;
  private FakeDatasetService datasets;
  private FakeBigQueryServices services;

  @BeforeEach
  void createFakeBigQuery() throws Exception {
    FakeDatasetService.setUp();
    FakeJobService.setUp();
    project = "fakelake-test-" + TESTS.incrementAndGet();
    datasets = new FakeDatasetService();
    for (String dataset : List.of(SILVER, GOLD, OPS)) {
      datasets.createDataset(project, dataset, "EU", "", null);
    }
    services =
        new FakeBigQueryServices()
            .withDatasetService(datasets)
            .withJobService(new FakeJobService());
  }

  /** The pipeline's own options, as a command would set them. */
  private WarehouseOptions configure(Pipeline pipeline) {
    WarehouseOptions options = pipeline.getOptions().as(WarehouseOptions.class);
    options.setWarehouse(WarehouseOptions.BIGQUERY);
    options.setBigQueryProject(project);
    options.setSilverDataset(SILVER);
    options.setGoldDataset(GOLD);
    options.setOpsDataset(OPS);
    options.setTempLocation(tempLocation.toString());
    return options;
  }

  private void write(Pipeline pipeline, WarehouseTable table, int rows) {
    WarehouseOptions options = configure(pipeline);
    pipeline
        .apply(
            "Create" + table.name(),
            Create.of(DuckDbWarehouseTest.sampleRows(table, rows)).withRowSchema(table.schema()))
        .apply(
            "Write" + table.name(),
            WriteToBigQuery.table(table, options).withTestServices(services));
    pipeline.run().waitUntilFinish();
  }

  /** An earlier run of the same write, in a pipeline of its own. */
  private void writeInEarlierRun(WarehouseTable table, int rows) {
    Pipeline earlier = Pipeline.create(PipelineOptionsFactory.create());
    write(earlier, table, rows);
  }

  private Table table(String dataset, WarehouseTable table) throws Exception {
    return datasets.getTable(
        new TableReference()
            .setProjectId(project)
            .setDatasetId(dataset)
            .setTableId(table.tableName()));
  }

  private List<TableRow> rows(String dataset, WarehouseTable table) throws Exception {
    return datasets.getAllRows(project, dataset, table.tableName());
  }

  private static List<String> columns(Table table) {
    List<String> columns = new ArrayList<>();
    for (TableFieldSchema field : table.getSchema().getFields()) {
      // BigQuery reads an absent mode as NULLABLE.
      String mode = field.getMode() == null ? "NULLABLE" : field.getMode();
      columns.add(field.getName() + " " + field.getType() + " " + mode);
    }
    return columns;
  }

  @Test
  void silverTableGetsTheSchemaColumnsAndBigQueryTypes(TestPipeline pipeline) throws Exception {
    write(pipeline, WarehouseTable.SILVER_ORDERS, 2);

    List<String> columns = columns(table(SILVER, WarehouseTable.SILVER_ORDERS));

    assertEquals(WarehouseTable.SILVER_ORDERS.schema().getFieldCount(), columns.size());
    assertEquals("order_id INT64 REQUIRED", columns.get(0));
    assertTrue(columns.contains("payment_method STRING NULLABLE"), columns.toString());
    assertTrue(columns.contains("created_at TIMESTAMP REQUIRED"), columns.toString());
    assertTrue(columns.contains("order_date DATE REQUIRED"), columns.toString());
    assertTrue(columns.contains("item_count INT64 REQUIRED"), columns.toString());
    assertTrue(columns.contains("total_amount FLOAT64 REQUIRED"), columns.toString());
    assertTrue(columns.contains("is_daylight BOOL NULLABLE"), columns.toString());
  }

  @Test
  void silverTableIsPartitionedByDayAndClustered(TestPipeline pipeline) throws Exception {
    write(pipeline, WarehouseTable.SILVER_ORDERS, 2);

    Table orders = table(SILVER, WarehouseTable.SILVER_ORDERS);

    assertEquals("DAY", orders.getTimePartitioning().getType());
    assertEquals("created_at", orders.getTimePartitioning().getField());
    assertEquals(List.of("status", "customer_id"), orders.getClustering().getFields());
  }

  @Test
  void silverRowsAreWrittenWithUtcTimestamps(TestPipeline pipeline) throws Exception {
    write(pipeline, WarehouseTable.SILVER_ORDERS, 3);

    List<TableRow> rows = rows(SILVER, WarehouseTable.SILVER_ORDERS);

    assertEquals(
        List.of(
            "1000 2026-11-21 23:30:00.000 UTC",
            "1001 2026-11-22 23:30:00.000 UTC",
            "1002 2026-11-23 23:30:00.000 UTC"),
        rows.stream()
            .map(row -> row.get("order_id") + " " + row.get("created_at"))
            .sorted()
            .toList());
  }

  @Test
  void stringArrayBecomesARepeatedString(TestPipeline pipeline) throws Exception {
    write(pipeline, WarehouseTable.SILVER_PRODUCTS, 1);

    Table products = table(SILVER, WarehouseTable.SILVER_PRODUCTS);
    List<TableRow> rows = rows(SILVER, WarehouseTable.SILVER_PRODUCTS);

    assertTrue(columns(products).contains("pages STRING REPEATED"), columns(products).toString());
    assertEquals(List.of("/a/0", "/b/0"), rows.get(0).get("pages"));
  }

  @Test
  void goldDateColumnBecomesADatePartition(TestPipeline pipeline) throws Exception {
    write(pipeline, WarehouseTable.GOLD_DAILY_SALES, 2);

    Table dailySales = table(GOLD, WarehouseTable.GOLD_DAILY_SALES);
    List<TableRow> rows = rows(GOLD, WarehouseTable.GOLD_DAILY_SALES);

    assertEquals("sales_date DATE REQUIRED", columns(dailySales).get(0));
    assertEquals("sales_date", dailySales.getTimePartitioning().getField());
    assertNull(dailySales.getClustering());
    assertEquals(
        List.of("2026-11-21", "2026-11-22"),
        rows.stream().map(row -> String.valueOf(row.get("sales_date"))).sorted().toList());
  }

  @Test
  void opsTableIsPartitionedAndClustered(TestPipeline pipeline) throws Exception {
    write(pipeline, WarehouseTable.OPS_ALERTS, 2);

    Table alerts = table(OPS, WarehouseTable.OPS_ALERTS);

    assertEquals("raised_at TIMESTAMP REQUIRED", columns(alerts).get(0));
    assertEquals("raised_at", alerts.getTimePartitioning().getField());
    assertEquals(List.of("source", "check_name"), alerts.getClustering().getFields());
  }

  @Test
  void opsRowsAreAppendedByEachRun(TestPipeline pipeline) throws Exception {
    writeInEarlierRun(WarehouseTable.OPS_ALERTS, 2);

    write(pipeline, WarehouseTable.OPS_ALERTS, 3);

    assertEquals(5, rows(OPS, WarehouseTable.OPS_ALERTS).size());
  }

  // On WRITE_TRUNCATE the fake job service deletes the table and fails that attempt (the log
  // shows "Load job ... failed, will retry"); BigQueryIO's retry recreates it. Real BigQuery does
  // both in one job.
  @Test
  void silverRowsAreReplacedByEachRun(TestPipeline pipeline) throws Exception {
    writeInEarlierRun(WarehouseTable.SILVER_ORDERS, 2);

    write(pipeline, WarehouseTable.SILVER_ORDERS, 3);

    assertEquals(3, rows(SILVER, WarehouseTable.SILVER_ORDERS).size());
  }

  @Test
  void goldRowsAreReplacedByEachRun(TestPipeline pipeline) throws Exception {
    writeInEarlierRun(WarehouseTable.GOLD_DAILY_SALES, 4);

    write(pipeline, WarehouseTable.GOLD_DAILY_SALES, 1);

    assertEquals(1, rows(GOLD, WarehouseTable.GOLD_DAILY_SALES).size());
  }

  @Test
  void tableSpecNamesTheConfiguredProjectAndDataset() {
    WarehouseOptions options = PipelineOptionsFactory.as(WarehouseOptions.class);
    options.setBigQueryProject("analytics");
    options.setGoldDataset("curated");

    String spec = WriteToBigQuery.table(WarehouseTable.GOLD_DAILY_SALES, options).tableSpec();

    assertEquals("analytics:curated.daily_sales", spec);
  }

  @Test
  void projectDefaultsToTheGcpProject() {
    WarehouseOptions options =
        PipelineOptionsFactory.fromArgs("--project=gcp-project").as(WarehouseOptions.class);

    String spec = WriteToBigQuery.table(WarehouseTable.OPS_ALERTS, options).tableSpec();

    assertEquals("gcp-project:ops.alerts", spec);
  }

  @Test
  void rowsOfAnotherSchemaAreRejected(TestPipeline pipeline) {
    pipeline.enableAbandonedNodeEnforcement(false);
    WarehouseOptions options = configure(pipeline);

    assertThrows(
        IllegalArgumentException.class,
        () ->
            pipeline
                .apply(
                    Create.of(DuckDbWarehouseTest.sampleRows(WarehouseTable.GOLD_DAILY_SALES, 1))
                        .withRowSchema(WarehouseTable.GOLD_DAILY_SALES.schema()))
                .apply(WriteToBigQuery.table(WarehouseTable.SILVER_ORDERS, options)));
  }

  @Test
  void bigQueryProjectIsTheOneBigQueryIoRunsJobsIn() {
    WarehouseOptions options =
        PipelineOptionsFactory.fromArgs("--bigQueryProject=analytics").as(WarehouseOptions.class);

    assertEquals("analytics", options.as(BigQueryOptions.class).getBigQueryProject());
  }

  @Test
  void unknownWarehouseIsRejected() {
    WarehouseOptions options =
        PipelineOptionsFactory.fromArgs("--warehouse=snowflake").as(WarehouseOptions.class);

    IllegalArgumentException failure =
        assertThrows(IllegalArgumentException.class, () -> WarehouseOptions.validate(options));

    assertTrue(failure.getMessage().contains("snowflake"), failure.getMessage());
  }

  @Test
  void bigQueryWithoutAProjectIsRejected() {
    WarehouseOptions options =
        PipelineOptionsFactory.fromArgs("--warehouse=bigquery").as(WarehouseOptions.class);
    options.as(BigQueryOptions.class).setProject("");

    IllegalArgumentException failure =
        assertThrows(IllegalArgumentException.class, () -> WarehouseOptions.validate(options));

    assertTrue(failure.getMessage().contains("--bigQueryProject"), failure.getMessage());
  }

  @Test
  void rebuildingWithoutACloudStorageTempLocationIsRejected(TestPipeline pipeline) {
    pipeline.enableAbandonedNodeEnforcement(false);
    WarehouseOptions options = configure(pipeline);

    IllegalArgumentException failure =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                pipeline
                    .apply(
                        Create.of(DuckDbWarehouseTest.sampleRows(WarehouseTable.SILVER_ORDERS, 1))
                            .withRowSchema(WarehouseTable.SILVER_ORDERS.schema()))
                    .apply(WriteToBigQuery.table(WarehouseTable.SILVER_ORDERS, options)));

    assertTrue(failure.getMessage().contains("--tempLocation=gs://"), failure.getMessage());
  }

  @Test
  void bigQueryWithAProjectIsAccepted() {
    WarehouseOptions options =
        PipelineOptionsFactory.fromArgs("--warehouse=bigquery", "--bigQueryProject=p")
            .as(WarehouseOptions.class);

    WarehouseOptions.validate(options);

    assertEquals("p", WarehouseOptions.bigQueryProject(options));
  }
}
