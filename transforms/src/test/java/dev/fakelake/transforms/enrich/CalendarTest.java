package dev.fakelake.transforms.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Calendar attributes of a moment, all taken in UTC, and ages in whole years. */
class CalendarTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "2026-06-21T00:00:00Z, night",
    "2026-06-21T05:59:59.999Z, night",
    "2026-06-21T06:00:00Z, morning",
    "2026-06-21T11:59:59.999Z, morning",
    "2026-06-21T12:00:00Z, afternoon",
    "2026-06-21T17:59:59.999Z, afternoon",
    "2026-06-21T18:00:00Z, evening",
    "2026-06-21T23:59:59.999Z, evening",
  })
  void hourBandsChangeAtSixNoonAndEighteen(String moment, String band) {
    assertEquals(band, Calendar.hourBand(Instant.parse(moment)));
  }

  @ParameterizedTest(name = "{0} is a {1}")
  @CsvSource({
    "2026-06-21T23:59:59.999Z, Sunday",
    "2026-06-22T00:00:00Z, Monday",
    "2026-12-31T12:00:00Z, Thursday",
  })
  void theDayOfWeekIsTheFullEnglishNameOfTheUtcDay(String moment, String day) {
    assertEquals(day, Calendar.dayOfWeek(Instant.parse(moment)));
  }

  @Test
  void theDateIsTheUtcDateOfTheMoment() {
    assertEquals(
        LocalDate.parse("2026-06-21"), Calendar.date(Instant.parse("2026-06-21T23:59:59.999Z")));
  }

  @ParameterizedTest(name = "born {0}, on {1}: {2}")
  @CsvSource({
    "1990-05-01, 2026-04-30, 35",
    "1990-05-01, 2026-05-01, 36",
    "2000-02-29, 2025-02-28, 24",
    "2000-02-29, 2025-03-01, 25",
    "2000-02-29, 2028-02-29, 28",
  })
  void theAgeCountsWholeYearsFromTheBirthDate(String born, String on, int age) {
    assertEquals(age, Calendar.age(LocalDate.parse(born), LocalDate.parse(on)));
  }
}
