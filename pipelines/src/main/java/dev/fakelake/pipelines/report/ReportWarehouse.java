package dev.fakelake.pipelines.report;

import dev.fakelake.pipelines.DuckDbWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Read access to the local DuckDB warehouse for the report: whether a table is there, and query
 * results as rows of Java values.
 */
final class ReportWarehouse implements AutoCloseable {

  /** Reads one row of a result. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** A table the report needs is not in the warehouse. */
  static final class MissingTableException extends IllegalStateException {
    MissingTableException(String message) {
      super(message);
    }
  }

  private final Path file;
  private final Connection connection;

  private ReportWarehouse(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the lake's warehouse.
   *
   * @throws IllegalStateException when the lake has no warehouse, or another process holds it
   */
  static ReportWarehouse open(String lake) {
    Path file = DuckDbWarehouse.file(lake).normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "There is no warehouse at " + file + ": load it first (./fakelake run)");
    }
    try {
      return new ReportWarehouse(file, DuckDbWarehouse.open(lake));
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB warehouse " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  /** Whether {@code dataset.table} is a table or view of the warehouse. */
  boolean exists(String qualifiedTable) {
    String[] parts = qualifiedTable.split("\\.", 2);
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM information_schema.tables"
                + " WHERE table_catalog = current_database() AND table_schema = ?"
                + " AND table_name = ?")) {
      statement.setString(1, parts[0]);
      statement.setString(2, parts[1]);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getLong(1) > 0;
      }
    } catch (SQLException e) {
      throw failed("looking for " + qualifiedTable, e);
    }
  }

  /**
   * Fails unless {@code dataset.table} is there, naming the command that makes it.
   *
   * @throws MissingTableException naming the table and the stage to run
   */
  void require(String qualifiedTable, String madeBy) {
    if (!exists(qualifiedTable)) {
      throw new MissingTableException(
          "The warehouse "
              + file
              + " has no table "
              + qualifiedTable
              + ", which "
              + madeBy
              + " makes: run it first (./fakelake run runs every stage, the report last).");
    }
  }

  /** Every row of a query, read by {@code reader}. */
  <T> List<T> query(String sql, RowReader<T> reader) {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      List<T> rows = new ArrayList<>();
      while (result.next()) {
        rows.add(reader.read(result));
      }
      return rows;
    } catch (SQLException e) {
      throw failed(sql, e);
    }
  }

  /** The one number a query returns. */
  long queryLong(String sql) {
    return query(sql, row -> row.getLong(1)).get(0);
  }

  private IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException(
        "Reading the warehouse " + file + " failed (" + what + "): " + e.getMessage(), e);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failed("closing", e);
    }
  }
}
