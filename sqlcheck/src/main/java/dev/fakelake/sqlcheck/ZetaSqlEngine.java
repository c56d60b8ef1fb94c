package dev.fakelake.sqlcheck;

import com.google.common.collect.ImmutableList;
import com.google.zetasql.AnalyzerOptions;
import com.google.zetasql.ArrayType;
import com.google.zetasql.PreparedQuery;
import com.google.zetasql.SimpleCatalog;
import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.TableContent;
import com.google.zetasql.Type;
import com.google.zetasql.Value;
import com.google.zetasql.ZetaSQLBuiltinFunctionOptions;
import com.google.zetasql.ZetaSQLType.TypeKind;
import dev.fakelake.sqlcheck.ResultRows.Family;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * ZetaSQL's reference engine as a stand-in for BigQuery's: tables with their rows in one catalog,
 * queries executed against it with BigQuery's language options and time zone (UTC), and each result
 * available as a table for the queries after it.
 */
final class ZetaSqlEngine implements AutoCloseable {

  /** A query's result: the columns as ZetaSQL typed them and the rows as ZetaSQL values. */
  record Table(List<SimpleColumn> columns, List<List<Value>> rows) {}

  private final AnalyzerOptions options;
  private final SimpleCatalog catalog;
  private final Map<String, TableContent> contents = new LinkedHashMap<>();

  ZetaSqlEngine() {
    options = BigQueryAnalyzer.bigQueryOptions(BigQueryAnalyzer.bigQueryLanguage());
    catalog = new SimpleCatalog("parity");
    catalog.addZetaSQLFunctionsAndTypes(
        new ZetaSQLBuiltinFunctionOptions(options.getLanguageOptions()));
  }

  /**
   * Adds or replaces the table {@code name} (the whole text between a compiled ref's backticks).
   */
  void putTable(String name, List<SimpleColumn> columns, List<List<Value>> rows) {
    if (catalog.isRegistered()) {
      catalog.unregister();
    }
    if (contents.containsKey(name)) {
      catalog.removeSimpleTable(name);
    }
    List<SimpleColumn> own = new ArrayList<>();
    for (SimpleColumn column : columns) {
      own.add(new SimpleColumn(name, column.getName(), column.getType()));
    }
    catalog.addSimpleTable(new SimpleTable(name, own));
    contents.put(name, TableContent.create(rows));
  }

  /** Executes a query over the tables added so far. */
  Table query(String sql) {
    if (!catalog.isRegistered()) {
      // Registered once per change of tables: the rows are sent with the catalog, not per query.
      catalog.register(contents);
    }
    try (PreparedQuery query =
        PreparedQuery.builder()
            .setSql(sql)
            .setAnalyzerOptions(options)
            .setCatalog(catalog)
            .prepare()) {
      List<SimpleColumn> columns = query.getColumns();
      List<List<Value>> rows = new ArrayList<>();
      for (ImmutableList<Value> row : query.execute(Map.of()).getTableData()) {
        rows.add(row);
      }
      return new Table(columns, rows);
    }
  }

  @Override
  public void close() {
    if (catalog.isRegistered()) {
      catalog.unregister();
    }
  }

  /** The comparable form of a result. */
  static ResultRows comparable(Table table) {
    List<String> names = new ArrayList<>();
    List<Family> families = new ArrayList<>();
    for (SimpleColumn column : table.columns()) {
      names.add(column.getName());
      families.add(family(column.getType()));
    }
    List<List<Object>> rows = new ArrayList<>();
    for (List<Value> row : table.rows()) {
      List<Object> values = new ArrayList<>(row.size());
      for (Value value : row) {
        values.add(comparable(value));
      }
      rows.add(values);
    }
    return new ResultRows(names, families, rows);
  }

  static Family family(Type type) {
    switch (type.getKind()) {
      case TYPE_INT32:
      case TYPE_INT64:
      case TYPE_UINT32:
      case TYPE_UINT64:
      case TYPE_NUMERIC:
      case TYPE_BIGNUMERIC:
        return Family.EXACT_NUMBER;
      case TYPE_FLOAT:
      case TYPE_DOUBLE:
        return Family.FLOAT;
      case TYPE_STRING:
        return Family.STRING;
      case TYPE_BOOL:
        return Family.BOOL;
      case TYPE_BYTES:
        return Family.BYTES;
      case TYPE_DATE:
        return Family.DATE;
      case TYPE_TIMESTAMP:
        return Family.TIMESTAMP;
      case TYPE_DATETIME:
        return Family.DATETIME;
      case TYPE_TIME:
        return Family.TIME;
      case TYPE_ARRAY:
        return Family.ARRAY;
      default:
        return Family.OTHER;
    }
  }

  static Object comparable(Value value) {
    if (value.isNull()) {
      return null;
    }
    switch (value.getType().getKind()) {
      case TYPE_INT32:
      case TYPE_INT64:
      case TYPE_UINT32:
      case TYPE_UINT64:
        return ResultRows.exact(BigDecimal.valueOf(value.toInt64()));
      case TYPE_NUMERIC:
        return ResultRows.exact(value.getNumericValue());
      case TYPE_BIGNUMERIC:
        return ResultRows.exact(value.getBigNumericValue());
      case TYPE_FLOAT:
      case TYPE_DOUBLE:
        return ResultRows.floating(value.toDouble());
      case TYPE_STRING:
        return value.getStringValue();
      case TYPE_BOOL:
        return value.getBoolValue();
      case TYPE_BYTES:
        return Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case TYPE_DATE:
        return value.getLocalDateValue();
      case TYPE_TIMESTAMP:
        long micros = value.getTimestampUnixMicros();
        return Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
      case TYPE_DATETIME:
        return value.getLocalDateTimeValue();
      case TYPE_TIME:
        return value.getLocalTimeValue();
      case TYPE_ARRAY:
        return value.getElementList().stream()
            .map(ZetaSqlEngine::comparable)
            .map(element -> ResultRows.format(java.util.Collections.singletonList(element)))
            .collect(Collectors.joining(", ", "[", "]"));
      default:
        return value.getType().getKind() + " " + value.getSQLLiteral();
    }
  }

  /**
   * A value read from DuckDB's JDBC driver as the ZetaSQL value of {@code type}: how the sample's
   * rows reach the reference engine.
   */
  static Value value(Object jdbc, Type type) throws SQLException {
    if (jdbc == null) {
      return Value.createNullValue(type);
    }
    TypeKind kind = type.getKind();
    switch (kind) {
      case TYPE_INT64:
        return Value.createInt64Value(((Number) jdbc).longValue());
      case TYPE_DOUBLE:
        return Value.createDoubleValue(((Number) jdbc).doubleValue());
      case TYPE_NUMERIC:
        return Value.createNumericValue(new BigDecimal(jdbc.toString()));
      case TYPE_STRING:
        return Value.createStringValue(jdbc.toString());
      case TYPE_BOOL:
        return Value.createBoolValue((Boolean) jdbc);
      case TYPE_DATE:
        return Value.createDateValue((LocalDate) jdbc);
      case TYPE_TIMESTAMP:
        // The warehouse holds UTC wall time in a plain TIMESTAMP.
        LocalDateTime time = (LocalDateTime) jdbc;
        Instant instant = time.toInstant(ZoneOffset.UTC);
        return Value.createTimestampValueFromUnixMicros(
            Math.addExact(
                Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
                instant.getNano() / 1000));
      case TYPE_ARRAY:
        ArrayType arrayType = type.asArray();
        Object[] elements = (Object[]) ((Array) jdbc).getArray();
        List<Value> values = new ArrayList<>();
        for (Object element : elements) {
          values.add(value(element, arrayType.getElementType()));
        }
        return Value.createArrayValue(arrayType, values);
      default:
        throw new IllegalArgumentException(
            "The parity check cannot load a " + kind + " value into ZetaSQL: " + jdbc);
    }
  }
}
