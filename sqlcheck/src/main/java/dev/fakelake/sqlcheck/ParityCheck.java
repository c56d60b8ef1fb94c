package dev.fakelake.sqlcheck;

import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.Type;
import dev.fakelake.sqlcheck.BigQueryAnalyzer.Problem;
import dev.fakelake.sqlcheck.DataformCompilation.Action;
import dev.fakelake.sqlcheck.DataformCompilation.Kind;
import dev.fakelake.sqlcheck.DataformCompilation.Target;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;

/**
 * Warehouse parity: the same Dataform project gives the same rows on BigQuery and on DuckDB. The
 * same sample of warehouse rows is loaded into ZetaSQL's reference engine (BigQuery's SQL
 * semantics, time zone UTC) and into DuckDB; every action of the BigQuery compilation runs on
 * ZetaSQL and the same action of the DuckDB compilation runs on DuckDB, in dependency order, each
 * reading its own engine's upstream outputs; each output is compared as a multiset of rows (see
 * {@link ResultRows}). An incremental table is compared twice: its full query, and its incremental
 * query over the table the full query built. Assertions are compared too: an assertion that passes
 * on one warehouse and fails on the other is a parity difference.
 *
 * <p>Actions that neither engine can run offline (BigQuery ML's {@code CREATE MODEL} and {@code
 * ML.EVALUATE}, compiled for BigQuery only) are listed as not compared, with the reason.
 *
 * <pre>{@code
 * java -cp ... dev.fakelake.sqlcheck.ParityCheck dataform/target/dataform-bigquery.json \
 *     dataform/target/dataform-duckdb.json sqlcheck/target/parity-lake/warehouse.duckdb
 * }</pre>
 */
public final class ParityCheck {

  private static final Pattern BIGQUERY_ML =
      Pattern.compile(
          "\\bCREATE\\s+(OR\\s+REPLACE\\s+)?MODEL\\b|\\bML\\.[A-Z_]+\\s*\\(",
          Pattern.CASE_INSENSITIVE);

  /** One compared output: {@code difference} is null when both engines gave the same rows. */
  public record Comparison(
      String action, String part, long bigQueryRows, long duckDbRows, String difference) {

    public boolean passed() {
      return difference == null;
    }

    public String format() {
      return (passed() ? "PASS " : "FAIL ")
          + action
          + (part.isEmpty() ? "" : " [" + part + "]")
          + ": "
          + (passed() ? bigQueryRows + " rows" : difference);
    }
  }

  /** What one run compared, what it could not, and how long it took. */
  public record Report(
      List<Comparison> comparisons,
      List<String> notCompared,
      Map<String, Long> sourceRows,
      double seconds) {

    public List<Comparison> failures() {
      return comparisons.stream().filter(c -> !c.passed()).collect(Collectors.toList());
    }

    public boolean ok() {
      return failures().isEmpty();
    }

    /** Distinct actions compared (an incremental table counts once). */
    public long actionsCompared() {
      return comparisons.stream().map(Comparison::action).distinct().count();
    }

    /** Rows compared, counting each engine's rows. */
    public long rowsCompared() {
      return comparisons.stream().mapToLong(c -> c.bigQueryRows() + c.duckDbRows()).sum();
    }
  }

  /** See {@link BigQueryCheck#GRPC_LOG}. */
  private static final Logger GRPC_LOG = Logger.getLogger("com.google.zetasql.io.grpc");

  private final DataformCompilation bigQuery;
  private final DataformCompilation duckDb;
  private final Map<String, Schema> sources;

  private ParityCheck(
      DataformCompilation bigQuery, DataformCompilation duckDb, Map<String, Schema> sources) {
    this.bigQuery = bigQuery;
    this.duckDb = duckDb;
    this.sources = sources;
  }

  public static void main(String[] args) {
    GRPC_LOG.setLevel(Level.SEVERE);
    if (args.length != 3) {
      System.err.println(
          "Usage: ParityCheck BIGQUERY.json DUCKDB.json SAMPLE_WAREHOUSE.duckdb"
              + "  (the two dataform compile --json outputs and a DuckDB warehouse of sample rows)");
      System.exit(2);
    }
    Report report;
    try {
      report =
          check(
              Path.of(args[0]).toAbsolutePath().normalize(),
              Path.of(args[1]).toAbsolutePath().normalize(),
              Path.of(args[2]).toAbsolutePath().normalize(),
              System.out);
    } catch (IOException | SQLException | RuntimeException e) {
      System.err.println("Parity check: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (!report.ok()) {
      System.err.println(
          "Parity check failed: "
              + report.failures().size()
              + " outputs differ between BigQuery (ZetaSQL) and DuckDB");
      System.exit(1);
    }
  }

  /** Runs the check on two compilations and a sample warehouse, printing what it finds. */
  public static Report check(
      Path bigQueryCompilation, Path duckDbCompilation, Path sampleWarehouse, PrintStream out)
      throws IOException, SQLException {
    if (!Files.isRegularFile(sampleWarehouse)) {
      throw new IOException("No sample warehouse at " + sampleWarehouse);
    }
    Report report =
        new ParityCheck(
                DataformCompilation.read(bigQueryCompilation),
                DataformCompilation.read(duckDbCompilation),
                BigQueryCheck.warehouseTables())
            .run(sampleWarehouse);
    for (Comparison comparison : report.comparisons()) {
      out.println("  " + comparison.format());
    }
    for (String skipped : report.notCompared()) {
      out.println("  NOT COMPARED " + skipped);
    }
    out.printf(
        "Warehouse parity (ZetaSQL vs DuckDB) on %s: %,d source rows; %d actions compared,"
            + " %,d rows compared, %d differ, %d not compared (%.1f s)%n",
        sampleWarehouse,
        report.sourceRows().values().stream().mapToLong(Long::longValue).sum(),
        report.actionsCompared(),
        report.rowsCompared(),
        report.failures().size(),
        report.notCompared().size(),
        report.seconds());
    return report;
  }

  private Report run(Path sampleWarehouse) throws SQLException {
    long start = System.nanoTime();
    List<Comparison> comparisons = new ArrayList<>();
    List<String> notCompared = new ArrayList<>();
    Map<String, Long> sourceRows = new HashMap<>();

    List<Problem> problems = new ArrayList<>();
    Set<Target> failed = new LinkedHashSet<>();
    List<Action> ordered = BigQueryAnalyzer.dependencyOrder(bigQuery, problems, failed);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "The BigQuery compilation cannot be ordered: "
              + problems.stream().map(Problem::format).collect(Collectors.joining("; ")));
    }
    Map<String, Action> duckDbActions = new HashMap<>();
    for (Action action : duckDb.actions()) {
      duckDbActions.put(action.target().shortName(), action);
    }
    Map<String, List<String>> duckDbNames = new HashMap<>();
    for (Target target : duckDb.declarations()) {
      duckDbNames.put(target.reference(), List.of(target.schema(), target.name()));
    }
    for (Action action : duckDb.actions()) {
      Target target = action.target();
      duckDbNames.put(target.reference(), List.of(target.schema(), target.name()));
    }
    Set<String> bigQueryTargets =
        bigQuery.actions().stream()
            .map(action -> action.target().shortName())
            .collect(Collectors.toSet());
    for (Action action : duckDb.actions()) {
      if (!bigQueryTargets.contains(action.target().shortName())) {
        comparisons.add(
            new Comparison(
                action.target().shortName(),
                "",
                0,
                0,
                action.describe() + " is compiled for DuckDB only: BigQuery would not build it"));
      }
    }

    try (ZetaSqlEngine zetaSql = new ZetaSqlEngine();
        DuckDbEngine duckDbEngine = new DuckDbEngine()) {
      duckDbEngine.attachSample(sampleWarehouse);
      for (Target declaration : bigQuery.declarations()) {
        Schema schema = sources.get(declaration.shortName());
        if (schema == null) {
          throw new IllegalArgumentException(
              "The declaration " + declaration + " names no table of WarehouseTable");
        }
        sourceRows.put(
            declaration.shortName(),
            duckDbEngine.createSource(declaration.schema(), declaration.name(), schema, true));
        SimpleTable table = ZetaSqlTypes.table(declaration.reference(), schema);
        List<Type> types =
            table.getColumnList().stream().map(SimpleColumn::getType).collect(Collectors.toList());
        zetaSql.putTable(
            declaration.reference(),
            table.getColumnList(),
            duckDbEngine.zetaSqlRows(declaration.schema(), declaration.name(), types));
      }

      Set<Target> skipped = new LinkedHashSet<>();
      for (Action action : ordered) {
        String name = action.target().shortName();
        List<Target> skippedUpstream =
            action.dependencies().stream().filter(skipped::contains).collect(Collectors.toList());
        Action duckDbAction = duckDbActions.get(name);
        String reason = null;
        if (action.kind() == Kind.OPERATIONS) {
          reason = "an operation: it has no query whose rows could be compared";
        } else if (!skippedUpstream.isEmpty()) {
          reason = "it reads " + skippedUpstream + ", which could not be compared";
        } else if (duckDbAction == null) {
          reason = "compiled for BigQuery only";
        }
        if (reason != null) {
          if (BIGQUERY_ML.matcher(String.join("\n", sqlOf(action))).find()) {
            reason +=
                "; it uses BigQuery ML (CREATE MODEL, ML.EVALUATE), which neither ZetaSQL's"
                    + " reference engine nor DuckDB executes";
          }
          notCompared.add(action.describe() + ": " + reason);
          skipped.add(action.target());
          continue;
        }
        if (!action.preOps().isEmpty() || !action.postOps().isEmpty()) {
          notCompared.add(
              action.describe()
                  + ": has pre- or post-operations, which the parity check does not run");
          skipped.add(action.target());
          continue;
        }
        Comparison full =
            compareQuery(
                zetaSql,
                duckDbEngine,
                duckDbNames,
                action,
                duckDbAction.query(),
                action.query(),
                "",
                true);
        comparisons.add(full);
        if (full.difference() != null && full.bigQueryRows() < 0) {
          // One engine could not run it: what reads it cannot be compared either.
          skipped.add(action.target());
          continue;
        }
        if (action.kind() == Kind.INCREMENTAL) {
          comparisons.add(
              compareQuery(
                  zetaSql,
                  duckDbEngine,
                  duckDbNames,
                  action,
                  duckDbAction.incrementalQuery(),
                  action.incrementalQuery(),
                  "incremental query",
                  false));
        }
      }
    }
    return new Report(comparisons, notCompared, sourceRows, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Runs one query of an action on both engines and compares the rows; with {@code materialize},
   * each engine's rows become the action's table there. A query that fails on either engine is a
   * difference with row counts of -1.
   */
  private static Comparison compareQuery(
      ZetaSqlEngine zetaSql,
      DuckDbEngine duckDb,
      Map<String, List<String>> duckDbNames,
      Action action,
      String duckDbQuery,
      String bigQueryQuery,
      String part,
      boolean materialize) {
    String name = action.describe();
    ZetaSqlEngine.Table bigQueryTable;
    try {
      bigQueryTable = zetaSql.query(bigQueryQuery);
    } catch (RuntimeException e) {
      return new Comparison(name, part, -1, -1, "ZetaSQL could not run it: " + e.getMessage());
    }
    ResultRows duckDbRows;
    try {
      String sql = DuckDbEngine.toDuckDb(duckDbQuery, duckDbNames);
      Target target = action.target();
      if (materialize) {
        duckDb.createTable(target.schema(), target.name(), sql);
        duckDbRows = duckDb.table(target.schema(), target.name());
      } else {
        duckDbRows = duckDb.query(sql);
      }
    } catch (SQLException | RuntimeException e) {
      return new Comparison(name, part, -1, -1, "DuckDB could not run it: " + e.getMessage());
    }
    if (materialize) {
      zetaSql.putTable(action.target().reference(), bigQueryTable.columns(), bigQueryTable.rows());
    }
    ResultRows bigQueryRows = ZetaSqlEngine.comparable(bigQueryTable);
    return new Comparison(
        name,
        part,
        bigQueryRows.rows().size(),
        duckDbRows.rows().size(),
        ResultRows.compare(bigQueryRows, duckDbRows));
  }

  private static List<String> sqlOf(Action action) {
    List<String> sql = new ArrayList<>(action.operations());
    sql.add(action.query());
    return sql;
  }
}
