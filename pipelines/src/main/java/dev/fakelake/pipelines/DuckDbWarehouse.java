package dev.fakelake.pipelines;

import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local warehouse: a DuckDB database at {@code LAKE/warehouse.duckdb} with the schemas {@code
 * silver}, {@code gold} and {@code ops}, loaded from the lake's Parquet and JSON Lines files. It
 * only knows the lake layout and {@link WarehouseTable}, not which pipeline wrote the files.
 *
 * <p>Timestamps (Beam {@code DATETIME}) become DuckDB {@code TIMESTAMP} holding UTC wall time, not
 * {@code TIMESTAMP WITH TIME ZONE}: DuckDB evaluates {@code DATE(ts)}, {@code date_trunc} and
 * {@code EXTRACT} on a {@code TIMESTAMPTZ} in the session's time zone, which defaults to the client
 * machine's, while BigQuery evaluates its {@code TIMESTAMP} in UTC. A plain UTC {@code TIMESTAMP}
 * gives the same day boundaries as BigQuery in every client.
 */
public final class DuckDbWarehouse {

  /** The database file inside the lake folder. */
  public static final String FILE_NAME = "warehouse.duckdb";

  /**
   * The storage format written: the 2.x driver's default (version 69) cannot be opened by DuckDB
   * 1.x clients (CLI, Python, DBeaver's driver); this one can.
   */
  static final String STORAGE_VERSION = "v1.0.0";

  private static final String ALIAS = "warehouse";
  private static final Logger LOG = LoggerFactory.getLogger(DuckDbWarehouse.class);

  private DuckDbWarehouse() {}

  /** The database file of a lake. */
  public static Path file(String lake) {
    if (lake.contains("://")) {
      throw new IllegalArgumentException(
          "The DuckDB warehouse needs a local lake folder, not " + lake);
    }
    return Path.of(lake, FILE_NAME).toAbsolutePath();
  }

  /**
   * Replaces {@code tables} in the lake's warehouse with the content of their lake folders and
   * returns each table's row count. A missing or empty folder gives an empty table. The load is one
   * transaction: when any table fails, every table keeps its previous content.
   *
   * @throws IllegalStateException when another process holds the database, or a load fails
   */
  public static Map<WarehouseTable, Long> load(String lake, Set<WarehouseTable> tables) {
    Path file = file(lake);
    Path lakeFolder = file.getParent();
    try {
      Files.createDirectories(lakeFolder);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the lake folder " + lakeFolder, e);
    }
    Set<WarehouseTable> ordered = tables.isEmpty() ? Set.of() : EnumSet.copyOf(tables);
    Map<WarehouseTable, Long> counts = new EnumMap<>(WarehouseTable.class);
    try (Connection connection = open(lake)) {
      connection.setAutoCommit(false);
      WarehouseTable current = null;
      try {
        for (String dataset : datasets(ordered)) {
          execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(dataset));
        }
        for (WarehouseTable table : ordered) {
          current = table;
          execute(connection, createTableSql(table));
          Path folder = lakeFolder.resolve(table.dataset()).resolve(table.tableName());
          if (hasFiles(folder, fileExtension(table))) {
            execute(connection, insertSql(table, folder));
          }
          counts.put(table, queryLong(connection, "SELECT count(*) FROM " + quoted(table)));
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw new IllegalStateException(
            "Loading "
                + (current == null ? "the warehouse schemas" : current.qualifiedName())
                + " into "
                + file
                + " failed, so no table was replaced: "
                + e.getMessage(),
            e);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB warehouse " + file + ": " + e.getMessage(), e);
    }
    return counts;
  }

  /**
   * Opens the lake's warehouse (creating it if needed) as the current database of a new connection,
   * with the session time zone set to UTC. The caller closes it.
   *
   * @throws IllegalStateException when another process holds the database
   */
  public static Connection open(String lake) throws SQLException {
    Path file = file(lake);
    Connection connection = DriverManager.getConnection("jdbc:duckdb:");
    try {
      attach(connection, file);
      execute(connection, "USE " + ALIAS);
      // Casting a Parquet UTC timestamp (TIMESTAMPTZ) to TIMESTAMP uses the session zone.
      execute(connection, "SET TimeZone = 'UTC'");
      return connection;
    } catch (SQLException e) {
      connection.close();
      if (String.valueOf(e.getMessage()).contains("Could not set lock")) {
        throw new IllegalStateException(
            "The DuckDB warehouse "
                + file
                + " is open in another process, and DuckDB allows only one writer: close it there"
                + " (DuckDB CLI, DBeaver, another fakelake command) and try again. DuckDB said: "
                + e.getMessage(),
            e);
      }
      throw e;
    }
  }

  /**
   * The number of rows of {@code qualifiedTable} ({@code dataset.table}) in the lake's warehouse.
   */
  public static long count(String lake, String qualifiedTable) {
    String[] parts = qualifiedTable.split("\\.", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("Expected dataset.table, got " + qualifiedTable);
    }
    try (Connection connection = open(lake)) {
      return queryLong(
          connection, "SELECT count(*) FROM " + quote(parts[0]) + "." + quote(parts[1]));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot count " + qualifiedTable + " in " + file(lake) + ": " + e.getMessage(), e);
    }
  }

  /** The DuckDB column type of a Beam field type used by {@link WarehouseTable} schemas. */
  public static String duckDbType(FieldType type) {
    switch (type.getTypeName()) {
      case INT32:
        return "INTEGER";
      case INT64:
        return "BIGINT";
      case DOUBLE:
        return "DOUBLE";
      case STRING:
        return "VARCHAR";
      case BOOLEAN:
        return "BOOLEAN";
      case DATETIME:
        return "TIMESTAMP";
      case ARRAY:
      case ITERABLE:
        return duckDbType(type.getCollectionElementType()) + "[]";
      case LOGICAL_TYPE:
        if (SqlTypes.DATE.getIdentifier().equals(type.getLogicalType().getIdentifier())) {
          return "DATE";
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException("No DuckDB type for the Beam type " + type);
  }

  /** {@code CREATE OR REPLACE TABLE} with the schema's columns, in order. */
  static String createTableSql(WarehouseTable table) {
    return "CREATE OR REPLACE TABLE "
        + quoted(table)
        + " ("
        + table.schema().getFields().stream()
            .map(
                field ->
                    quote(field.getName())
                        + " "
                        + duckDbType(field.getType())
                        + (field.getType().getNullable() ? "" : " NOT NULL"))
            .collect(Collectors.joining(", "))
        + ")";
  }

  /**
   * Inserts a table's files, selecting columns by name: Parquet for silver and gold, JSON Lines for
   * ops, whose types are given so that nothing depends on DuckDB's guesses.
   */
  static String insertSql(WarehouseTable table, Path folder) {
    Schema schema = table.schema();
    String glob = folder.resolve("*." + fileExtension(table)).toString();
    String source;
    if (isJsonLines(table)) {
      source =
          "read_json("
              + literal(glob)
              + ", columns={"
              + schema.getFields().stream()
                  .map(
                      field ->
                          literal(field.getName()) + ": " + literal(duckDbType(field.getType())))
                  .collect(Collectors.joining(", "))
              + "}, format='newline_delimited')";
    } else {
      source = "read_parquet(" + literal(glob) + ")";
    }
    List<String> columns = new ArrayList<>();
    List<String> casts = new ArrayList<>();
    for (Field field : schema.getFields()) {
      columns.add(quote(field.getName()));
      casts.add(
          "CAST("
              + quote(field.getName())
              + " AS "
              + duckDbType(field.getType())
              + ") AS "
              + quote(field.getName()));
    }
    return "INSERT INTO "
        + quoted(table)
        + " ("
        + String.join(", ", columns)
        + ") SELECT "
        + String.join(", ", casts)
        + " FROM "
        + source;
  }

  private static void attach(Connection connection, Path file) throws SQLException {
    String attach = "ATTACH " + literal(file.toString()) + " AS " + ALIAS;
    try {
      execute(connection, attach + " (STORAGE_VERSION " + literal(STORAGE_VERSION) + ")");
    } catch (SQLException e) {
      // A file that a DuckDB 2.x client created on its own already has the newer format, and
      // DuckDB cannot lower it: open it as it is rather than refuse to load.
      if (!String.valueOf(e.getMessage()).contains("cannot be lowered")) {
        throw e;
      }
      LOG.warn(
          "{} has a storage format newer than {}, which DuckDB 1.x clients cannot open;"
              + " delete it to have it recreated in the older format.",
          file,
          STORAGE_VERSION);
      execute(connection, attach);
    }
  }

  private static List<String> datasets(Set<WarehouseTable> tables) {
    return tables.stream().map(WarehouseTable::dataset).distinct().collect(Collectors.toList());
  }

  private static boolean isJsonLines(WarehouseTable table) {
    return table.dataset().equals("ops");
  }

  private static String fileExtension(WarehouseTable table) {
    return isJsonLines(table) ? "jsonl" : "parquet";
  }

  private static boolean hasFiles(Path folder, String extension) {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*." + extension)) {
      return files.iterator().hasNext();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + folder, e);
    }
  }

  // DuckDB's JDBC driver closes a statement after any error, so each action gets its own.
  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long queryLong(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static String quoted(WarehouseTable table) {
    return quote(table.dataset()) + "." + quote(table.tableName());
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
