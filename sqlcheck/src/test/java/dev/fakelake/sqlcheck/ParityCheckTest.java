package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.sqlcheck.ParityCheck.Comparison;
import dev.fakelake.sqlcheck.ParityCheck.Report;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parity check can fail: a model written with a construct that DuckDB accepts but answers
 * differently is caught, naming the model and showing rows from each side, and the same model
 * written with the dialect helper passes. Each model is compiled by the Dataform CLI the dataform
 * module installed, with the project's real {@code includes/}, in a small project beside the orders
 * declaration, and runs on seven known orders, one per day of a week.
 */
class ParityCheckTest {

  private static final Path DATAFORM = Path.of("..", "dataform").toAbsolutePath().normalize();

  @TempDir static Path work;

  private static Path warehouse;

  @BeforeAll
  static void sampleWarehouseWithOneOrderPerWeekday() throws Exception {
    warehouse = work.resolve("sample.duckdb");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA silver");
      statement.execute(
          DuckDbEngine.createTableSql("silver.orders", WarehouseTable.SILVER_ORDERS.schema()));
      // 4 January 2026 is a Sunday: BigQuery's day 1, DuckDB's day 0.
      for (int day = 0; day < 7; day++) {
        statement.execute(
            "INSERT INTO silver.orders (order_id, customer_id, status, created_at, total_amount)"
                + " VALUES ("
                + (100 + day)
                + ", 1, 'paid', TIMESTAMP '"
                + LocalDate.of(2026, 1, 4).plusDays(day)
                + " 23:30:00', "
                + (10 + day)
                + ".25)");
      }
    }
  }

  @Test
  void dayOfWeekWithoutTheHelperIsCaughtWithRowsFromEachSide() throws Exception {
    Report report =
        check(
            "trap_day_of_week",
            "SELECT EXTRACT(DAYOFWEEK FROM created_at) AS day_of_week, COUNT(*) AS orders\n"
                + "FROM ${ref(\"orders\")}\nGROUP BY 1");

    assertEquals(1, report.failures().size(), report.comparisons().toString());
    Comparison failure = report.failures().get(0);
    assertEquals(
        "marts.trap_day_of_week (definitions/outputs/trap_day_of_week.sqlx)", failure.action());
    String difference = failure.difference();
    int duckDbPart = difference.indexOf("only on DuckDB");
    assertTrue(duckDbPart > 0, difference);
    // Saturday is 7 on BigQuery; Sunday is 0 on DuckDB.
    assertTrue(difference.substring(0, duckDbPart).contains("(7, 1)"), difference);
    assertTrue(difference.substring(duckDbPart).contains("(0, 1)"), difference);
  }

  @Test
  void dayOfWeekThroughTheHelperGivesTheSameRows() throws Exception {
    Report report =
        check(
            "day_of_week",
            "SELECT ${dialect.dayOfWeek(\"created_at\")} AS day_of_week, COUNT(*) AS orders\n"
                + "FROM ${ref(\"orders\")}\nGROUP BY 1");

    assertTrue(report.ok(), report.failures().toString());
    assertEquals(1, report.actionsCompared());
    assertEquals(14, report.rowsCompared());
  }

  @Test
  void aNumericCastWithoutTheHelperLosesDecimalsOnDuckDb() throws Exception {
    // DuckDB's NUMERIC is DECIMAL(18,3): 10.25 / 4 = 2.5625 becomes 2.563 there.
    Report trap =
        check(
            "trap_numeric",
            "SELECT order_id, CAST(total_amount / 4 AS NUMERIC) AS quarter FROM ${ref(\"orders\")}");
    Report helper =
        check(
            "quarter_amount",
            "SELECT order_id, ${dialect.toNumeric(\"total_amount / 4\")} AS quarter"
                + " FROM ${ref(\"orders\")}");

    assertEquals(1, trap.failures().size(), trap.comparisons().toString());
    assertTrue(trap.failures().get(0).difference().contains("(100, 2.5625)"));
    assertTrue(trap.failures().get(0).difference().contains("(100, 2.563)"));
    assertTrue(helper.ok(), helper.failures().toString());
  }

  /** Compiles a project of the orders declaration and one model for both engines and checks it. */
  private static Report check(String model, String sql) throws Exception {
    Path project = work.resolve(model);
    copy(DATAFORM.resolve("includes"), project.resolve("includes"));
    copy(
        DATAFORM.resolve("definitions/sources/silver/orders.sqlx"),
        project.resolve("definitions/sources/silver/orders.sqlx"));
    Files.copy(
        DATAFORM.resolve("workflow_settings.yaml"), project.resolve("workflow_settings.yaml"));
    Files.copy(DATAFORM.resolve("package.json"), project.resolve("package.json"));
    // The CLI loads @dataform/core from inside the project only.
    copy(
        DATAFORM.resolve("node_modules/@dataform/core"),
        project.resolve("node_modules/@dataform/core"));
    Files.createDirectories(project.resolve("definitions/outputs"));
    Files.writeString(
        project.resolve("definitions/outputs/" + model + ".sqlx"),
        "config {\n  type: \"table\",\n  schema: \"marts\",\n"
            + "  description: \"A model of the parity check's tests.\",\n  tags: [\"test\"]\n}\n\n"
            + sql
            + "\n");
    Path bigQuery = compile(project, "bigquery");
    Path duckDb = compile(project, "duckdb");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Report report =
        ParityCheck.check(
            bigQuery, duckDb, warehouse, new PrintStream(printed, true, StandardCharsets.UTF_8));
    System.out.print(printed.toString(StandardCharsets.UTF_8));
    return report;
  }

  private static Path compile(Path project, String engine)
      throws IOException, InterruptedException {
    Path output = project.resolve("dataform-" + engine + ".json");
    Process process =
        new ProcessBuilder(
                DATAFORM.resolve("node_modules/.bin/dataform").toString(),
                "compile",
                ".",
                "--json",
                "--vars=engine=" + engine)
            .directory(project.toFile())
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "dataform compile timed out");
    assertEquals(0, process.exitValue(), "dataform compile failed: " + Files.readString(output));
    return output;
  }

  private static void copy(Path from, Path to) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = walk.collect(Collectors.toList());
    }
    for (Path path : paths) {
      Path target = to.resolve(from.relativize(path).toString());
      if (Files.isDirectory(path)) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(path, target);
      }
    }
  }
}
