package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.pipelines.dataform.DataformCli;
import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fakelake models} end to end: the real Dataform project, compiled by the CLI, run on a
 * small DuckDB warehouse of known rows with the schemas of {@link WarehouseTable}; its outputs are
 * checked row by row. Bad input (a broken ref, a missing column, a failing assertion, a table named
 * without ref) is tried on a copy of the project with one file changed, and each must give an error
 * naming the file.
 */
class ModelsIT {

  @TempDir Path lake;
  @TempDir Path copies;

  @BeforeEach
  void loadKnownRows() throws SQLException {
    DuckDbWarehouse.load(lake.toString(), EnumSet.allOf(WarehouseTable.class));
    customer(1, "2025-11-15T08:00");
    customer(2, "2025-12-03T08:00");
    customer(3, "2025-12-20T08:00");
    order(101, 1, "delivered", "2026-01-10T09:00", 100.0);
    order(102, 1, "cancelled", "2026-01-11T09:00", 999.0);
    order(103, 1, "paid", "2026-02-01T12:00", 50.5);
    order(104, 2, "shipped", "2026-01-20T18:00", 20.0);
    // User 1: two sessions, split by a 40-minute gap; a gap of exactly 30 minutes does not split.
    pageview("p1", 1, "2026-01-05T10:00", "/");
    pageview("p2", 1, "2026-01-05T10:10", "/cart");
    pageview("p3", 1, "2026-01-05T10:50", "/checkout");
    pageview("p4", 1, "2026-01-05T11:20", "/account");
    pageview("q1", 2, "2026-01-06T08:00", "/");
    pageview("q2", 2, "2026-01-06T08:05", "/cart");
    pageview("r1", 3, "2026-01-07T20:00", "/product/1");
  }

  @Test
  void buildsTheOutputsFromKnownRows() throws SQLException {
    CommandRun run = models();

    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("unit tests: 4 passed, 0 failed"), run.output());
    assertTrue(run.output().contains("assertions passed"), run.output());
    assertEquals(
        List.of(
            "p1 1 1 2026-01-05T10:00 2026-01-05T10:10 600 2 / /cart",
            "p3 1 2 2026-01-05T10:50 2026-01-05T11:20 1800 2 /checkout /account",
            "q1 2 1 2026-01-06T08:00 2026-01-06T08:05 300 2 / /cart",
            "r1 3 1 2026-01-07T20:00 2026-01-07T20:00 0 1 /product/1 /product/1"),
        rows(
            "SELECT session_key, user_id, session_number, strftime(started_at, '%Y-%m-%dT%H:%M'),"
                + " strftime(ended_at, '%Y-%m-%dT%H:%M'), duration_seconds, pageviews,"
                + " landing_url, exit_url FROM marts.sessions ORDER BY session_key"));
    assertEquals(
        List.of("101 1 100.0 null", "103 2 150.5 22", "104 1 20.0 null"),
        rows(
            "SELECT order_id, order_number, running_revenue, days_since_previous_order"
                + " FROM marts.customer_running_revenue ORDER BY order_id"));
    assertEquals(
        List.of(
            "2025-11-01 2026-01-01 2 1 1 1.0",
            "2025-11-01 2026-02-01 3 1 1 1.0",
            "2025-12-01 2026-01-01 1 2 1 0.5"),
        rows(
            "SELECT cohort_month, activity_month, months_since_registration, cohort_customers,"
                + " active_customers, retention_rate FROM marts.cohort_retention"
                + " ORDER BY cohort_month, activity_month"));
    assertEquals(
        List.of("1 4 / /account true", "2 2 / /cart true", "3 1 /product/1 /product/1 false"),
        rows(
            "SELECT customer_id, pageviews, first_touch_url, last_touch_url,"
                + " converted_after_first_touch FROM marts.first_last_touch ORDER BY customer_id"));
  }

  @Test
  void anIncrementalRunMergesPageviewsWithinTheLookbackAndAFullRefreshAddsTheRest()
      throws SQLException {
    assertEquals(0, models().exit());
    // The newest pageview loaded is r1 at 20:00 on 7 January; the lookback reaches 14:00.
    pageview("r2", 3, "2026-01-07T20:10", "/cart");
    pageview("q3", 2, "2026-01-07T17:00", "/account");
    pageview("p5", 1, "2026-01-05T11:40", "/help");

    CommandRun incremental = models();

    assertEquals(0, incremental.exit(), incremental.output());
    assertTrue(incremental.output().contains("3 merged"), incremental.output());
    assertEquals(9, count("marts.pageview_facts"));
    assertEquals(
        List.of("q1 2", "q3 1", "r1 2"),
        rows("SELECT session_key, pageviews FROM marts.sessions WHERE user_id > 1 ORDER BY 1"));
    assertEquals(
        List.of("p3 2"),
        rows("SELECT session_key, pageviews FROM marts.sessions WHERE session_key = 'p3'"));

    CommandRun full = models("--fullRefresh=true");

    assertEquals(0, full.exit(), full.output());
    assertEquals(10, count("marts.pageview_facts"));
    assertEquals(
        List.of("p3 3"),
        rows("SELECT session_key, pageviews FROM marts.sessions WHERE session_key = 'p3'"));
  }

  @Test
  void aBrokenRefIsACompileErrorNamingTheFile() throws IOException {
    Path project =
        projectWith(
            "definitions/outputs/sessions.sqlx",
            "ref(\"pageview_facts\")",
            "ref(\"pageview_fact\")");

    CommandRun run = models("--dataformDir=" + project);

    assertEquals(2, run.exit(), run.output());
    assertTrue(run.output().contains("does not compile for duckdb"), run.output());
    assertTrue(run.output().contains("definitions/outputs/sessions.sqlx: "), run.output());
    assertTrue(run.output().contains("pageview_fact"), run.output());
  }

  @Test
  void aMissingColumnIsAnErrorNamingTheActionAndFile() throws IOException {
    Path project =
        projectWith(
            "definitions/outputs/cohort_retention.sqlx",
            "DATE(registered_at)",
            "DATE(registerd_at)");

    CommandRun run = models("--dataformDir=" + project);

    assertEquals(1, run.exit(), run.output());
    assertTrue(
        run.output()
            .contains(
                "table marts.cohort_retention (definitions/outputs/cohort_retention.sqlx) failed: "),
        run.output());
    assertTrue(run.output().contains("registerd_at"), run.output());
  }

  @Test
  void aModelThatBreaksItsUnitTestStopsTheRunBeforeAnyAction() throws IOException {
    // A ROWS frame that ends one row early leaves each order out of its own running revenue.
    Path project =
        projectWith(
            "definitions/outputs/customer_running_revenue.sqlx",
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING");

    CommandRun run = models("--dataformDir=" + project);

    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("unit tests: 3 passed, 1 failed"), run.output());
    assertTrue(
        run.output()
            .contains(
                "customer_running_revenue_test (definitions/tests/customer_running_revenue_test.sqlx):"
                    + " rows differ"),
        run.output());
    assertTrue(!run.output().contains("[1/"), "no action ran:\n" + run.output());
  }

  @Test
  void aFailingAssertionStopsTheRunNamingItsFileAndRows() throws IOException {
    // User 3's only session has a single pageview.
    Path project =
        projectWith(
            "definitions/outputs/sessions.sqlx", "\"pageviews >= 1\"", "\"pageviews >= 2\"");

    CommandRun run = models("--dataformDir=" + project);

    assertEquals(1, run.exit(), run.output());
    assertTrue(
        run.output()
            .contains(
                "assertion marts_sessions_assertions_rowConditions"
                    + " (definitions/outputs/sessions.sqlx, on marts.sessions) failed:"
                    + " 1 row breaks it"),
        run.output());
  }

  @Test
  void aTableNamedWithoutRefIsAnErrorNamingTheFile() throws IOException {
    Path project =
        projectWith(
            "definitions/intermediate/sales_orders.sqlx",
            "${ref(\"orders\")}",
            "`fakelake.silver.order`");

    CommandRun run = models("--dataformDir=" + project);

    assertEquals(1, run.exit(), run.output());
    assertTrue(
        run.output()
            .contains(
                "view intermediate.sales_orders (definitions/intermediate/sales_orders.sqlx)"
                    + " names `fakelake.silver.order`, which is no table of the Dataform project"),
        run.output());
  }

  @Test
  void aLakeWithoutAWarehouseIsAClearError() {
    CommandRun run = CommandRun.of("models", "--lake=" + copies.resolve("empty"));

    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("There is no warehouse at"), run.output());
  }

  private CommandRun models(String... options) {
    List<String> args = new ArrayList<>(List.of("models", "--lake=" + lake));
    args.addAll(List.of(options));
    return CommandRun.of(args.toArray(String[]::new));
  }

  /**
   * A copy of the Dataform project with {@code from} replaced by {@code to} in one file. The copy
   * has its own {@code @dataform/core}, which the CLI loads from inside the project only, and uses
   * the installed CLI.
   */
  private Path projectWith(String file, String from, String to) throws IOException {
    Path original = DataformCli.locate("");
    Path copy = copies.resolve("dataform");
    copyTree(original, copy);
    Path modules = original.resolve("node_modules");
    copyTree(modules.resolve("@dataform/core"), copy.resolve("node_modules/@dataform/core"));
    Files.createSymbolicLink(copy.resolve("node_modules/.bin"), modules.resolve(".bin"));
    Path changed = copy.resolve(file);
    String text = Files.readString(changed);
    assertTrue(text.contains(from), file + " no longer contains " + from);
    Files.writeString(changed, text.replace(from, to));
    return copy;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path :
          paths
              .filter(p -> !p.startsWith(from.resolve("node_modules")))
              .filter(p -> !p.startsWith(from.resolve("target")))
              .toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  private void customer(long id, String registeredAt) throws SQLException {
    insert(
        WarehouseTable.SILVER_CUSTOMERS,
        Map.of("customer_id", id, "registered_at", LocalDateTime.parse(registeredAt)));
  }

  private void order(long id, long customer, String status, String createdAt, double amount)
      throws SQLException {
    LocalDateTime created = LocalDateTime.parse(createdAt);
    insert(
        WarehouseTable.SILVER_ORDERS,
        Map.of(
            "order_id", id,
            "customer_id", customer,
            "status", status,
            "created_at", created,
            "updated_at", created,
            "order_date", created.toLocalDate(),
            "total_amount", amount,
            "units", 1,
            "item_count", 1));
  }

  private void pageview(String id, long user, String eventTime, String url) throws SQLException {
    LocalDateTime time = LocalDateTime.parse(eventTime);
    insert(
        WarehouseTable.SILVER_PAGEVIEWS,
        Map.of(
            "event_id", id,
            "user_id", user,
            "session_id", "s" + user,
            "url", url,
            "latency_ms", 100,
            "event_time", time,
            "event_date", time.toLocalDate()));
  }

  /** One row of a warehouse table: the given columns, and a plain value in every other. */
  private void insert(WarehouseTable table, Map<String, Object> values) throws SQLException {
    Map<String, Object> row = new HashMap<>(values);
    List<String> columns = new ArrayList<>();
    List<String> literals = new ArrayList<>();
    for (Field field : table.schema().getFields()) {
      Object value =
          row.containsKey(field.getName()) ? row.remove(field.getName()) : plainValue(field);
      columns.add(field.getName());
      literals.add(literal(value));
    }
    assertEquals(Map.of(), row, "columns that " + table.qualifiedName() + " lacks");
    execute(
        "INSERT INTO "
            + table.qualifiedName()
            + " ("
            + String.join(", ", columns)
            + ") VALUES ("
            + String.join(", ", literals)
            + ")");
  }

  private static Object plainValue(Field field) {
    if (field.getType().getNullable()) {
      return null;
    }
    switch (field.getType().getTypeName()) {
      case INT32:
      case INT64:
        return 0;
      case DOUBLE:
        return 0.0;
      case BOOLEAN:
        return false;
      case DATETIME:
        return LocalDateTime.of(2026, 1, 1, 0, 0);
      case ARRAY:
      case ITERABLE:
        return List.of();
      case LOGICAL_TYPE:
        return LocalDate.of(2026, 1, 1);
      default:
        return "x";
    }
  }

  private static String literal(Object value) {
    if (value == null) {
      return "NULL";
    } else if (value instanceof String text) {
      return "'" + text.replace("'", "''") + "'";
    } else if (value instanceof LocalDate date) {
      return "DATE '" + date + "'";
    } else if (value instanceof LocalDateTime time) {
      return "TIMESTAMP '" + time + "'";
    } else if (value instanceof List<?> list) {
      assertTrue(list.isEmpty());
      return "[]";
    }
    return value.toString();
  }

  private void execute(String sql) throws SQLException {
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString());
        Statement statement = warehouse.createStatement()) {
      statement.execute(sql);
    }
  }

  private long count(String table) throws SQLException {
    return Long.parseLong(rows("SELECT count(*) FROM " + table).get(0));
  }

  private List<String> rows(String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString());
        Statement statement = warehouse.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      int width = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
          values.add(String.valueOf(result.getObject(i)));
        }
        rows.add(values.stream().collect(Collectors.joining(" ")));
      }
    }
    return rows;
  }
}
