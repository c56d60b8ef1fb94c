package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.sqlcheck.ResultRows.Family;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the parity check compares two engines' rows. */
class ResultRowsTest {

  private static final List<String> COLUMNS = List.of("id", "amount");

  private static ResultRows rows(Family amount, Object[]... rows) {
    return new ResultRows(
        COLUMNS,
        List.of(Family.EXACT_NUMBER, amount),
        Arrays.stream(rows).map(Arrays::asList).toList());
  }

  private static BigDecimal exact(String value) {
    return ResultRows.exact(new BigDecimal(value));
  }

  @Test
  void rowsInAnotherOrderAreEqual() {
    assertNull(
        ResultRows.compare(
            rows(Family.FLOAT, new Object[] {exact("1"), 1.5}, new Object[] {exact("2"), 2.5}),
            rows(Family.FLOAT, new Object[] {exact("2"), 2.5}, new Object[] {exact("1"), 1.5})));
  }

  @Test
  void aRepeatedRowCountsAsOften() {
    String difference =
        ResultRows.compare(
            rows(Family.FLOAT, new Object[] {exact("1"), 1.5}, new Object[] {exact("1"), 1.5}),
            rows(Family.FLOAT, new Object[] {exact("1"), 1.5}));

    assertTrue(difference.contains("only on BigQuery (ZetaSQL) (1 rows)"), difference);
  }

  @Test
  void floatingPointValuesMatchWithinTheRelativeTolerance() {
    assertNull(
        ResultRows.compare(
            rows(Family.FLOAT, new Object[] {exact("1"), 620.85}),
            rows(Family.FLOAT, new Object[] {exact("1"), 620.8500000000001})));
    String difference =
        ResultRows.compare(
            rows(Family.FLOAT, new Object[] {exact("1"), 620.8}),
            rows(Family.FLOAT, new Object[] {exact("1"), 620.9}));
    assertTrue(difference.contains("(1, 620.8)") && difference.contains("(1, 620.9)"), difference);
  }

  @Test
  void exactNumbersHaveNoTolerance() {
    assertNull(
        ResultRows.compare(
            rows(Family.EXACT_NUMBER, new Object[] {exact("1"), exact("2.50")}),
            rows(Family.EXACT_NUMBER, new Object[] {exact("1"), exact("2.5")})));
    String difference =
        ResultRows.compare(
            rows(Family.EXACT_NUMBER, new Object[] {exact("1"), exact("2.5625")}),
            rows(Family.EXACT_NUMBER, new Object[] {exact("1"), exact("2.5625000001")}));
    assertTrue(difference.contains("2.5625000001"), difference);
  }

  @Test
  void aColumnOfAnotherTypeIsADifference() {
    String difference =
        ResultRows.compare(
            rows(Family.FLOAT, new Object[] {exact("1"), 2.0}),
            rows(Family.EXACT_NUMBER, new Object[] {exact("1"), exact("2")}));

    assertTrue(difference.contains("amount is FLOAT vs EXACT_NUMBER"), difference);
  }

  @Test
  void timestampsAreInstants() {
    ResultRows bigQuery =
        new ResultRows(
            List.of("at"),
            List.of(Family.TIMESTAMP),
            List.of(List.of(Instant.parse("2026-01-04T23:30:00Z"))));

    assertTrue(
        ResultRows.compare(
                bigQuery,
                new ResultRows(
                    List.of("at"),
                    List.of(Family.TIMESTAMP),
                    List.of(List.of(Instant.parse("2026-01-04T22:30:00Z")))))
            .contains("2026-01-04T23:30:00Z"));
    assertNull(ResultRows.compare(bigQuery, bigQuery));
  }
}
