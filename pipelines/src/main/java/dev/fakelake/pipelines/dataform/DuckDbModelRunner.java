package dev.fakelake.pipelines.dataform;

import dev.fakelake.pipelines.dataform.CompiledGraph.Action;
import dev.fakelake.pipelines.dataform.CompiledGraph.Kind;
import dev.fakelake.pipelines.dataform.CompiledGraph.Target;
import dev.fakelake.pipelines.dataform.CompiledGraph.UnitTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * Runs a Dataform project, compiled with {@code --vars=engine=duckdb}, against a DuckDB database:
 * every table, view, incremental table and operation in dependency order, then the assertions. A
 * SQL error stops the run naming the action and its file; so does an assertion that returns rows,
 * with the number of rows that broke it.
 *
 * <p>Dataform core only knows BigQuery, so every {@code ref()} compiles to a backticked {@code
 * `project.dataset.table`}; each one that names an action of the graph becomes {@code
 * "dataset"."table"}, and any other backticked name is an error (it is usually a table written
 * without {@code ref()}). Tables and views are replaced; an incremental table is created from its
 * query the first time and afterwards merged with its incremental query on its unique key (or
 * appended to without one), columns matched by name. Assertions become views in their dataset, so
 * the rows that broke one can be looked at after a failure.
 */
public final class DuckDbModelRunner {

  /**
   * What one action did: {@code outcome} is {@code disabled}, {@code passed} for an assertion, how
   * an incremental table changed ({@code created}, {@code rebuilt}, {@code 270 merged}), or empty;
   * {@code rows} is the row count of its output, or null.
   */
  public record ActionResult(Action action, String outcome, Long rows, double seconds) {

    public boolean disabled() {
      return outcome.equals(DISABLED);
    }
  }

  static final String DISABLED = "disabled";
  static final String PASSED = "passed";

  /** One unit test: passed, or why not. */
  public record UnitTestResult(UnitTest test, boolean passed, String failure) {}

  /** A SQL error or an unknown table name in one action (or unit test) of the project. */
  public static class ActionFailedException extends RuntimeException {
    private final String fileName;

    ActionFailedException(String fileName, String message, Throwable cause) {
      super(message, cause);
      this.fileName = fileName;
    }

    /** The project file of the action, e.g. {@code definitions/outputs/sessions.sqlx}. */
    public String fileName() {
      return fileName;
    }
  }

  /** An assertion returned rows. */
  public static final class AssertionFailedException extends ActionFailedException {
    private final long rows;

    AssertionFailedException(Action assertion, long rows) {
      super(
          assertion.fileName(),
          "assertion "
              + assertion.target().name()
              + " ("
              + assertion.fileName()
              + (assertion.parent() == null ? "" : ", on " + assertion.parent())
              + ") failed: "
              + rows
              + (rows == 1 ? " row breaks it" : " rows break it")
              + "; they are in the view "
              + assertion.target().qualifiedName(),
          null);
      this.rows = rows;
    }

    public long rows() {
      return rows;
    }
  }

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]*)`");
  private static final String INCREMENT = "fakelake_increment";

  private final Connection connection;
  private final CompiledGraph graph;
  private final Map<String, Action> byName;
  private final boolean fullRefresh;

  /**
   * @param fullRefresh rebuild incremental tables from their full query, as {@code dataform run
   *     --full-refresh} does (protected ones excepted)
   */
  public DuckDbModelRunner(Connection connection, CompiledGraph graph, boolean fullRefresh) {
    String engine = graph.vars().get("engine");
    if (!"duckdb".equals(engine)) {
      throw new IllegalArgumentException(
          "The graph was compiled for engine=" + engine + "; DuckDB runs --vars=engine=duckdb");
    }
    this.connection = connection;
    this.graph = graph;
    this.byName = graph.byBigQueryName();
    this.fullRefresh = fullRefresh;
  }

  /**
   * Runs every enabled action in dependency order, reporting each as it finishes.
   *
   * @throws AssertionFailedException at the first assertion that returns rows
   * @throws ActionFailedException at the first action whose SQL fails
   * @throws IllegalArgumentException when the project would write into a source dataset
   * @throws IllegalStateException when a source table is missing from the warehouse
   */
  public List<ActionResult> run(Consumer<ActionResult> progress) {
    List<Action> ordered = order(graph);
    checkOwnDatasets(ordered);
    checkSourcesExist(ordered);
    for (String schema :
        ordered.stream()
            .map(a -> a.target().schema())
            .collect(Collectors.toCollection(TreeSet::new))) {
      execute(
          new Step("creating schema " + schema, ""),
          "CREATE SCHEMA IF NOT EXISTS " + quote(schema));
    }
    List<ActionResult> results = new ArrayList<>();
    for (Action action : ordered) {
      long started = System.nanoTime();
      ActionResult result;
      if (action.disabled()) {
        result = new ActionResult(action, DISABLED, null, 0);
      } else {
        result = runAction(action, started);
      }
      results.add(result);
      progress.accept(result);
    }
    return results;
  }

  /**
   * Runs the project's unit tests: each test query must return the expected rows, as a multiset,
   * with the same column names.
   */
  public List<UnitTestResult> runUnitTests() {
    List<UnitTestResult> results = new ArrayList<>();
    for (UnitTest test : graph.tests()) {
      results.add(runUnitTest(test));
    }
    return results;
  }

  /**
   * The enabled and disabled actions without the declarations, in an order that runs each after
   * everything it depends on; among actions that are ready, tables, views and operations run before
   * assertions, and otherwise the compiler's order is kept.
   */
  static List<Action> order(CompiledGraph graph) {
    Map<String, Action> byName = graph.byBigQueryName();
    List<Action> runnable =
        graph.actions().stream().filter(a -> a.kind() != Kind.DECLARATION).toList();
    Map<Action, Integer> position = new HashMap<>();
    Map<Action, Integer> waitingFor = new HashMap<>();
    Map<Action, List<Action>> dependents = new HashMap<>();
    for (Action action : runnable) {
      position.put(action, position.size());
      int count = 0;
      for (Target dependency : new LinkedHashSet<>(action.dependencies())) {
        Action upstream = byName.get(dependency.bigQueryName());
        if (upstream == null) {
          throw new IllegalArgumentException(
              action.fileName() + ": depends on " + dependency + ", which no action defines");
        }
        if (upstream.kind() != Kind.DECLARATION) {
          dependents.computeIfAbsent(upstream, k -> new ArrayList<>()).add(action);
          count++;
        }
      }
      waitingFor.put(action, count);
    }
    PriorityQueue<Action> ready =
        new PriorityQueue<>(
            Comparator.comparing((Action a) -> a.kind() == Kind.ASSERTION)
                .thenComparing(position::get));
    runnable.stream().filter(a -> waitingFor.get(a) == 0).forEach(ready::add);
    List<Action> ordered = new ArrayList<>();
    while (!ready.isEmpty()) {
      Action next = ready.poll();
      ordered.add(next);
      for (Action dependent : dependents.getOrDefault(next, List.of())) {
        if (waitingFor.merge(dependent, -1, Integer::sum) == 0) {
          ready.add(dependent);
        }
      }
    }
    if (ordered.size() < runnable.size()) {
      throw new IllegalArgumentException(
          "The Dataform actions depend on each other in a cycle: "
              + runnable.stream()
                  .filter(a -> !ordered.contains(a))
                  .map(a -> a.target() + " (" + a.fileName() + ")")
                  .collect(Collectors.joining(", ")));
    }
    return ordered;
  }

  /** The compiled SQL with every backticked action name replaced by its DuckDB name. */
  String toDuckDb(Step step, String sql) {
    Matcher matcher = BACKTICKED.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      Action named = byName.get(matcher.group(1));
      if (named == null) {
        throw new ActionFailedException(
            step.fileName(),
            step
                + " names `"
                + matcher.group(1)
                + "`, which is no table of the Dataform project: refer to tables with"
                + " ${ref(\"name\")}, and declare the pipelines' tables in definitions/sources",
            null);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(duckDbName(named.target())));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private ActionResult runAction(Action action, long started) {
    Step step = Step.of(action);
    String name = duckDbName(action.target());
    String outcome;
    Long rows = null;
    switch (action.kind()) {
      case TABLE -> {
        replaceOtherKind(step, action.target(), "BASE TABLE");
        executeAll(step, action.preOps());
        execute(step, "CREATE OR REPLACE TABLE " + name + " AS\n" + sql(step, action.query()));
        executeAll(step, action.postOps());
        outcome = "";
        rows = count(step, name);
      }
      case VIEW -> {
        replaceOtherKind(step, action.target(), "VIEW");
        executeAll(step, action.preOps());
        execute(step, "CREATE OR REPLACE VIEW " + name + " AS\n" + sql(step, action.query()));
        executeAll(step, action.postOps());
        outcome = "";
        rows = count(step, name);
      }
      case INCREMENTAL -> {
        replaceOtherKind(step, action.target(), "BASE TABLE");
        boolean exists = "BASE TABLE".equals(relationType(action.target()));
        if (!exists || (fullRefresh && !action.isProtected())) {
          executeAll(step, action.preOps());
          execute(step, "CREATE OR REPLACE TABLE " + name + " AS\n" + sql(step, action.query()));
          executeAll(step, action.postOps());
          outcome = exists ? "rebuilt" : "created";
        } else {
          executeAll(step, action.incrementalPreOps());
          long added = merge(step, action);
          executeAll(step, action.incrementalPostOps());
          outcome =
              String.format("%,d %s", added, action.uniqueKey().isEmpty() ? "appended" : "merged");
        }
        rows = count(step, name);
      }
      case OPERATION -> {
        executeAll(step, action.queries());
        outcome = "";
      }
      case ASSERTION -> {
        execute(step, "CREATE OR REPLACE VIEW " + name + " AS\n" + sql(step, action.query()));
        long failing = count(step, name);
        if (failing > 0) {
          throw new AssertionFailedException(action, failing);
        }
        outcome = PASSED;
        rows = 0L;
      }
      default -> throw new IllegalStateException("Not runnable: " + action.kind());
    }
    return new ActionResult(action, outcome, rows, (System.nanoTime() - started) / 1e9);
  }

  /**
   * Applies an incremental table's incremental query: its rows go to a temporary table first, so
   * that their columns are known by name, then are merged on the unique key or appended. Returns
   * the number of rows merged or appended.
   */
  private long merge(Step step, Action action) {
    String table = duckDbName(action.target());
    String query = action.incrementalQuery() == null ? action.query() : action.incrementalQuery();
    execute(step, "CREATE OR REPLACE TEMP TABLE " + INCREMENT + " AS\n" + sql(step, query));
    try {
      List<String> columns = columns(step, "SELECT * FROM " + INCREMENT);
      Set<String> existing = new LinkedHashSet<>(columns(step, "SELECT * FROM " + table));
      List<String> unknown = columns.stream().filter(c -> !existing.contains(c)).toList();
      if (!unknown.isEmpty()) {
        throw new ActionFailedException(
            step.fileName(),
            step
                + " selects columns that "
                + action.target()
                + " lacks: "
                + unknown
                + "; rebuild it with --fullRefresh=true",
            null);
      }
      String names = columns.stream().map(DuckDbModelRunner::quote).collect(commas());
      if (action.uniqueKey().isEmpty()) {
        execute(
            step,
            "INSERT INTO " + table + " (" + names + ") SELECT " + names + " FROM " + INCREMENT);
      } else {
        String on =
            action.uniqueKey().stream()
                .map(k -> "t." + quote(k) + " = s." + quote(k))
                .collect(Collectors.joining(" AND "));
        String set =
            columns.stream()
                .filter(c -> !action.uniqueKey().contains(c))
                .map(c -> quote(c) + " = s." + quote(c))
                .collect(commas());
        String values = columns.stream().map(c -> "s." + quote(c)).collect(commas());
        execute(
            step,
            "MERGE INTO "
                + table
                + " AS t USING "
                + INCREMENT
                + " AS s ON "
                + on
                + (set.isEmpty() ? "" : " WHEN MATCHED THEN UPDATE SET " + set)
                + " WHEN NOT MATCHED THEN INSERT ("
                + names
                + ") VALUES ("
                + values
                + ")");
      }
      return count(step, INCREMENT);
    } finally {
      execute(step, "DROP TABLE IF EXISTS " + INCREMENT);
    }
  }

  private UnitTestResult runUnitTest(UnitTest test) {
    Step step =
        new Step("unit test " + test.name() + " (" + test.fileName() + ")", test.fileName());
    try {
      String actual = sql(step, test.testQuery());
      String expected = sql(step, test.expectedQuery());
      List<String> actualColumns = columns(step, "SELECT * FROM (\n" + actual + ") LIMIT 0");
      List<String> expectedColumns = columns(step, "SELECT * FROM (\n" + expected + ") LIMIT 0");
      if (!new TreeSet<>(actualColumns).equals(new TreeSet<>(expectedColumns))) {
        return new UnitTestResult(
            test,
            false,
            "columns differ: the model gives "
                + actualColumns
                + ", the test expects "
                + expectedColumns);
      }
      String select = expectedColumns.stream().map(DuckDbModelRunner::quote).collect(commas());
      String actualRows = "SELECT " + select + " FROM (\n" + actual + ")";
      String expectedRows = "SELECT " + select + " FROM (\n" + expected + ")";
      List<String> unexpected =
          rows(step, "(" + actualRows + ") EXCEPT ALL (" + expectedRows + ")");
      List<String> missing = rows(step, "(" + expectedRows + ") EXCEPT ALL (" + actualRows + ")");
      if (unexpected.isEmpty() && missing.isEmpty()) {
        return new UnitTestResult(test, true, null);
      }
      return new UnitTestResult(
          test,
          false,
          "rows differ (columns "
              + expectedColumns
              + "): the model also gives "
              + unexpected
              + " and lacks "
              + missing);
    } catch (ActionFailedException e) {
      return new UnitTestResult(test, false, e.getMessage());
    }
  }

  private void checkOwnDatasets(List<Action> ordered) {
    Set<String> sourceSchemas =
        graph.actions(Kind.DECLARATION).stream()
            .map(a -> a.target().schema())
            .collect(Collectors.toSet());
    for (Action action : ordered) {
      if (sourceSchemas.contains(action.target().schema())) {
        throw new IllegalArgumentException(
            action.fileName()
                + " writes "
                + action.target()
                + ", but the dataset "
                + action.target().schema()
                + " belongs to the pipelines: Dataform writes only into datasets of its own");
      }
    }
  }

  private void checkSourcesExist(List<Action> ordered) {
    for (Action action : ordered) {
      for (Target dependency : action.dependencies()) {
        Action upstream = byName.get(dependency.bigQueryName());
        if (upstream.kind() == Kind.DECLARATION && relationType(dependency) == null) {
          throw new IllegalStateException(
              "The warehouse has no table "
                  + dependency
                  + ", which "
                  + action.fileName()
                  + " reads: load the warehouse first (./fakelake curate, or ./fakelake run)");
        }
      }
    }
  }

  /** Drops the target when it exists as the other kind (a view where a table goes). */
  private void replaceOtherKind(Step step, Target target, String wanted) {
    String existing = relationType(target);
    if (existing != null && !existing.equals(wanted)) {
      execute(step, "DROP " + ("VIEW".equals(existing) ? "VIEW " : "TABLE ") + duckDbName(target));
    }
  }

  /** {@code BASE TABLE}, {@code VIEW}, or null when the relation does not exist. */
  private String relationType(Target target) {
    String sql =
        "SELECT table_type FROM information_schema.tables"
            + " WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, target.schema());
      statement.setString(2, target.name());
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot look up " + target + ": " + e.getMessage(), e);
    }
  }

  /** A statement of the project in DuckDB's names; the line break ends a trailing comment. */
  private String sql(Step step, String compiled) {
    return toDuckDb(step, compiled) + "\n";
  }

  private void executeAll(Step step, List<String> statements) {
    for (String statement : statements) {
      if (!statement.isBlank()) {
        execute(step, sql(step, statement));
      }
    }
  }

  // DuckDB's JDBC driver closes a statement after any error, so each statement gets its own.
  private void execute(Step step, String sql) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw failure(step, e);
    }
  }

  private long count(Step step, String relation) {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM " + relation)) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw failure(step, e);
    }
  }

  private List<String> columns(Step step, String query) {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      ResultSetMetaData meta = result.getMetaData();
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i));
      }
      return names;
    } catch (SQLException e) {
      throw failure(step, e);
    }
  }

  /** Up to five rows of a query, each as {@code (v1, v2, ...)}, for messages. */
  private List<String> rows(Step step, String query) {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      int width = result.getMetaData().getColumnCount();
      List<String> rows = new ArrayList<>();
      while (result.next() && rows.size() < 5) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
          values.add(String.valueOf(result.getObject(i)));
        }
        rows.add("(" + String.join(", ", values) + ")");
      }
      return rows;
    } catch (SQLException e) {
      throw failure(step, e);
    }
  }

  // DuckDB's message says all there is to say; the SQLException is not kept as the cause, so that
  // the command prints it once.
  private static ActionFailedException failure(Step step, SQLException e) {
    return new ActionFailedException(
        step.fileName(), step + " failed: " + String.valueOf(e.getMessage()).strip(), null);
  }

  static String duckDbName(Target target) {
    return quote(target.schema()) + "." + quote(target.name());
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static Collector<CharSequence, ?, String> commas() {
    return Collectors.joining(", ");
  }

  /** What is running, for messages: e.g. {@code table marts.sessions (definitions/...sqlx)}. */
  record Step(String description, String fileName) {
    static Step of(Action action) {
      return new Step(
          action.kind().name().toLowerCase(Locale.ROOT)
              + " "
              + action.target()
              + " ("
              + action.fileName()
              + ")",
          action.fileName());
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
