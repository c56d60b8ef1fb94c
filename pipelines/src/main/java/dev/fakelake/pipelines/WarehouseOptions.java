package dev.fakelake.pipelines;

import dev.fakelake.schemas.WarehouseTable;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where curated tables go: the local DuckDB file in the lake (the default) or BigQuery, and the
 * BigQuery project, location and datasets. {@link #validate} checks a combination before a run.
 */
public interface WarehouseOptions extends PipelineOptions {

  String DUCKDB = "duckdb";
  String BIGQUERY = "bigquery";

  @Description("Warehouse of the curated tables: duckdb (LAKE/warehouse.duckdb) or bigquery.")
  @Default.String(DUCKDB)
  String getWarehouse();

  void setWarehouse(String value);

  /**
   * Shared with Beam's {@code BigQueryOptions}, which has no default either: BigQueryIO treats any
   * non-null value, even an empty one, as the project to run its jobs in.
   */
  @Description("BigQuery project of the warehouse datasets and jobs; unset means --project.")
  String getBigQueryProject();

  void setBigQueryProject(String value);

  @Description("BigQuery location of the warehouse datasets, e.g. EU, US, europe-west3.")
  @Default.String("EU")
  String getBigQueryDatasetLocation();

  void setBigQueryDatasetLocation(String value);

  @Description("BigQuery dataset of the silver tables.")
  @Default.String("silver")
  String getSilverDataset();

  void setSilverDataset(String value);

  @Description("BigQuery dataset of the gold tables.")
  @Default.String("gold")
  String getGoldDataset();

  void setGoldDataset(String value);

  @Description("BigQuery dataset of the ops tables (load stats, alerts, quality scores).")
  @Default.String("ops")
  String getOpsDataset();

  void setOpsDataset(String value);

  /**
   * Rejects an unknown warehouse, and BigQuery without a project.
   *
   * @throws IllegalArgumentException naming the option to fix
   */
  static void validate(WarehouseOptions options) {
    String warehouse = options.getWarehouse();
    if (!DUCKDB.equals(warehouse) && !BIGQUERY.equals(warehouse)) {
      throw new IllegalArgumentException(
          "Unknown --warehouse=" + warehouse + ": use " + DUCKDB + " or " + BIGQUERY + ".");
    }
    if (BIGQUERY.equals(warehouse) && bigQueryProject(options) == null) {
      throw new IllegalArgumentException(
          "--warehouse=bigquery needs a project: pass --bigQueryProject=PROJECT or"
              + " --project=PROJECT.");
    }
  }

  /**
   * The BigQuery project of the datasets: {@code bigQueryProject}, else {@code project}, else null.
   */
  static String bigQueryProject(WarehouseOptions options) {
    String project = options.getBigQueryProject();
    if (project == null || project.isEmpty()) {
      project = options.as(GcpOptions.class).getProject();
    }
    return project == null || project.isEmpty() ? null : project;
  }

  /** The BigQuery dataset that holds a table, as configured by these options. */
  static String bigQueryDataset(WarehouseOptions options, WarehouseTable table) {
    switch (table.dataset()) {
      case "silver":
        return options.getSilverDataset();
      case "gold":
        return options.getGoldDataset();
      case "ops":
        return options.getOpsDataset();
      default:
        throw new IllegalArgumentException("No dataset option for " + table.qualifiedName());
    }
  }
}
