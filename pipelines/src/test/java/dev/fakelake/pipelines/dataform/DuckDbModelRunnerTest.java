package dev.fakelake.pipelines.dataform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.pipelines.dataform.DuckDbModelRunner.ActionFailedException;
import dev.fakelake.pipelines.dataform.DuckDbModelRunner.AssertionFailedException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DuckDB runner on small hand-written compiled graphs, shaped like the CLI's JSON, against an
 * in-memory database.
 */
class DuckDbModelRunnerTest {

  private Connection db;

  @BeforeEach
  void createSource() throws SQLException {
    db = DriverManager.getConnection("jdbc:duckdb:");
    sql("CREATE SCHEMA silver");
    sql("CREATE TABLE silver.src (id INTEGER, v VARCHAR)");
    sql("INSERT INTO silver.src VALUES (1, 'a'), (2, 'b')");
  }

  @AfterEach
  void close() throws SQLException {
    db.close();
  }

  @Test
  void runsEachActionAfterItsDependenciesAndAssertionsAfterTheModels() {
    CompiledGraph graph =
        graph(
            table("table", "marts", "b", "SELECT * FROM `p.intermediate.a`", "p.intermediate.a"),
            assertion("marts_b_check", "SELECT * FROM `p.marts.b` WHERE id < 0", "p.marts.b"),
            table("view", "intermediate", "a", "SELECT * FROM `p.silver.src`", "p.silver.src"),
            table("table", "marts", "c", "SELECT 1 AS one", null));

    List<String> order =
        DuckDbModelRunner.order(graph).stream().map(a -> a.target().name()).toList();

    assertEquals(List.of("a", "b", "c", "marts_b_check"), order);
  }

  @Test
  void runsTablesAndViewsUnderTheirDatasetNames() throws SQLException {
    CompiledGraph graph =
        graph(
            table("view", "intermediate", "a", "SELECT * FROM `p.silver.src`", "p.silver.src"),
            table(
                "table",
                "marts",
                "b",
                "SELECT id * 10 AS id FROM `p.intermediate.a` -- a trailing comment",
                "p.intermediate.a"));

    List<DuckDbModelRunner.ActionResult> results =
        new DuckDbModelRunner(db, graph, false).run(r -> {});

    assertEquals(
        List.of(2L, 2L), results.stream().map(DuckDbModelRunner.ActionResult::rows).toList());
    assertEquals(List.of("10", "20"), column("SELECT id FROM marts.b ORDER BY id"));
  }

  @Test
  void aBacktickedNameThatNoActionDefinesIsAnErrorNamingTheFile() {
    CompiledGraph graph =
        graph(table("table", "marts", "b", "SELECT * FROM `p.silver.nowhere`", null));

    ActionFailedException error =
        assertThrows(
            ActionFailedException.class,
            () -> new DuckDbModelRunner(db, graph, false).run(r -> {}));

    assertTrue(error.getMessage().contains("definitions/marts/b.sqlx"), error.getMessage());
    assertTrue(error.getMessage().contains("`p.silver.nowhere`"), error.getMessage());
  }

  @Test
  void refusesToWriteIntoADatasetThePipelinesOwn() {
    CompiledGraph graph =
        graph(table("table", "silver", "mine", "SELECT * FROM `p.silver.src`", "p.silver.src"));

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DuckDbModelRunner(db, graph, false).run(r -> {}));

    assertTrue(error.getMessage().contains("belongs to the pipelines"), error.getMessage());
  }

  @Test
  void incrementalTablesMergeTheirNewRowsByColumnNameOnTheUniqueKey() throws SQLException {
    // The incremental query lists the columns in another order than the table: MERGE matches
    // them by name.
    CompiledGraph graph =
        graph(
            """
            {"type": "incremental", "target": {"database": "p", "schema": "marts", "name": "inc"},
             "fileName": "definitions/marts/inc.sqlx", "uniqueKey": ["id"],
             "query": "SELECT id, v FROM `p.silver.src`",
             "incrementalQuery": "SELECT v, id FROM `p.silver.src` WHERE id >= (SELECT max(id) FROM `p.marts.inc`)",
             "dependencyTargets": [{"database": "p", "schema": "silver", "name": "src"}]}
            """);
    DuckDbModelRunner runner = new DuckDbModelRunner(db, graph, false);
    assertEquals("created", runner.run(r -> {}).get(0).outcome());
    sql("UPDATE silver.src SET v = 'changed' WHERE id IN (1, 2)");
    sql("INSERT INTO silver.src VALUES (3, 'c')");

    String outcome = runner.run(r -> {}).get(0).outcome();

    assertEquals("2 merged", outcome);
    assertEquals(
        List.of("1 a", "2 changed", "3 c"),
        column("SELECT id || ' ' || v FROM marts.inc ORDER BY id"));
  }

  @Test
  void aFullRefreshRebuildsAnIncrementalTable() throws SQLException {
    CompiledGraph graph =
        graph(
            """
            {"type": "incremental", "target": {"database": "p", "schema": "marts", "name": "inc"},
             "fileName": "definitions/marts/inc.sqlx",
             "query": "SELECT id, v FROM `p.silver.src`",
             "incrementalQuery": "SELECT id, v FROM `p.silver.src` WHERE id > (SELECT max(id) FROM `p.marts.inc`)",
             "dependencyTargets": [{"database": "p", "schema": "silver", "name": "src"}]}
            """);
    new DuckDbModelRunner(db, graph, false).run(r -> {});
    sql("UPDATE silver.src SET v = 'changed' WHERE id = 1");

    assertEquals(
        "0 appended", new DuckDbModelRunner(db, graph, false).run(r -> {}).get(0).outcome());
    assertEquals("rebuilt", new DuckDbModelRunner(db, graph, true).run(r -> {}).get(0).outcome());
    assertEquals(
        List.of("1 changed", "2 b"), column("SELECT id || ' ' || v FROM marts.inc ORDER BY id"));
  }

  @Test
  void aFailingAssertionStopsTheRunWithItsNameFileAndRowCount() {
    CompiledGraph graph =
        graph(
            assertion(
                "src_ids_below_2", "SELECT * FROM `p.silver.src` WHERE id >= 2", "p.silver.src"),
            table("table", "marts", "after", "SELECT 1 AS one", null));
    List<String> ran = new ArrayList<>();

    AssertionFailedException error =
        assertThrows(
            AssertionFailedException.class,
            () ->
                new DuckDbModelRunner(db, graph, false)
                    .run(r -> ran.add(r.action().target().name())));

    assertEquals(1, error.rows());
    assertTrue(error.getMessage().contains("src_ids_below_2"), error.getMessage());
    assertTrue(
        error.getMessage().contains("definitions/dataform_assertions/src_ids_below_2.sqlx"),
        error.getMessage());
    assertTrue(error.getMessage().contains("1 row breaks it"), error.getMessage());
    assertEquals(List.of("after"), ran);
  }

  @Test
  void aSqlErrorNamesTheActionAndItsFile() {
    CompiledGraph graph =
        graph(
            table(
                "table",
                "marts",
                "b",
                "SELECT no_such_column FROM `p.silver.src`",
                "p.silver.src"));

    ActionFailedException error =
        assertThrows(
            ActionFailedException.class,
            () -> new DuckDbModelRunner(db, graph, false).run(r -> {}));

    assertTrue(
        error.getMessage().startsWith("table marts.b (definitions/marts/b.sqlx) failed: "),
        error.getMessage());
    assertTrue(error.getMessage().contains("no_such_column"), error.getMessage());
    assertEquals("definitions/marts/b.sqlx", error.fileName());
  }

  @Test
  void unitTestsCompareRowsAsMultisets() {
    CompiledGraph graph =
        CompiledGraph.parse(
            """
            {"projectConfig": {"vars": {"engine": "duckdb"}},
             "tests": [
               {"name": "same", "fileName": "definitions/tests/same.sqlx",
                "testQuery": "SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2",
                "expectedOutputQuery": "SELECT 2 AS x UNION ALL SELECT 1 UNION ALL SELECT 1"},
               {"name": "duplicate_missing", "fileName": "definitions/tests/dup.sqlx",
                "testQuery": "SELECT 1 AS x UNION ALL SELECT 2",
                "expectedOutputQuery": "SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2"},
               {"name": "renamed", "fileName": "definitions/tests/renamed.sqlx",
                "testQuery": "SELECT 1 AS x", "expectedOutputQuery": "SELECT 1 AS y"}
             ]}
            """);

    List<DuckDbModelRunner.UnitTestResult> results =
        new DuckDbModelRunner(db, graph, false).runUnitTests();

    assertEquals(
        List.of(true, false, false),
        results.stream().map(DuckDbModelRunner.UnitTestResult::passed).toList());
    assertTrue(results.get(1).failure().contains("lacks [(1)]"), results.get(1).failure());
    assertTrue(results.get(2).failure().contains("columns differ"), results.get(2).failure());
  }

  private static CompiledGraph graph(String... actions) {
    List<String> tables = new ArrayList<>();
    List<String> assertions = new ArrayList<>();
    for (String action : actions) {
      (action.contains("\"assertion\": true") ? assertions : tables).add(action);
    }
    return CompiledGraph.parse(
        """
        {"projectConfig": {"vars": {"engine": "duckdb"}},
         "declarations": [{"target": {"database": "p", "schema": "silver", "name": "src"}}],
         "tables": [%s],
         "assertions": [%s]}
        """
            .formatted(String.join(",", tables), String.join(",", assertions)));
  }

  private static String table(
      String type, String schema, String name, String query, String dependency) {
    return """
        {"type": "%s", "target": {"database": "p", "schema": "%s", "name": "%s"},
         "fileName": "definitions/%s/%s.sqlx", "query": "%s", "dependencyTargets": [%s]}
        """
        .formatted(type, schema, name, schema, name, query, target(dependency));
  }

  private static String assertion(String name, String query, String dependency) {
    return """
        {"assertion": true, "target": {"database": "p", "schema": "dataform_assertions", "name": "%s"},
         "fileName": "definitions/dataform_assertions/%s.sqlx", "query": "%s", "dependencyTargets": [%s]}
        """
        .formatted(name, name, query, target(dependency));
  }

  private static String target(String dependency) {
    if (dependency == null) {
      return "";
    }
    String[] parts = dependency.split("\\.");
    return """
        {"database": "%s", "schema": "%s", "name": "%s"}"""
        .formatted(parts[0], parts[1], parts[2]);
  }

  private void sql(String sql) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute(sql);
    }
  }

  private List<String> column(String query) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement statement = db.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      while (result.next()) {
        values.add(result.getString(1));
      }
    }
    return values;
  }
}
