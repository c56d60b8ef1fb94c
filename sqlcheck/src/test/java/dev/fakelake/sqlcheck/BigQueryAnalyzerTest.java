package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.sqlcheck.BigQueryAnalyzer.Problem;
import dev.fakelake.sqlcheck.BigQueryAnalyzer.Result;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BigQueryAnalyzerTest {

  private static DataformCompilation valid;
  private static Result validResult;
  private static Result brokenResult;

  @BeforeAll
  static void analyseFixtures() throws Exception {
    valid = DataformCompilation.read(Fixtures.valid());
    validResult = BigQueryAnalyzer.analyze(valid, BigQueryCheck.warehouseTables());
    brokenResult =
        BigQueryAnalyzer.analyze(
            DataformCompilation.read(Fixtures.broken()), BigQueryCheck.warehouseTables());
  }

  private static Problem problemOf(String table) {
    List<Problem> found =
        brokenResult.problems().stream()
            .filter(problem -> problem.action().startsWith("marts." + table + " "))
            .collect(Collectors.toList());
    assertEquals(1, found.size(), "problems of " + table + ": " + brokenResult.problems());
    return found.get(0);
  }

  @Test
  void validProjectPassesWithEveryActionAnalysed() {
    assertEquals(List.of(), validResult.problems());
    assertEquals(List.of(), validResult.skipped());
    assertEquals(valid.actions().size(), validResult.actionsAnalysed());
    assertTrue(validResult.ok());
  }

  @Test
  void misspeltColumnFailsWithTheActionFileAndPosition() {
    Problem problem = problemOf("misspelt_column");

    assertEquals(
        "marts.misspelt_column (definitions/outputs/misspelt_column.sqlx)", problem.action());
    assertEquals("query", problem.part());
    assertEquals(4, problem.line());
    assertEquals(3, problem.column());
    assertTrue(problem.message().startsWith("Unrecognized name: totl_amount"), problem.message());
    assertTrue(
        problem.format().contains("query, line 4, column 3: Unrecognized name"), problem.format());
  }

  @Test
  void duckDbCastSyntaxFails() {
    Problem problem = problemOf("duckdb_cast");

    assertEquals(2, problem.line());
    assertTrue(problem.message().startsWith("Syntax error"), problem.message());
  }

  @Test
  void duckDbDateTruncArgumentOrderFails() {
    Problem problem = problemOf("duckdb_date_trunc");

    assertEquals(2, problem.line());
    assertTrue(problem.message().contains("date part"), problem.message());
  }

  @Test
  void unnamedOutputColumnFailsAsCreateTableWouldOnBigQuery() {
    Problem problem = problemOf("unnamed_column");

    assertTrue(problem.message().contains("must be named"), problem.message());
  }

  @Test
  void partitionByUnknownColumnFailsInTheCreateTableStatement() {
    Problem problem = problemOf("bad_partition");

    assertEquals(0, problem.line());
    assertTrue(problem.message().contains("ordered_at"), problem.message());
    assertTrue(problem.message().contains("PARTITION BY DATE(ordered_at)"), problem.message());
  }

  @Test
  void incrementalQueryLackingAColumnOfItsTableFailsInTheMerge() {
    Problem problem = problemOf("incremental_missing_column");

    assertEquals("incremental query", problem.part());
    assertTrue(problem.message().contains("status"), problem.message());
    assertTrue(problem.message().contains("DATAFORM_SOURCE"), problem.message());
  }

  @Test
  void variablesDeclaredInPreOperationsAreTheOnlyOnesInScope() {
    Problem problem = problemOf("undeclared_variable");

    assertTrue(problem.message().contains("since_when"), problem.message());
    assertEquals(3, problem.line());
  }

  @Test
  void evaluationOfAModelNoActionCreatesFails() {
    Problem problem = problemOf("evaluate_unknown_model");

    assertTrue(problem.message().contains("fakelake-test.ml.no_such_model"), problem.message());
  }

  @Test
  void declarationOfATableTheWarehouseDoesNotHaveFails() {
    assertTrue(
        brokenResult.problems().stream()
            .anyMatch(
                problem ->
                    problem.action().equals("silver.shipments")
                        && problem.message().contains("no warehouse table silver.shipments")),
        brokenResult.problems().toString());
  }

  @Test
  void actionsDownstreamOfAFailureAreReportedNotAnalysed() {
    assertEquals(1, brokenResult.skipped().size(), brokenResult.skipped().toString());
    assertTrue(brokenResult.skipped().get(0).startsWith("marts.downstream_of_misspelt "));
    assertTrue(brokenResult.skipped().get(0).contains("marts.misspelt_column"));
  }

  @Test
  void validActionsOfABrokenProjectPass() {
    assertTrue(
        brokenResult.problems().stream()
            .noneMatch(problem -> problem.action().startsWith("marts.order_count ")));
    assertEquals(9, brokenResult.problems().size(), brokenResult.problems().toString());
    assertTrue(!brokenResult.ok());
  }
}
