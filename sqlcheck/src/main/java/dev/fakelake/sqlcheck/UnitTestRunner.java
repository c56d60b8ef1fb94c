package dev.fakelake.sqlcheck;

import com.google.common.collect.ImmutableList;
import com.google.zetasql.AnalyzerOptions;
import com.google.zetasql.PreparedQuery;
import com.google.zetasql.SimpleCatalog;
import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SqlException;
import com.google.zetasql.StructType;
import com.google.zetasql.Value;
import com.google.zetasql.ZetaSQLBuiltinFunctionOptions;
import dev.fakelake.sqlcheck.DataformCompilation.UnitTest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs compiled Dataform unit tests on ZetaSQL's reference engine, the offline stand-in for {@code
 * dataform test}: the model's query over the test's input rows and the expected query are both
 * executed, and must give the same column names and the same rows, as multisets (SQL promises no
 * row order). As in Dataform's runner, column names compare case-insensitively and numbers by value
 * (BigQuery returns INT64 and FLOAT64 alike as JSON numbers), so {@code 2} equals {@code 2.0}.
 */
public final class UnitTestRunner {

  private static final int ROWS_SHOWN = 10;

  /** The outcome of one test; {@code message} says what differed when it failed. */
  public record Outcome(String name, String fileName, boolean passed, String message) {

    public String format() {
      return (passed ? "PASS " : "FAIL ")
          + name
          + " ("
          + fileName
          + ")"
          + (passed ? "" : ": " + message);
    }
  }

  private final AnalyzerOptions options;
  private final SimpleCatalog catalog;

  public UnitTestRunner() {
    options = BigQueryAnalyzer.bigQueryOptions(BigQueryAnalyzer.bigQueryLanguage());
    // No tables: a ref the test gives no input for must fail, not read some other data.
    catalog = new SimpleCatalog("unit_tests");
    catalog.addZetaSQLFunctionsAndTypes(
        new ZetaSQLBuiltinFunctionOptions(options.getLanguageOptions()));
  }

  /** Runs every test, in order. */
  public List<Outcome> run(List<UnitTest> tests) {
    return tests.stream().map(this::run).collect(Collectors.toList());
  }

  public Outcome run(UnitTest test) {
    Rows actual;
    Rows expected;
    try {
      actual = execute(test.testQuery());
    } catch (SqlException e) {
      return failed(test, "the model's query over the test inputs failed: " + e.getMessage());
    }
    try {
      expected = execute(test.expectedQuery());
    } catch (SqlException e) {
      return failed(test, "the expected output query failed: " + e.getMessage());
    }
    String difference = compare(expected, actual);
    return difference == null
        ? new Outcome(test.name(), test.fileName(), true, "")
        : failed(test, difference);
  }

  private static Outcome failed(UnitTest test, String message) {
    return new Outcome(test.name(), test.fileName(), false, message);
  }

  /** A query's result: column names, and each row rendered value by value. */
  private record Rows(List<String> columns, List<List<String>> rows) {}

  private Rows execute(String sql) {
    try (PreparedQuery query =
        PreparedQuery.builder()
            .setSql(sql)
            .setAnalyzerOptions(options)
            .setCatalog(catalog)
            .prepare()) {
      List<String> columns =
          query.getColumns().stream().map(SimpleColumn::getName).collect(Collectors.toList());
      List<List<String>> rows = new ArrayList<>();
      for (ImmutableList<Value> row : query.execute(Map.of()).getTableData()) {
        rows.add(row.stream().map(UnitTestRunner::render).collect(Collectors.toList()));
      }
      return new Rows(columns, rows);
    }
  }

  /** Null when the results match, else what differs. */
  private static String compare(Rows expected, Rows actual) {
    List<String> expectedNames = normalized(expected.columns());
    List<String> actualNames = normalized(actual.columns());
    if (expectedNames.size() != actualNames.size()
        || !actualNames.containsAll(expectedNames)
        || !expectedNames.containsAll(actualNames)) {
      return "expected columns " + expected.columns() + " but saw " + actual.columns();
    }
    // Put the actual values in the expected column order.
    int[] order = new int[expectedNames.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = actualNames.indexOf(expectedNames.get(i));
    }
    Map<List<String>, Integer> missing = new HashMap<>();
    for (List<String> row : expected.rows()) {
      missing.merge(row, 1, Integer::sum);
    }
    List<List<String>> unexpected = new ArrayList<>();
    for (List<String> row : actual.rows()) {
      List<String> reordered = new ArrayList<>();
      for (int index : order) {
        reordered.add(row.get(index));
      }
      Integer count = missing.get(reordered);
      if (count == null) {
        unexpected.add(reordered);
      } else if (count == 1) {
        missing.remove(reordered);
      } else {
        missing.put(reordered, count - 1);
      }
    }
    if (missing.isEmpty() && unexpected.isEmpty()) {
      return null;
    }
    List<List<String>> absent = new ArrayList<>();
    missing.forEach(
        (row, count) -> {
          for (int i = 0; i < count; i++) {
            absent.add(row);
          }
        });
    StringBuilder message =
        new StringBuilder("expected ")
            .append(expected.rows().size())
            .append(" rows, saw ")
            .append(actual.rows().size())
            .append("; columns ")
            .append(expected.columns());
    appendRows(message, "expected but not produced", absent);
    appendRows(message, "produced but not expected", unexpected);
    return message.toString();
  }

  private static void appendRows(StringBuilder message, String title, List<List<String>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    message.append("\n    ").append(title).append(" (").append(rows.size()).append("):");
    rows.stream()
        .map(row -> "(" + String.join(", ", row) + ")")
        .sorted()
        .limit(ROWS_SHOWN)
        .forEach(row -> message.append("\n      ").append(row));
    if (rows.size() > ROWS_SHOWN) {
      message.append("\n      ...");
    }
  }

  private static List<String> normalized(List<String> columns) {
    return columns.stream().map(name -> name.toUpperCase(Locale.ROOT)).collect(Collectors.toList());
  }

  /**
   * A value as SQL-like text that is equal for equal values: numbers by value whatever their type,
   * strings quoted, dates and times with their type name.
   */
  static String render(Value value) {
    if (value.isNull()) {
      return "NULL";
    }
    switch (value.getType().getKind()) {
      case TYPE_INT32:
      case TYPE_INT64:
      case TYPE_UINT32:
      case TYPE_UINT64:
        return number(BigDecimal.valueOf(value.toInt64()));
      case TYPE_FLOAT:
      case TYPE_DOUBLE:
        double number = value.toDouble();
        return Double.isFinite(number)
            ? number(new BigDecimal(Double.toString(number)))
            : Double.toString(number);
      case TYPE_NUMERIC:
        return number(value.getNumericValue());
      case TYPE_BIGNUMERIC:
        return number(value.getBigNumericValue());
      case TYPE_BOOL:
        return Boolean.toString(value.getBoolValue()).toUpperCase(Locale.ROOT);
      case TYPE_STRING:
        return "'" + value.getStringValue().replace("\\", "\\\\").replace("'", "\\'") + "'";
      case TYPE_BYTES:
        return "b'" + Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()) + "'";
      case TYPE_DATE:
        return "DATE '" + value.getLocalDateValue() + "'";
      case TYPE_DATETIME:
        return "DATETIME '" + value.getLocalDateTimeValue() + "'";
      case TYPE_TIME:
        return "TIME '" + value.getLocalTimeValue() + "'";
      case TYPE_TIMESTAMP:
        long micros = value.getTimestampUnixMicros();
        Instant instant =
            Instant.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        return "TIMESTAMP '" + instant + "'";
      case TYPE_JSON:
        return "JSON '" + value.getJsonValue() + "'";
      case TYPE_ARRAY:
        return value.getElementList().stream()
            .map(UnitTestRunner::render)
            .collect(Collectors.joining(", ", "[", "]"));
      case TYPE_STRUCT:
        StructType struct = value.getType().asStruct();
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < value.getFieldCount(); i++) {
          fields.add(struct.getField(i).getName() + ": " + render(value.getField(i)));
        }
        return "{" + String.join(", ", fields) + "}";
      default:
        // INTERVAL, RANGE, GEOGRAPHY and the like: the client's own text for them.
        return value.getType().getKind() + " " + value.getSQLLiteral();
    }
  }

  private static String number(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }
}
