package dev.fakelake.pipelines;

import dev.fakelake.schemas.MlFeatures;
import dev.fakelake.schemas.WarehouseTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Rows of {@code gold.ml_features} whose order value is a known linear function of the features,
 * plus a little noise, and a warehouse to hold them. Each one-hot group has exactly one column set,
 * as curate writes them.
 */
final class FeatureTableFixture {

  static final double INTERCEPT = 40;
  static final double PER_UNIT = 120;
  static final double PER_ITEM = 15;
  static final double VIP = 80;
  static final double SATURDAY = 25;
  static final double BOOKS = 60;
  static final double AGE_65_PLUS = -30;
  static final double NOISE = 0.5;

  static final String SATURDAY_COLUMN = day("Saturday");
  static final String BOOKS_COLUMN =
      MlFeatures.column(MlFeatures.CATEGORY_PREFIX, MlFeatures.CATEGORY_GROUPS, "Books");
  static final String AGE_65_COLUMN =
      MlFeatures.column(MlFeatures.AGE_PREFIX, MlFeatures.AGE_BANDS, "65+");

  private FeatureTableFixture() {}

  static String day(String name) {
    return MlFeatures.column(MlFeatures.DAY_PREFIX, MlFeatures.DAYS_OF_WEEK, name);
  }

  /** Rows with order ids {@code firstId ..}, a function of {@code seed}. */
  static List<Map<String, Object>> rows(long firstId, int count, long seed) {
    Random random = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (String column : FeatureRows.candidateColumns()) {
        row.put(column, 0);
      }
      int units = 1 + random.nextInt(8);
      int items = 1 + random.nextInt(units);
      int vip = random.nextInt(5) == 0 ? 1 : 0;
      String dayColumn = day(MlFeatures.DAYS_OF_WEEK.get(random.nextInt(7)));
      String month =
          MlFeatures.column(
              MlFeatures.MONTH_PREFIX, MlFeatures.MONTHS, MlFeatures.MONTHS.get(random.nextInt(3)));
      String category =
          MlFeatures.column(
              MlFeatures.CATEGORY_PREFIX,
              MlFeatures.CATEGORY_GROUPS,
              MlFeatures.CATEGORY_GROUPS.get(random.nextInt(5)));
      String region =
          MlFeatures.column(
              MlFeatures.REGION_PREFIX,
              MlFeatures.REGIONS,
              MlFeatures.REGIONS.get(random.nextInt(4)));
      String age =
          MlFeatures.column(
              MlFeatures.AGE_PREFIX,
              MlFeatures.AGE_BANDS,
              MlFeatures.AGE_BANDS.get(random.nextInt(6)));
      row.put("units", units);
      row.put("item_count", items);
      row.put("is_vip", vip);
      for (String column : List.of(dayColumn, month, category, region, age)) {
        row.put(column, 1);
      }
      double label =
          INTERCEPT
              + PER_UNIT * units
              + PER_ITEM * items
              + VIP * vip
              + (dayColumn.equals(SATURDAY_COLUMN) ? SATURDAY : 0)
              + (category.equals(BOOKS_COLUMN) ? BOOKS : 0)
              + (age.equals(AGE_65_COLUMN) ? AGE_65_PLUS : 0)
              + (random.nextDouble() * 2 - 1) * NOISE;
      Map<String, Object> full = new LinkedHashMap<>();
      full.put(FeatureRows.ID, firstId + i);
      full.put("customer_id", (firstId + i) % 50);
      full.put("order_date", LocalDate.of(2026, 1, 1).plusDays(i % 80));
      full.put(FeatureRows.LABEL, label);
      full.putAll(row);
      rows.add(full);
    }
    return rows;
  }

  /** The rows as the model reads them. */
  static List<FeatureRows.Row> featureRows(List<Map<String, Object>> rows) {
    List<String> columns = FeatureRows.candidateColumns();
    return rows.stream()
        .map(
            row ->
                new FeatureRows.Row(
                    ((Number) row.get(FeatureRows.ID)).longValue(),
                    ((Number) row.get(FeatureRows.LABEL)).doubleValue(),
                    columns.stream()
                        .mapToDouble(c -> ((Number) row.get(c)).doubleValue())
                        .toArray()))
        .collect(Collectors.toList());
  }

  /** Creates {@code gold.ml_features} in the lake's warehouse if needed and appends rows. */
  static void insert(String lake, List<Map<String, Object>> rows) throws SQLException {
    WarehouseTable table = WarehouseTable.GOLD_ML_FEATURES;
    List<String> columns =
        table.schema().getFields().stream().map(f -> f.getName()).collect(Collectors.toList());
    try (Connection connection = DuckDbWarehouse.open(lake)) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA IF NOT EXISTS gold");
        statement.execute(
            DuckDbWarehouse.createTableSql(table)
                .replace("CREATE OR REPLACE TABLE", "CREATE TABLE IF NOT EXISTS"));
      }
      String sql =
          "INSERT INTO gold.ml_features ("
              + String.join(", ", columns)
              + ") VALUES ("
              + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
              + ")";
      try (PreparedStatement insert = connection.prepareStatement(sql)) {
        for (Map<String, Object> row : rows) {
          for (int i = 0; i < columns.size(); i++) {
            insert.setObject(i + 1, row.get(columns.get(i)));
          }
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }
}
