package dev.fakelake.pipelines;

/**
 * Chooses the warehouse binding from {@code --warehouse}: the local DuckDB file, loaded from the
 * lake's files after a stage, or BigQuery, written by the pipelines themselves.
 */
final class Warehouses {

  private Warehouses() {}

  static boolean isBigQuery(WarehouseOptions options) {
    return options.getWarehouse().equals("bigquery");
  }
}
