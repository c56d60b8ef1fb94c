package dev.fakelake.sqlcheck;

import com.google.zetasql.Type;
import dev.fakelake.sqlcheck.ResultRows.Family;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;

/**
 * An in-memory DuckDB database set up as {@code ./fakelake models} sets up the local warehouse
 * (session time zone UTC, timestamps as UTC wall time in plain {@code TIMESTAMP} columns, the
 * column types the warehouse loader gives each {@code WarehouseTable}), running the DuckDB
 * compilation of the Dataform project.
 */
final class DuckDbEngine implements AutoCloseable {

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]*)`");
  private static final String SAMPLE = "sample";

  private final Connection connection;

  DuckDbEngine() throws SQLException {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    execute("SET TimeZone = 'UTC'");
  }

  /** Makes a warehouse file's tables readable as {@code sample.dataset.table}. */
  void attachSample(Path warehouse) throws SQLException {
    execute(
        "ATTACH '" + warehouse.toString().replace("'", "''") + "' AS " + SAMPLE + " (READ_ONLY)");
  }

  /**
   * Creates the source table {@code dataset.table} with its rows from the attached sample, or empty
   * when the sample has no such table (tables the sample's pipelines do not fill). The sample's
   * columns must be the schema's, in order.
   */
  long createSource(String dataset, String table, Schema schema, boolean fromSample)
      throws SQLException {
    String name = quote(dataset) + "." + quote(table);
    execute("CREATE SCHEMA IF NOT EXISTS " + quote(dataset));
    if (fromSample && sampleHas(dataset, table)) {
      String sample = SAMPLE + "." + name;
      List<String> columns = columns("SELECT * FROM " + sample + " LIMIT 0");
      if (!columns.equals(schema.getFieldNames())) {
        throw new IllegalStateException(
            "The sample's "
                + dataset
                + "."
                + table
                + " has the columns "
                + columns
                + ", but WarehouseTable says "
                + schema.getFieldNames()
                + ": regenerate the sample");
      }
      execute("CREATE TABLE " + name + " AS SELECT * FROM " + sample);
    } else {
      execute(createTableSql(name, schema));
    }
    return count(name);
  }

  private boolean sampleHas(String dataset, String table) throws SQLException {
    String sql =
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = '"
            + SAMPLE
            + "' AND schema_name = '"
            + dataset.replace("'", "''")
            + "' AND table_name = '"
            + table.replace("'", "''")
            + "'";
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1) > 0;
    }
  }

  /** The table's rows as ZetaSQL values of the given column types. */
  List<List<com.google.zetasql.Value>> zetaSqlRows(String dataset, String table, List<Type> types)
      throws SQLException {
    List<List<com.google.zetasql.Value>> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT * FROM " + quote(dataset) + "." + quote(table))) {
      while (result.next()) {
        List<com.google.zetasql.Value> row = new ArrayList<>(types.size());
        for (int i = 0; i < types.size(); i++) {
          Type type = types.get(i);
          Object value =
              switch (type.getKind()) {
                case TYPE_DATE -> result.getObject(i + 1, LocalDate.class);
                case TYPE_TIMESTAMP -> result.getObject(i + 1, LocalDateTime.class);
                default -> result.getObject(i + 1);
              };
          row.add(ZetaSqlEngine.value(value, type));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * The compiled SQL with each backticked ref replaced by DuckDB's {@code "dataset"."table"}, as
   * {@code ./fakelake models} does; {@code targets} maps the text between backticks to {@code
   * [dataset, table]}.
   */
  static String toDuckDb(String sql, Map<String, List<String>> targets) {
    Matcher matcher = BACKTICKED.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      List<String> target = targets.get(matcher.group(1));
      if (target == null) {
        throw new IllegalArgumentException(
            "`" + matcher.group(1) + "` is no table of the Dataform project");
      }
      matcher.appendReplacement(
          out, Matcher.quoteReplacement(quote(target.get(0)) + "." + quote(target.get(1))));
    }
    matcher.appendTail(out);
    // The line break ends a trailing comment.
    return out + "\n";
  }

  /** Replaces {@code dataset.table} with the rows of a query. */
  void createTable(String dataset, String table, String query) throws SQLException {
    execute("CREATE SCHEMA IF NOT EXISTS " + quote(dataset));
    execute("CREATE OR REPLACE TABLE " + quote(dataset) + "." + quote(table) + " AS\n" + query);
  }

  ResultRows table(String dataset, String table) throws SQLException {
    return query("SELECT * FROM " + quote(dataset) + "." + quote(table));
  }

  /** A query's result in comparable form. */
  ResultRows query(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData meta = result.getMetaData();
      int width = meta.getColumnCount();
      List<String> names = new ArrayList<>();
      List<String> typeNames = new ArrayList<>();
      List<Family> families = new ArrayList<>();
      for (int i = 1; i <= width; i++) {
        names.add(meta.getColumnName(i));
        String typeName = meta.getColumnTypeName(i).toUpperCase(Locale.ROOT);
        typeNames.add(typeName);
        families.add(family(typeName));
      }
      List<List<Object>> rows = new ArrayList<>();
      while (result.next()) {
        List<Object> row = new ArrayList<>(width);
        for (int i = 1; i <= width; i++) {
          row.add(comparable(result, i, typeNames.get(i - 1), families.get(i - 1)));
        }
        rows.add(row);
      }
      return new ResultRows(names, families, rows);
    }
  }

  static Family family(String typeName) {
    if (typeName.endsWith("[]") || typeName.startsWith("LIST")) {
      return Family.ARRAY;
    }
    if (typeName.startsWith("DECIMAL")) {
      return Family.EXACT_NUMBER;
    }
    switch (typeName) {
      case "TINYINT":
      case "SMALLINT":
      case "INTEGER":
      case "BIGINT":
      case "HUGEINT":
      case "UTINYINT":
      case "USMALLINT":
      case "UINTEGER":
      case "UBIGINT":
      case "UHUGEINT":
        return Family.EXACT_NUMBER;
      case "FLOAT":
      case "DOUBLE":
        return Family.FLOAT;
      case "VARCHAR":
        return Family.STRING;
      case "BOOLEAN":
        return Family.BOOL;
      case "BLOB":
        return Family.BYTES;
      case "DATE":
        return Family.DATE;
      case "TIMESTAMP":
      case "TIMESTAMP_S":
      case "TIMESTAMP_MS":
      case "TIMESTAMP_NS":
      case "TIMESTAMP WITH TIME ZONE":
        return Family.TIMESTAMP;
      case "TIME":
        return Family.TIME;
      default:
        return Family.OTHER;
    }
  }

  private static Object comparable(ResultSet result, int column, String typeName, Family family)
      throws SQLException {
    if (result.getObject(column) == null) {
      return null;
    }
    switch (family) {
      case EXACT_NUMBER:
        return ResultRows.exact(new BigDecimal(result.getObject(column).toString()));
      case FLOAT:
        return ResultRows.floating(result.getDouble(column));
      case STRING:
        return result.getString(column);
      case BOOL:
        return result.getBoolean(column);
      case BYTES:
        return Base64.getEncoder().encodeToString(result.getBytes(column));
      case DATE:
        return result.getObject(column, LocalDate.class);
      case TIMESTAMP:
        // A plain TIMESTAMP holds UTC wall time, as in the warehouse.
        return typeName.equals("TIMESTAMP WITH TIME ZONE")
            ? result.getObject(column, OffsetDateTime.class).toInstant()
            : result.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
      case TIME:
        return result.getObject(column, LocalTime.class);
      case ARRAY:
        Array array = result.getArray(column);
        String elementType = typeName.substring(0, typeName.length() - 2);
        Family elementFamily = family(elementType);
        return Arrays.stream((Object[]) array.getArray())
            .map(element -> element(element, elementFamily))
            .map(element -> ResultRows.format(java.util.Collections.singletonList(element)))
            .collect(Collectors.joining(", ", "[", "]"));
      default:
        return typeName + " " + result.getString(column);
    }
  }

  /** An array element, normalised like a column value of its family. */
  private static Object element(Object value, Family family) {
    if (value == null) {
      return null;
    }
    return switch (family) {
      case EXACT_NUMBER -> ResultRows.exact(new BigDecimal(value.toString()));
      case FLOAT -> ResultRows.floating(((Number) value).doubleValue());
      case STRING, BOOL -> value;
      default -> value.toString();
    };
  }

  /**
   * {@code CREATE TABLE} with the column types the warehouse loader gives a Beam schema (see the
   * pipelines' {@code DuckDbWarehouse}).
   */
  static String createTableSql(String name, Schema schema) {
    return "CREATE TABLE "
        + name
        + " ("
        + schema.getFields().stream()
            .map(field -> quote(field.getName()) + " " + duckDbType(field))
            .collect(Collectors.joining(", "))
        + ")";
  }

  private static String duckDbType(Field field) {
    return duckDbType(field.getType(), field.getName());
  }

  private static String duckDbType(FieldType type, String path) {
    switch (type.getTypeName()) {
      case INT32:
        return "INTEGER";
      case INT64:
        return "BIGINT";
      case DOUBLE:
        return "DOUBLE";
      case DECIMAL:
        // DuckDB's bare DECIMAL is DECIMAL(18,3); BigQuery's NUMERIC has 38 digits, 9 decimals.
        return "DECIMAL(38,9)";
      case STRING:
        return "VARCHAR";
      case BOOLEAN:
        return "BOOLEAN";
      case DATETIME:
        return "TIMESTAMP";
      case ARRAY:
      case ITERABLE:
        return duckDbType(type.getCollectionElementType(), path) + "[]";
      case LOGICAL_TYPE:
        if ("beam:logical_type:date:v1".equals(type.getLogicalType().getIdentifier())) {
          return "DATE";
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException("No DuckDB type for column " + path + " of type " + type);
  }

  void execute(String sql) throws SQLException {
    // DuckDB's JDBC driver closes a statement after any error, so each statement gets its own.
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private long count(String relation) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM " + relation)) {
      result.next();
      return result.getLong(1);
    }
  }

  private List<String> columns(String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      ResultSetMetaData meta = result.getMetaData();
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i));
      }
      return names;
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
