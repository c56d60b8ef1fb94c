package dev.fakelake.transforms.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Day or night at a place and moment, from that UTC day's sunrise and sunset at the place: near
 * UTC, far east of it (where the sun rises on the previous UTC day) and far west of it (where the
 * sun sets on the next UTC day).
 */
class DaylightTest {

  private static final double PRAGUE_LAT = 50.0755;
  private static final double PRAGUE_LON = 14.4378;

  @ParameterizedTest(name = "{0} in Prague is day: {1}")
  @CsvSource({
    "2026-06-21T10:00:00Z, true",
    "2026-06-21T21:30:00Z, false",
    "2026-06-21T01:00:00Z, false",
    "2026-12-21T07:30:00Z, true",
    "2026-12-21T15:30:00Z, false",
  })
  void isDayBetweenSunriseAndSunsetInPrague(String moment, boolean day) {
    assertEquals(day, new Daylight().isDaylight(PRAGUE_LAT, PRAGUE_LON, Instant.parse(moment)));
  }

  /** In Tokyo (UTC+9) the sun rises around 19:30 UTC of the day before and sets around 10:00. */
  @ParameterizedTest(name = "{0} in Tokyo is day: {1}")
  @CsvSource({
    "2026-06-21T03:00:00Z, true",
    "2026-06-21T12:00:00Z, false",
    "2026-06-21T21:00:00Z, true",
  })
  void isDayAcrossTheUtcDayFarEast(String moment, boolean day) {
    assertEquals(day, new Daylight().isDaylight(35.68, 139.69, Instant.parse(moment)));
  }

  /**
   * In Chicago on 18 March 2026 the sun rises at 11:57 UTC and sets at 00:00:42 UTC of the next
   * day, so that UTC day has a sunrise but no sunset of its own.
   */
  @ParameterizedTest(name = "{0} in Chicago is day: {1}")
  @CsvSource({
    "2026-03-18T06:00:00Z, false",
    "2026-03-18T18:00:00Z, true",
    "2026-03-18T23:59:00Z, true",
    "2026-03-19T00:30:00Z, false",
  })
  void isDayOnAUtcDayWhoseSunsetFallsAfterMidnight(String moment, boolean day) {
    assertEquals(day, new Daylight().isDaylight(41.8781, -87.6298, Instant.parse(moment)));
  }

  /**
   * In Delhi on 7 July 2026 the sun sets at 13:53 UTC and next rises at 00:00:01 UTC of the next
   * day, so that UTC day has a sunset but no sunrise of its own.
   */
  @ParameterizedTest(name = "{0} in Delhi is day: {1}")
  @CsvSource({
    "2026-07-07T06:00:00Z, true",
    "2026-07-07T20:00:00Z, false",
  })
  void isDayOnAUtcDayWhoseSunriseFallsAfterMidnight(String moment, boolean day) {
    assertEquals(day, new Daylight().isDaylight(28.7041, 77.1025, Instant.parse(moment)));
  }

  @Test
  void cachesEachPlaceOnItsOwn() {
    Daylight daylight = new Daylight();
    Instant moment = Instant.parse("2026-06-21T21:00:00Z");
    boolean prague = daylight.isDaylight(PRAGUE_LAT, PRAGUE_LON, moment);

    boolean tokyo = daylight.isDaylight(35.68, 139.69, moment);

    assertFalse(prague);
    assertTrue(tokyo);
  }
}
