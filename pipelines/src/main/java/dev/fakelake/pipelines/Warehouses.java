package dev.fakelake.pipelines;

import dev.fakelake.schemas.WarehouseTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.Row;

/**
 * Chooses the warehouse binding from {@code --warehouse}: the local DuckDB file, loaded from the
 * lake's files after a stage, or BigQuery, written with the Storage Write API.
 */
final class Warehouses {

  private Warehouses() {}

  static boolean isBigQuery(WarehouseOptions options) {
    return options.getWarehouse().equals("bigquery");
  }

  /** Loads the ops rows ingest produced: appended on BigQuery, reloaded from the lake in DuckDB. */
  static void loadOps(WarehouseOptions options, String lake, List<Row> stats, List<Row> alerts) {
    if (isBigQuery(options)) {
      Map<WarehouseTable, List<Row>> rows = new LinkedHashMap<>();
      rows.put(WarehouseTable.OPS_LOAD_STATS, stats);
      rows.put(WarehouseTable.OPS_ALERTS, alerts);
      writeRowsToBigQuery(options, rows);
    } else {
      DuckDbWarehouse.load(lake, Set.of(WarehouseTable.OPS_LOAD_STATS, WarehouseTable.OPS_ALERTS));
    }
  }

  /** Writes a few rows computed by a command (not by a pipeline) to BigQuery tables. */
  static void writeRowsToBigQuery(WarehouseOptions options, Map<WarehouseTable, List<Row>> rows) {
    Pipeline pipeline = Pipeline.create(options.as(PipelineOptions.class));
    rows.forEach(
        (table, tableRows) -> {
          if (!tableRows.isEmpty()) {
            String step = GeneratePipeline.stepName(table.dataset() + "_" + table.tableName());
            pipeline
                .apply("Create" + step, Create.of(tableRows).withRowSchema(table.schema()))
                .apply("Write" + step + "ToBigQuery", WriteToBigQuery.table(table, options));
          }
        });
    pipeline.run().waitUntilFinish();
  }
}
