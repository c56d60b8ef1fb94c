package dev.fakelake.sqlcheck;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A query result in a form two SQL engines can be compared in: column names, the kind of each
 * column, and each row's values normalised so that equal SQL values are equal Java values. Exact
 * numbers (integers, NUMERIC, DECIMAL) are {@link BigDecimal}s without trailing zeros, floating
 * point numbers {@link Double}s, timestamps UTC {@link java.time.Instant}s, dates {@link
 * java.time.LocalDate}s; arrays and other values are their text.
 *
 * <p>{@link #compare} treats the rows as multisets (SQL promises no order). Floating point values
 * match within {@link #RELATIVE_TOLERANCE} of each other, since two engines may add the same
 * numbers in a different order; every other value must be equal.
 */
public record ResultRows(List<String> columns, List<Family> families, List<List<Object>> rows) {

  /**
   * Floating point values match when they differ by at most this share of the larger magnitude (or
   * by {@link #ABSOLUTE_TOLERANCE} near zero).
   */
  public static final double RELATIVE_TOLERANCE = 1e-9;

  public static final double ABSOLUTE_TOLERANCE = 1e-12;

  private static final int ROWS_SHOWN = 5;

  /** What a column holds, as far as comparing values goes. */
  public enum Family {
    EXACT_NUMBER,
    FLOAT,
    STRING,
    BOOL,
    BYTES,
    DATE,
    TIMESTAMP,
    DATETIME,
    TIME,
    ARRAY,
    OTHER
  }

  public ResultRows {
    columns = List.copyOf(columns);
    families = List.copyOf(families);
    rows = List.copyOf(rows);
  }

  /** An exact number, normalised so that {@code 2}, {@code 2.0} and {@code 2.00} are equal. */
  static BigDecimal exact(BigDecimal value) {
    return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
  }

  /** A floating point number, with {@code -0.0} as {@code 0.0}. */
  static Double floating(double value) {
    return value == 0.0 ? 0.0 : value;
  }

  /**
   * Null when {@code duckDb} holds the same rows as {@code bigQuery}, else a description of the
   * difference with a few rows found on one side only.
   */
  public static String compare(ResultRows bigQuery, ResultRows duckDb) {
    List<String> bigQueryNames = lower(bigQuery.columns());
    List<String> duckDbNames = lower(duckDb.columns());
    if (!bigQueryNames.equals(duckDbNames)) {
      return "columns differ: BigQuery gives "
          + bigQuery.columns()
          + ", DuckDB gives "
          + duckDb.columns();
    }
    List<String> typeDifferences = new ArrayList<>();
    for (int i = 0; i < bigQueryNames.size(); i++) {
      Family expected = bigQuery.families().get(i);
      Family actual = duckDb.families().get(i);
      if (expected != actual) {
        typeDifferences.add(bigQuery.columns().get(i) + " is " + expected + " vs " + actual);
      }
    }
    if (!typeDifferences.isEmpty()) {
      return "column types differ (BigQuery vs DuckDB): " + String.join(", ", typeDifferences);
    }

    // Exact matches first; what is left is matched with the floating point tolerance.
    Map<List<Object>, Integer> unmatched = new HashMap<>();
    for (List<Object> row : bigQuery.rows()) {
      unmatched.merge(row, 1, Integer::sum);
    }
    List<List<Object>> onlyDuckDb = new ArrayList<>();
    for (List<Object> row : duckDb.rows()) {
      Integer count = unmatched.get(row);
      if (count == null) {
        onlyDuckDb.add(row);
      } else if (count == 1) {
        unmatched.remove(row);
      } else {
        unmatched.put(row, count - 1);
      }
    }
    List<List<Object>> onlyBigQuery = new ArrayList<>();
    unmatched.forEach(
        (row, count) -> {
          for (int i = 0; i < count; i++) {
            onlyBigQuery.add(row);
          }
        });
    if (bigQuery.families().contains(Family.FLOAT)) {
      matchWithinTolerance(bigQuery.families(), onlyBigQuery, onlyDuckDb);
    }
    if (onlyBigQuery.isEmpty() && onlyDuckDb.isEmpty()) {
      return null;
    }
    StringBuilder message =
        new StringBuilder()
            .append(bigQuery.rows().size())
            .append(" rows on BigQuery (ZetaSQL), ")
            .append(duckDb.rows().size())
            .append(" on DuckDB; columns ")
            .append(bigQuery.columns());
    appendRows(message, "only on BigQuery (ZetaSQL)", onlyBigQuery);
    appendRows(message, "only on DuckDB", onlyDuckDb);
    return message.toString();
  }

  /**
   * Removes from both lists the pairs of rows that are equal in every non-floating column and
   * within the tolerance in every floating one.
   */
  private static void matchWithinTolerance(
      List<Family> families, List<List<Object>> left, List<List<Object>> right) {
    Map<List<Object>, List<List<Object>>> rightByExactPart = new HashMap<>();
    for (List<Object> row : right) {
      rightByExactPart.computeIfAbsent(exactPart(families, row), k -> new ArrayList<>()).add(row);
    }
    Iterator<List<Object>> rows = left.iterator();
    while (rows.hasNext()) {
      List<Object> row = rows.next();
      List<List<Object>> candidates = rightByExactPart.get(exactPart(families, row));
      if (candidates == null) {
        continue;
      }
      for (Iterator<List<Object>> it = candidates.iterator(); it.hasNext(); ) {
        List<Object> candidate = it.next();
        if (floatsMatch(families, row, candidate)) {
          it.remove();
          right.remove(candidate);
          rows.remove();
          break;
        }
      }
    }
  }

  private static List<Object> exactPart(List<Family> families, List<Object> row) {
    List<Object> part = new ArrayList<>();
    for (int i = 0; i < row.size(); i++) {
      if (families.get(i) != Family.FLOAT) {
        part.add(row.get(i));
      }
    }
    return part;
  }

  private static boolean floatsMatch(List<Family> families, List<Object> a, List<Object> b) {
    for (int i = 0; i < a.size(); i++) {
      if (families.get(i) == Family.FLOAT && !close((Double) a.get(i), (Double) b.get(i))) {
        return false;
      }
    }
    return true;
  }

  static boolean close(Double a, Double b) {
    if (a == null || b == null || a.isNaN() || b.isNaN() || a.isInfinite() || b.isInfinite()) {
      return Objects.equals(a, b);
    }
    double difference = Math.abs(a - b);
    return difference <= ABSOLUTE_TOLERANCE
        || difference <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }

  private static void appendRows(StringBuilder message, String title, List<List<Object>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    message.append("\n    ").append(title).append(" (").append(rows.size()).append(" rows):");
    rows.stream()
        .map(ResultRows::format)
        .sorted()
        .limit(ROWS_SHOWN)
        .forEach(row -> message.append("\n      ").append(row));
    if (rows.size() > ROWS_SHOWN) {
      message.append("\n      ...");
    }
  }

  /** A row as {@code (v1, v2, ...)}, strings quoted. */
  static String format(List<Object> row) {
    return row.stream()
        .map(
            value -> {
              if (value == null) {
                return "NULL";
              } else if (value instanceof String text) {
                return "'" + text + "'";
              } else if (value instanceof BigDecimal number) {
                return number.toPlainString();
              }
              return value.toString();
            })
        .collect(Collectors.joining(", ", "(", ")"));
  }

  private static List<String> lower(List<String> names) {
    return names.stream().map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toList());
  }
}
