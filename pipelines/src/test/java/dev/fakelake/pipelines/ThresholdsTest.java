package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.WarehouseTable;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThresholdsTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Thresholds LIMITS =
      Thresholds.parse(
          "row_count_change.max = 0.5\n"
              + "dead_letter_rate.max = 0.05\n"
              + "duration_seconds.max = 600\n"
              + "pageviews.dead_letter_rate.max = 0.10\n",
          "test.properties");

  private static Row stats(String source, long read, long deadLettered, double seconds) {
    return Row.withSchema(WarehouseTable.OPS_LOAD_STATS.schema())
        .withFieldValue("batch_id", "b20260301T120000Z")
        .withFieldValue("source", source)
        .withFieldValue("kind", "jsonl")
        .withFieldValue("sources_read", 1L)
        .withFieldValue("rows_read", read)
        .withFieldValue("rows_written", read - deadLettered)
        .withFieldValue("rows_dead_lettered", deadLettered)
        .withFieldValue("started_at", NOW)
        .withFieldValue("finished_at", NOW)
        .withFieldValue("duration_seconds", seconds)
        .build();
  }

  private static List<String> checksRaised(Row stats, @Nullable Long previousRowsRead) {
    return LIMITS.check(stats, previousRowsRead, NOW).stream()
        .map(alert -> alert.getString("check_name"))
        .toList();
  }

  @Test
  void aDeadLetterRateAtTheLimitPassesAndJustAboveItAlerts() {
    assertEquals(List.of(), checksRaised(stats("customers", 1_000, 50, 1), null));
    assertEquals(List.of("dead_letter_rate"), checksRaised(stats("customers", 1_000, 51, 1), null));
  }

  @Test
  void aRowCountChangeAtTheLimitPassesAndJustBeyondItAlertsEitherWay() {
    assertEquals(List.of(), checksRaised(stats("customers", 1_500, 0, 1), 1_000L));
    assertEquals(List.of(), checksRaised(stats("customers", 500, 0, 1), 1_000L));
    assertEquals(
        List.of("row_count_change"), checksRaised(stats("customers", 1_501, 0, 1), 1_000L));
    assertEquals(List.of("row_count_change"), checksRaised(stats("customers", 499, 0, 1), 1_000L));
  }

  @Test
  void aFirstBatchHasNoRowCountChange() {
    assertEquals(List.of(), checksRaised(stats("customers", 1_000_000, 0, 1), null));
  }

  @Test
  void aDurationAtTheLimitPassesAndJustAboveItAlerts() {
    assertEquals(List.of(), checksRaised(stats("customers", 10, 0, 600), null));
    assertEquals(
        List.of("duration_seconds"), checksRaised(stats("customers", 10, 0, 600.001), null));
  }

  @Test
  void aPerSourceLimitOverridesTheDefaultForThatSourceOnly() {
    assertEquals(List.of(), checksRaised(stats("pageviews", 1_000, 100, 1), null));
    assertEquals(
        List.of("dead_letter_rate"), checksRaised(stats("pageviews", 1_000, 101, 1), null));
    assertEquals(
        List.of("dead_letter_rate"), checksRaised(stats("customers", 1_000, 100, 1), null));
  }

  @Test
  void anAlertSaysWhatWasObservedAgainstWhichLimit() {
    Row alert = LIMITS.check(stats("customers", 200, 20, 1), null, NOW).get(0);

    assertEquals("ingest", alert.getString("origin"));
    assertEquals("customers", alert.getString("source"));
    assertEquals("b20260301T120000Z", alert.getString("batch_id"));
    assertEquals(0.1, alert.getDouble("observed"));
    assertEquals(0.05, alert.getDouble("threshold"));
    assertEquals(NOW, alert.getDateTime("raised_at"));
    assertEquals(
        "customers sent 20 of 200 records (10.0%) to the dead letters; limit 5.0%",
        alert.getString("message"));
  }

  @Test
  void theBundledFileHasEveryCheck() {
    Thresholds bundled = Thresholds.load("");

    assertEquals(0.5, bundled.limit("orders", Thresholds.ROW_COUNT_CHANGE));
    assertEquals(0.05, bundled.limit("orders", Thresholds.DEAD_LETTER_RATE));
    assertEquals(600, bundled.limit("orders", Thresholds.DURATION_SECONDS));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dead_letter_rate = 0.1", "dead_letter_rate.maxx = 0.1", "rows.min = 1"})
  void anUnknownKeyIsRejected(String line) {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> Thresholds.parse(line, "test.properties"));

    assertTrue(
        error.getMessage().startsWith("test.properties: unknown threshold '"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-0.1", "lots", "NaN", ""})
  void aLimitThatIsNotANumberOfAtLeastZeroIsRejected(String value) {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> Thresholds.parse("dead_letter_rate.max = " + value, "test.properties"));

    assertTrue(error.getMessage().contains("must be a number >= 0"), error.getMessage());
  }

  @Test
  void aLimitForASourceThatIsNotListedIsRejected() {
    Thresholds misspelt =
        Thresholds.parse("pagevews.dead_letter_rate.max = 0.2", "test.properties");

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> misspelt.requireKnownSources(List.of("customers", "pageviews")));

    assertEquals(
        "test.properties: threshold 'pagevews.dead_letter_rate.max' names no known source"
            + " 'pagevews'. Known sources: customers, pageviews",
        error.getMessage());
  }
}
