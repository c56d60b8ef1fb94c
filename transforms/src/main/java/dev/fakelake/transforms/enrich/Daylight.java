package dev.fakelake.transforms.enrich;

import java.io.Serializable;
import java.time.LocalDate;
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

  private record Day(double latitude, double longitude, long epochDay) {}

  /** Sunrise and sunset in epoch milliseconds, {@link #NONE} for one that does not happen. */
  private record SunDay(long rise, long set, boolean up) {}

  private static final long NONE = Long.MIN_VALUE;

  private static final long DAY_MS = 86_400_000L;

  private transient @Nullable Map<Day, SunDay> cache;

  /** True between sunrise and sunset at the coordinates, by the UTC date of the moment. */
  public boolean isDaylight(double latitude, double longitude, Instant moment) {
    long time = moment.getMillis();
    SunDay sun = sunDay(new Day(latitude, longitude, Math.floorDiv(time, DAY_MS)));
    if (sun.rise() == NONE || sun.set() == NONE) {
      return sun.up();
    }
    if (sun.rise() < sun.set()) {
      return time >= sun.rise() && time < sun.set();
    }
    // Up at midnight UTC, as far east or west of UTC: day until it sets, and again once it rises.
    return time >= sun.rise() || time < sun.set();
  }

  private SunDay sunDay(Day day) {
    if (cache == null) {
      cache = new HashMap<>();
    }
    return cache.computeIfAbsent(
        day,
        d -> {
          LocalDate date = LocalDate.ofEpochDay(d.epochDay());
          SunTimes times =
              SunTimes.compute()
                  .utc()
                  .on(date.getYear(), date.getMonthValue(), date.getDayOfMonth())
                  .at(d.latitude(), d.longitude())
                  .fullCycle()
                  .execute();
          // The first rise and set after midnight, even when one falls on the next UTC day: which
          // comes first says whether the sun is up at midnight.
          return new SunDay(millis(times.getRise()), millis(times.getSet()), times.isAlwaysUp());
        });
  }

  private static long millis(@Nullable ZonedDateTime time) {
    return time == null ? NONE : time.toInstant().toEpochMilli();
  }
}
