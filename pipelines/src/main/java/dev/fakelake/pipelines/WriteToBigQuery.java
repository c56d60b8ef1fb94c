package dev.fakelake.pipelines;

import com.google.api.services.bigquery.model.Clustering;
import com.google.api.services.bigquery.model.TimePartitioning;
import dev.fakelake.schemas.WarehouseTable;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.CreateDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.Method;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.WriteDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.WriteResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Writes rows of a {@link WarehouseTable} to its BigQuery table {@code project:dataset.table},
 * creating it when needed with the table's day partitioning and clustering. Columns and types come
 * from the Beam schema ({@code DATETIME} is {@code TIMESTAMP}, {@code SqlTypes.DATE} is {@code
 * DATE}, {@code ARRAY<STRING>} is a {@code REPEATED STRING}).
 *
 * <p>How rows are written depends on the table:
 *
 * <ul>
 *   <li>ops tables are logs: each run appends with the Storage Write API (exactly once).
 *   <li>silver and gold tables are rebuilt by each curate run, which needs {@code WRITE_TRUNCATE}.
 *       Beam 2.70's Storage Write API sink does not implement it: BigQueryIO only logs "The Storage
 *       API sink does not support the WRITE_TRUNCATE write disposition." and appends, so a second
 *       run would double every row. These tables are therefore written with BigQuery load jobs
 *       ({@code FILE_LOADS}) and {@code WRITE_TRUNCATE}: the job replaces the table atomically when
 *       it succeeds (readers see the old or the new table, never half of one), a failed run leaves
 *       the previous table, and load jobs cost nothing. They stage files under {@code
 *       --tempLocation}, which must be on Cloud Storage.
 *   <li>an unbounded input (a streaming job) has no run to rebuild, so it always appends with the
 *       Storage Write API, committing every {@link #STREAMING_COMMIT_INTERVAL}.
 * </ul>
 *
 * <pre>{@code
 * rows.apply("WriteOrdersToWarehouse", WriteToBigQuery.table(WarehouseTable.SILVER_ORDERS, options));
 * }</pre>
 */
public final class WriteToBigQuery extends PTransform<PCollection<Row>, WriteResult> {

  /** How often a streaming write commits what it has appended. */
  public static final Duration STREAMING_COMMIT_INTERVAL = Duration.standardSeconds(10);

  private final WarehouseTable table;
  private final String tableSpec;
  private final @Nullable BigQueryServices testServices;

  private WriteToBigQuery(
      WarehouseTable table, String tableSpec, @Nullable BigQueryServices testServices) {
    this.table = table;
    this.tableSpec = tableSpec;
    this.testServices = testServices;
  }

  /**
   * Writes {@code table} in the project and dataset the options name.
   *
   * @throws IllegalArgumentException when the options give no BigQuery project
   */
  public static WriteToBigQuery table(WarehouseTable table, WarehouseOptions options) {
    String project = WarehouseOptions.bigQueryProject(options);
    if (project == null) {
      throw new IllegalArgumentException(
          "Writing "
              + table.qualifiedName()
              + " to BigQuery needs a project: pass --bigQueryProject=PROJECT or --project=PROJECT.");
    }
    String dataset = WarehouseOptions.bigQueryDataset(options, table);
    return new WriteToBigQuery(table, project + ":" + dataset + "." + table.tableName(), null);
  }

  /** The same write against fake or recording BigQuery services, for tests. */
  public WriteToBigQuery withTestServices(BigQueryServices services) {
    return new WriteToBigQuery(table, tableSpec, services);
  }

  /** The destination, {@code project:dataset.table}. */
  public String tableSpec() {
    return tableSpec;
  }

  /**
   * Whether each bounded write replaces the table (curate's silver and gold) rather than appending
   * (ops, and the stream's tables, which a bounded burst of stream-ingest adds to).
   */
  public static boolean isRebuilt(WarehouseTable table) {
    return !table.dataset().equals("ops") && !table.isStreamed();
  }

  @Override
  public WriteResult expand(PCollection<Row> input) {
    if (!input.hasSchema() || !input.getSchema().equivalent(table.schema())) {
      throw new IllegalArgumentException(
          "Rows written to "
              + table.qualifiedName()
              + " must have its schema "
              + table.schema()
              + " but have "
              + (input.hasSchema() ? input.getSchema() : "no schema"));
    }
    BigQueryIO.Write<Row> write =
        BigQueryIO.<Row>write()
            .to(tableSpec)
            .useBeamSchema()
            .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED);
    if (table.partitionField() != null) {
      write =
          write.withTimePartitioning(
              new TimePartitioning().setType("DAY").setField(table.partitionField()));
    }
    if (!table.clusteringFields().isEmpty()) {
      write = write.withClustering(new Clustering().setFields(table.clusteringFields()));
    }
    if (input.isBounded() == PCollection.IsBounded.BOUNDED && isRebuilt(table)) {
      checkLoadJobsCanReadTheirFiles(input.getPipeline().getOptions());
      write =
          write.withMethod(Method.FILE_LOADS).withWriteDisposition(WriteDisposition.WRITE_TRUNCATE);
    } else {
      write =
          write
              .withMethod(Method.STORAGE_WRITE_API)
              .withWriteDisposition(WriteDisposition.WRITE_APPEND);
      if (input.isBounded() == PCollection.IsBounded.UNBOUNDED) {
        write = write.withTriggeringFrequency(STREAMING_COMMIT_INTERVAL).withAutoSharding();
      }
    }
    if (testServices != null) {
      write = write.withTestServices(testServices);
    }
    return input.apply("WriteRows", write);
  }

  /** Load jobs read the files BigQueryIO stages under the temp location, so it must be on GCS. */
  private void checkLoadJobsCanReadTheirFiles(PipelineOptions options) {
    String tempLocation = options.getTempLocation();
    if (testServices == null && (tempLocation == null || !tempLocation.startsWith("gs://"))) {
      throw new IllegalArgumentException(
          "Rebuilding "
              + table.qualifiedName()
              + " in BigQuery stages files for a load job: pass --tempLocation=gs://BUCKET/tmp"
              + " (it is "
              + tempLocation
              + ").");
    }
  }
}
