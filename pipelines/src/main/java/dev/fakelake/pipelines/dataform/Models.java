package dev.fakelake.pipelines.dataform;

import static dev.fakelake.pipelines.dataform.DuckDbModelRunner.PASSED;

import dev.fakelake.pipelines.DuckDbWarehouse;
import dev.fakelake.pipelines.FakelakeOptions;
import dev.fakelake.pipelines.dataform.CompiledGraph.Kind;
import dev.fakelake.pipelines.dataform.DuckDbModelRunner.ActionResult;
import dev.fakelake.pipelines.dataform.DuckDbModelRunner.UnitTestResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * The {@code models} stage: compiles the Dataform project for DuckDB with the Dataform CLI, runs
 * its unit tests, then every action in dependency order against {@code LAKE/warehouse.duckdb}, and
 * the assertions. A failing unit test or assertion stops the stage.
 *
 * <pre>{@code
 * ./fakelake models
 * ./fakelake models --lake=/data/lake --fullRefresh=true
 * }</pre>
 */
public final class Models {

  /** Options of the models stage. */
  public interface Options extends FakelakeOptions {

    @Description(
        "The Dataform project folder; empty means the dataform/ folder of this fakelake checkout.")
    @Default.String("")
    String getDataformDir();

    void setDataformDir(String value);

    @Description("Rebuild incremental tables from their full query instead of merging new rows.")
    @Default.Boolean(false)
    boolean getFullRefresh();

    void setFullRefresh(boolean value);
  }

  /** What a run did. */
  public record Summary(
      Path projectDir,
      Path warehouse,
      double compileSeconds,
      List<UnitTestResult> unitTests,
      List<ActionResult> actions,
      double runSeconds) {

    /** Actions that ran, assertions not counted. */
    public List<ActionResult> models() {
      return actions.stream()
          .filter(r -> r.action().kind() != Kind.ASSERTION && !r.disabled())
          .collect(Collectors.toList());
    }

    public long assertionsPassed() {
      return actions.stream()
          .filter(r -> r.action().kind() == Kind.ASSERTION && r.outcome().equals(PASSED))
          .count();
    }
  }

  /** One or more unit tests gave other rows than they expect. */
  public static final class UnitTestsFailedException extends RuntimeException {
    UnitTestsFailedException(String message) {
      super(message);
    }
  }

  private Models() {}

  /** Runs the stage, printing each action as it finishes to {@code out}. */
  public static Summary run(Options options, PrintStream out) {
    Path projectDir = DataformCli.locate(options.getDataformDir());
    Path warehouse = DuckDbWarehouse.file(options.getLake());
    if (!Files.isRegularFile(warehouse)) {
      throw new IllegalStateException(
          "There is no warehouse at "
              + warehouse
              + ": load it first (./fakelake curate, or ./fakelake run)");
    }
    long started = System.nanoTime();
    CompiledGraph graph = DataformCli.compile(projectDir, "duckdb");
    double compileSeconds = (System.nanoTime() - started) / 1e9;
    out.printf(
        "models: compiled %s for DuckDB in %.1f s: %d actions, %d unit tests%n",
        projectDir,
        compileSeconds,
        graph.actions().size() - graph.actions(Kind.DECLARATION).size(),
        graph.tests().size());
    long running = System.nanoTime();
    try (Connection connection = DuckDbWarehouse.open(options.getLake())) {
      DuckDbModelRunner runner = new DuckDbModelRunner(connection, graph, options.getFullRefresh());
      List<UnitTestResult> tests = runner.runUnitTests();
      List<UnitTestResult> failed = tests.stream().filter(t -> !t.passed()).toList();
      out.printf(
          "models: unit tests: %d passed, %d failed%n",
          tests.size() - failed.size(), failed.size());
      if (!failed.isEmpty()) {
        throw new UnitTestsFailedException(
            failed.size()
                + " unit test(s) failed:\n  "
                + failed.stream()
                    .map(t -> t.test().name() + " (" + t.test().fileName() + "): " + t.failure())
                    .collect(Collectors.joining("\n  ")));
      }
      List<CompiledGraph.Action> ordered = DuckDbModelRunner.order(graph);
      int nameWidth =
          ordered.stream().mapToInt(a -> a.target().qualifiedName().length()).max().orElse(0);
      List<ActionResult> results = new ArrayList<>();
      runner.run(
          result -> {
            results.add(result);
            out.println(progressLine(results.size(), ordered.size(), nameWidth, result));
          });
      return new Summary(
          projectDir,
          warehouse,
          compileSeconds,
          tests,
          results,
          (System.nanoTime() - running) / 1e9);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB warehouse " + warehouse + ": " + e.getMessage(), e);
    }
  }

  /** {@code [10/36] incremental marts.pageview_facts 98,015 rows 1.14 s 270 merged}. */
  static String progressLine(int index, int total, int nameWidth, ActionResult result) {
    int width = String.valueOf(total).length();
    boolean assertion = result.action().kind() == Kind.ASSERTION;
    return String.format(
            "  [%" + width + "d/%d] %-11s  %-" + nameWidth + "s  %14s  %6.2f s  %s",
            index,
            total,
            result.action().kind().name().toLowerCase(Locale.ROOT),
            result.action().target().qualifiedName(),
            assertion || result.rows() == null ? "" : String.format("%,d rows", result.rows()),
            result.seconds(),
            result.outcome())
        .stripTrailing();
  }

  /** The end-of-stage summary: the outputs with their rows, and the counts. */
  public static String render(Summary summary) {
    StringBuilder out = new StringBuilder("models: outputs\n");
    for (ActionResult result : summary.models()) {
      out.append(
          String.format(
              "  %-45s %-10s %s%n",
              result.action().target().qualifiedName(),
              result.action().kind().name().toLowerCase(Locale.ROOT),
              result.rows() == null ? "" : String.format("%,12d rows", result.rows())));
    }
    out.append(
        String.format(
            "models: %d actions run, %d assertions passed, %d unit tests passed;"
                + " compiled in %.1f s, ran in %.1f s%n",
            summary.models().size(),
            summary.assertionsPassed(),
            summary.unitTests().stream().filter(UnitTestResult::passed).count(),
            summary.compileSeconds(),
            summary.runSeconds()));
    return out.toString();
  }
}
