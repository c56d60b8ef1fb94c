package dev.fakelake.transforms.enrich;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.shredzone.commons.suncalc.SunTimes;

/**
 * Whether it was day or night at a place and moment: after that day's sunrise and before its
 * sunset, both computed by the suncalc library for the place's coordinates. Results are cached per
 * place and day, since a city sees thousands of events a day.
 */
public final class Daylight implements Serializable {

  private record Day(double latitude, double longitude, LocalDate date) {}

  private record SunDay(@Nullable ZonedDateTime rise, @Nullable ZonedDateTime set, boolean up) {}

  private transient @Nullable Map<Day, SunDay> cache;

  /** True between sunrise and sunset at the coordinates, by the UTC date of the moment. */
  public boolean isDaylight(double latitude, double longitude, Instant moment) {
    ZonedDateTime time = java.time.Instant.ofEpochMilli(moment.getMillis()).atZone(ZoneOffset.UTC);
    SunDay sun = sunDay(new Day(latitude, longitude, time.toLocalDate()));
    if (sun.rise() == null || sun.set() == null) {
      return sun.up();
    }
    if (sun.rise().isBefore(sun.set())) {
      return !time.isBefore(sun.rise()) && time.isBefore(sun.set());
    }
    // Up at midnight UTC, as far east or west of UTC: day until it sets, and again once it rises.
    return !time.isBefore(sun.rise()) || time.isBefore(sun.set());
  }

  private SunDay sunDay(Day day) {
    if (cache == null) {
      cache = new HashMap<>();
    }
    return cache.computeIfAbsent(
        day,
        d -> {
          SunTimes times =
              SunTimes.compute()
                  .utc()
                  .on(d.date().getYear(), d.date().getMonthValue(), d.date().getDayOfMonth())
                  .at(d.latitude(), d.longitude())
                  .fullCycle()
                  .execute();
          // The first rise and set after midnight, even when one falls on the next UTC day: which
          // comes first says whether the sun is up at midnight.
          return new SunDay(times.getRise(), times.getSet(), times.isAlwaysUp());
        });
  }
}
