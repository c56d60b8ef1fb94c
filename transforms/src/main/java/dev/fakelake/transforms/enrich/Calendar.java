package dev.fakelake.transforms.enrich;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Arrays;
import java.util.Locale;
import org.joda.time.Instant;

/** Calendar attributes of a moment, in UTC: date, day of week and a band of the day's hours. */
public final class Calendar {

  private Calendar() {}

  public static LocalDate date(Instant moment) {
    return utc(moment).toLocalDate();
  }

  /** The days' English names, by {@link DayOfWeek#ordinal()}: looking one up is a locale lookup. */
  private static final String[] DAY_NAMES =
      Arrays.stream(DayOfWeek.values())
          .map(day -> day.getDisplayName(TextStyle.FULL, Locale.ENGLISH))
          .toArray(String[]::new);

  /** {@code Monday} to {@code Sunday}. */
  public static String dayOfWeek(Instant moment) {
    return DAY_NAMES[utc(moment).getDayOfWeek().ordinal()];
  }

  /** {@code night} (0-5), {@code morning} (6-11), {@code afternoon} (12-17), {@code evening}. */
  public static String hourBand(Instant moment) {
    int hour = utc(moment).getHour();
    return hour < 6 ? "night" : hour < 12 ? "morning" : hour < 18 ? "afternoon" : "evening";
  }

  /** Whole years between a birth date and a day. */
  public static int age(LocalDate birthDate, LocalDate on) {
    return java.time.Period.between(birthDate, on).getYears();
  }

  private static ZonedDateTime utc(Instant moment) {
    return java.time.Instant.ofEpochMilli(moment.getMillis()).atZone(ZoneOffset.UTC);
  }
}
