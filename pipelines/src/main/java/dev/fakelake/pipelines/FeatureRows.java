package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.WarehouseTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Rows of {@code gold.ml_features} as the order-value model sees them: the order id, the label (the
 * order value, absent in rows to be scored) and every candidate feature column, read from the local
 * warehouse or from a JSON Lines file with the table's column names.
 */
final class FeatureRows {

  /** The key of a row. */
  static final String ID = "order_id";

  /** The label: the order value. */
  static final String LABEL = "total_amount";

  /** Columns that identify or describe an order but are not model inputs. */
  private static final List<String> NOT_FEATURES = List.of(ID, "customer_id", "order_date", LABEL);

  private static final WarehouseTable TABLE = WarehouseTable.GOLD_ML_FEATURES;

  /** One order: its id, its value when known, and its candidate features in column order. */
  record Row(long orderId, @Nullable Double label, double[] values) {}

  private FeatureRows() {}

  /** The numeric columns of the table a model may use, in table order. */
  static List<String> candidateColumns() {
    List<String> columns = new ArrayList<>();
    for (Schema.Field field : TABLE.schema().getFields()) {
      if (!NOT_FEATURES.contains(field.getName())) {
        columns.add(field.getName());
      }
    }
    return columns;
  }

  /**
   * Every row of {@code gold.ml_features} in the lake's warehouse, by order id.
   *
   * @throws IllegalArgumentException when the warehouse or the table does not exist yet
   */
  static List<Row> fromWarehouse(String lake) {
    Path file = DuckDbWarehouse.file(lake);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(
          "No warehouse at "
              + file
              + ": run ./fakelake run (or generate, ingest and curate) first to build "
              + TABLE.qualifiedName()
              + ".");
    }
    List<String> columns = candidateColumns();
    List<Row> rows = new ArrayList<>();
    try (Connection connection = DuckDbWarehouse.open(lake)) {
      if (!tableExists(connection)) {
        throw new IllegalArgumentException(
            "The warehouse "
                + file
                + " has no "
                + TABLE.qualifiedName()
                + ": run ./fakelake curate (or ./fakelake run) first.");
      }
      try (Statement statement = connection.createStatement();
          ResultSet result =
              statement.executeQuery(
                  "SELECT * FROM " + TABLE.qualifiedName() + " ORDER BY " + ID)) {
        while (result.next()) {
          double[] values = new double[columns.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = result.getDouble(columns.get(i));
          }
          rows.add(new Row(result.getLong(ID), result.getDouble(LABEL), values));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot read " + TABLE.qualifiedName() + " from " + file + ": " + e.getMessage(), e);
    }
    return rows;
  }

  /**
   * The rows of a JSON Lines file, one object per line with {@code order_id} and every candidate
   * column; {@code total_amount} may be absent or null.
   *
   * @throws IllegalArgumentException naming the file and line of a missing or non-numeric value
   */
  static List<Row> fromJsonLines(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("No feature rows file at " + file.toAbsolutePath());
    }
    ObjectMapper mapper = new ObjectMapper();
    List<String> columns = candidateColumns();
    List<Row> rows = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + " line " + number;
        JsonNode json;
        try {
          json = mapper.readTree(line);
        } catch (IOException e) {
          throw new IllegalArgumentException(where + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!json.isObject()) {
          throw new IllegalArgumentException(where + " is not a JSON object.");
        }
        double[] values = new double[columns.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = number(json, columns.get(i), where);
        }
        JsonNode label = json.get(LABEL);
        rows.add(
            new Row(
                (long) number(json, ID, where),
                label == null || label.isNull() ? null : number(json, LABEL, where),
                values));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return rows;
  }

  private static double number(JsonNode json, String column, String where) {
    JsonNode value = json.get(column);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(where + " has no value for " + column + ".");
    }
    if (!value.isNumber()) {
      throw new IllegalArgumentException(
          where + ": " + column + " must be a number, found " + value + ".");
    }
    return value.asDouble();
  }

  private static boolean tableExists(Connection connection) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog ="
                + " current_database() AND table_schema = ? AND table_name = ?")) {
      statement.setString(1, TABLE.dataset());
      statement.setString(2, TABLE.tableName());
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getLong(1) > 0;
      }
    }
  }
}
