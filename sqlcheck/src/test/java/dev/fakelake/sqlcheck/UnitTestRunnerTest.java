package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.sqlcheck.DataformCompilation.UnitTest;
import dev.fakelake.sqlcheck.UnitTestRunner.Outcome;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UnitTestRunnerTest {

  private static UnitTestRunner runner;
  private static List<Outcome> valid;
  private static List<Outcome> broken;

  @BeforeAll
  static void runFixtureTests() throws Exception {
    runner = new UnitTestRunner();
    valid = runner.run(DataformCompilation.read(Fixtures.valid()).tests());
    broken = runner.run(DataformCompilation.read(Fixtures.broken()).tests());
  }

  private static Outcome outcome(List<Outcome> outcomes, String name) {
    return outcomes.stream()
        .filter(outcome -> outcome.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no test " + name + " in " + outcomes));
  }

  private static Outcome run(String testQuery, String expectedQuery) {
    return runner.run(new UnitTest("t", "definitions/tests/t.sqlx", testQuery, expectedQuery));
  }

  @Test
  void passingTestPassesWhateverTheRowOrderAndNumberType() {
    Outcome outcome = outcome(valid, "daily_revenue_test");

    assertTrue(outcome.passed(), outcome.format());
  }

  @Test
  void passingTestOfABrokenProjectPasses() {
    assertTrue(outcome(broken, "order_count_passes").passed());
  }

  @Test
  void wrongExpectedValueFailsShowingBothRows() {
    Outcome outcome = outcome(broken, "order_count_fails");

    assertFalse(outcome.passed());
    assertTrue(outcome.message().contains("('PAID', 3)"), outcome.message());
    assertTrue(outcome.message().contains("('PAID', 2)"), outcome.message());
  }

  @Test
  void differentColumnNamesFail() {
    Outcome outcome = outcome(broken, "order_count_wrong_columns");

    assertFalse(outcome.passed());
    assertTrue(outcome.message().startsWith("expected columns [status, order_count]"));
  }

  @Test
  void rowsCompareAsMultisets() {
    Outcome outcome =
        run(
            "SELECT 1 AS a UNION ALL SELECT 2",
            "SELECT 1 AS a UNION ALL SELECT 1 UNION ALL SELECT 2");

    assertFalse(outcome.passed());
    assertTrue(
        outcome.message().contains("expected but not produced (1):\n      (1)"), outcome.message());
  }

  @Test
  void columnNamesCompareCaseInsensitivelyInAnyOrder() {
    Outcome outcome =
        run("SELECT 'x' AS Name, NULL AS note", "SELECT CAST(NULL AS STRING) AS NOTE, 'x' AS name");

    assertTrue(outcome.passed(), outcome.format());
  }

  @Test
  void stringAndNumberDiffer() {
    Outcome outcome = run("SELECT '1' AS a", "SELECT 1 AS a");

    assertFalse(outcome.passed());
  }

  @Test
  void datesAndTimestampsCompareByValueInUtc() {
    Outcome outcome =
        run(
            "SELECT DATE(TIMESTAMP '2024-03-01 23:30:00+00') AS d, TIMESTAMP '2024-03-01 12:00:00' AS t",
            "SELECT DATE '2024-03-01' AS d, TIMESTAMP '2024-03-01T12:00:00Z' AS t");

    assertTrue(outcome.passed(), outcome.format());
  }

  @Test
  void refWithoutTestInputFailsRatherThanReadingATable() {
    Outcome outcome = run("SELECT a FROM `p.silver.orders`", "SELECT 1 AS a");

    assertFalse(outcome.passed());
    assertTrue(outcome.message().contains("Table not found"), outcome.message());
  }

  @Test
  void invalidExpectedQueryFailsSayingWhichQuery() {
    Outcome outcome = run("SELECT 1 AS a", "SELECT 1 AS a FROM");

    assertFalse(outcome.passed());
    assertTrue(outcome.message().startsWith("the expected output query failed"), outcome.message());
  }
}
