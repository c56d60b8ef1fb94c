package dev.fakelake.pipelines;

import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The checks run on every ingest batch, with limits from {@code thresholds.properties} (or the file
 * {@code --thresholds=PATH} names): row count against the previous batch, dead-letter rate and
 * duration. A limit can be overridden per source with a {@code source.} prefix.
 */
final class Thresholds implements Serializable {

  static final String DEFAULT = "thresholds.properties";
  static final String ROW_COUNT_CHANGE = "row_count_change.max";
  static final String DEAD_LETTER_RATE = "dead_letter_rate.max";
  static final String DURATION_SECONDS = "duration_seconds.max";

  private static final List<String> CHECKS =
      List.of(ROW_COUNT_CHANGE, DEAD_LETTER_RATE, DURATION_SECONDS);

  private final Properties limits;
  private final String origin;

  private Thresholds(Properties limits, String origin) {
    this.limits = limits;
    this.origin = origin;
  }

  static Thresholds load(String path) {
    String text = path.isEmpty() ? SourcesFile.bundled(DEFAULT) : LakeFiles.read(path);
    return parse(text, path.isEmpty() ? DEFAULT : path);
  }

  static Thresholds parse(String text, String origin) {
    Properties limits = new Properties();
    try {
      limits.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String key : limits.stringPropertyNames()) {
      boolean known =
          CHECKS.stream().anyMatch(check -> key.equals(check) || key.endsWith("." + check));
      if (!known) {
        throw new IllegalArgumentException(
            origin
                + ": unknown threshold '"
                + key
                + "'. Known: "
                + String.join(", ", CHECKS)
                + ", each optionally prefixed with a source name");
      }
      try {
        // NaN would pass "< 0" and then never compare greater: the check would silently be off.
        if (!(Double.parseDouble(limits.getProperty(key).strip()) >= 0)) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            origin
                + ": threshold '"
                + key
                + "' must be a number >= 0, got '"
                + limits.getProperty(key)
                + "'");
      }
    }
    return new Thresholds(limits, origin);
  }

  /**
   * Rejects a per-source limit for a source the sources file does not list: a misspelt source name
   * would otherwise leave the default limit in force without a word.
   */
  Thresholds requireKnownSources(Collection<String> sources) {
    for (String key : limits.stringPropertyNames()) {
      for (String check : CHECKS) {
        if (key.endsWith("." + check)) {
          String source = key.substring(0, key.length() - check.length() - 1);
          if (!sources.contains(source)) {
            throw new IllegalArgumentException(
                origin
                    + ": threshold '"
                    + key
                    + "' names no known source '"
                    + source
                    + "'. Known sources: "
                    + String.join(", ", sources));
          }
        }
      }
    }
    return this;
  }

  double limit(String source, String check) {
    String value = limits.getProperty(source + "." + check, limits.getProperty(check));
    return value == null ? Double.POSITIVE_INFINITY : Double.parseDouble(value.strip());
  }

  /**
   * The alerts one source's load statistics raise, given the rows its previous batch read (null for
   * a first batch).
   */
  List<Row> check(Row stats, @Nullable Long previousRowsRead, Instant now) {
    String source = stats.getString("source");
    String batch = stats.getString("batch_id");
    long read = stats.getInt64("rows_read");
    long dead = stats.getInt64("rows_dead_lettered");
    double seconds = stats.getDouble("duration_seconds");
    List<Row> alerts = new ArrayList<>();
    if (previousRowsRead != null && previousRowsRead > 0) {
      double change = Math.abs(read - previousRowsRead) / (double) previousRowsRead;
      double limit = limit(source, ROW_COUNT_CHANGE);
      if (change > limit) {
        alerts.add(
            alert(
                now,
                batch,
                source,
                "row_count_change",
                change,
                limit,
                String.format(
                    "%s read %,d rows, %.0f%% %s its previous batch (%,d); limit %.0f%%",
                    source,
                    read,
                    change * 100,
                    read > previousRowsRead ? "above" : "below",
                    previousRowsRead,
                    limit * 100)));
      }
    }
    if (read > 0) {
      double rate = dead / (double) read;
      double limit = limit(source, DEAD_LETTER_RATE);
      if (rate > limit) {
        alerts.add(
            alert(
                now,
                batch,
                source,
                "dead_letter_rate",
                rate,
                limit,
                String.format(
                    "%s sent %,d of %,d records (%.1f%%) to the dead letters; limit %.1f%%",
                    source, dead, read, rate * 100, limit * 100)));
      }
    }
    double limit = limit(source, DURATION_SECONDS);
    if (seconds > limit) {
      alerts.add(
          alert(
              now,
              batch,
              source,
              "duration_seconds",
              seconds,
              limit,
              String.format("%s took %.0f s; limit %.0f s", source, seconds, limit)));
    }
    return alerts;
  }

  private static Row alert(
      Instant now,
      String batch,
      String source,
      String check,
      double observed,
      double threshold,
      String message) {
    return Row.withSchema(WarehouseTable.OPS_ALERTS.schema())
        .withFieldValue("raised_at", now)
        .withFieldValue("origin", "ingest")
        .withFieldValue("batch_id", batch)
        .withFieldValue("source", source)
        .withFieldValue("check_name", check)
        .withFieldValue("observed", observed)
        .withFieldValue("threshold", threshold)
        .withFieldValue("message", message)
        .build();
  }
}
