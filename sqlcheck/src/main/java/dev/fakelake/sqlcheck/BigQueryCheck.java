package dev.fakelake.sqlcheck;

import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.sqlcheck.BigQueryAnalyzer.Problem;
import dev.fakelake.sqlcheck.UnitTestRunner.Outcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The offline check of the Dataform project's BigQuery compilation: analyses every action with
 * ZetaSQL against the warehouse tables of {@link WarehouseTable}, then runs the unit tests on
 * ZetaSQL's reference engine. Exits non-zero if anything fails.
 *
 * <pre>{@code
 * java -cp ... dev.fakelake.sqlcheck.BigQueryCheck dataform/target/dataform-bigquery.json
 * }</pre>
 */
public final class BigQueryCheck {

  /** Both halves of the check. */
  public record Report(BigQueryAnalyzer.Result analysis, List<Outcome> tests) {

    public long passed() {
      return tests.stream().filter(Outcome::passed).count();
    }

    public long failed() {
      return tests.size() - passed();
    }

    public boolean ok() {
      return analysis.ok() && failed() == 0;
    }
  }

  /**
   * ZetaSQL's shaded gRPC warns on start that it has no DNS name resolver; its channel is in
   * process and needs none. Held in a field, since java.util.logging keeps loggers weakly.
   */
  private static final Logger GRPC_LOG = Logger.getLogger("com.google.zetasql.io.grpc");

  private BigQueryCheck() {}

  public static void main(String[] args) {
    GRPC_LOG.setLevel(Level.SEVERE);
    if (args.length != 1) {
      System.err.println("Usage: BigQueryCheck COMPILATION.json  (dataform compile --json output)");
      System.exit(2);
    }
    Path compilation = Path.of(args[0]).toAbsolutePath().normalize();
    Report report;
    try {
      report = check(compilation, System.out);
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("BigQuery check: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (!report.ok()) {
      System.err.println("BigQuery check failed for " + compilation);
      System.exit(1);
    }
  }

  /** Checks a compilation and prints what it found; the report says whether it passed. */
  public static Report check(Path compilation, PrintStream out) throws IOException {
    DataformCompilation project = DataformCompilation.read(compilation);

    long start = System.nanoTime();
    BigQueryAnalyzer.Result analysis = BigQueryAnalyzer.analyze(project, warehouseTables());
    long analysed = System.nanoTime();
    out.printf(
        "ZetaSQL analysis of %s: %d actions, %d statements, %d failed, %d not analysed (%.1f s)%n",
        compilation,
        analysis.actionsAnalysed(),
        analysis.statementsAnalysed(),
        analysis.problems().size(),
        analysis.skipped().size(),
        (analysed - start) / 1e9);
    for (Problem problem : analysis.problems()) {
      out.println("  FAIL " + problem.format());
    }
    for (String skipped : analysis.skipped()) {
      out.println("  SKIP " + skipped);
    }

    List<Outcome> tests = new UnitTestRunner().run(project.tests());
    Report report = new Report(analysis, tests);
    for (Outcome outcome : tests) {
      if (!outcome.passed()) {
        out.println("  " + outcome.format());
      }
    }
    out.printf(
        "Dataform unit tests on ZetaSQL's reference engine: %d passed, %d failed (%.1f s)%n",
        report.passed(), report.failed(), (System.nanoTime() - analysed) / 1e9);
    return report;
  }

  /** Every warehouse table by {@code dataset.table}, the names Dataform declarations use. */
  public static Map<String, Schema> warehouseTables() {
    Map<String, Schema> tables = new LinkedHashMap<>();
    for (WarehouseTable table : WarehouseTable.values()) {
      tables.put(table.qualifiedName(), table.schema());
    }
    return tables;
  }
}
