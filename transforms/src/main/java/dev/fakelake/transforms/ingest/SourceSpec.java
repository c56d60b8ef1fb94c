package dev.fakelake.transforms.ingest;

import dev.fakelake.schemas.Entity;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the sources file: a named source, how it lands, where, and the entity schema its
 * records must follow.
 *
 * @param name the source's name; its bronze and dead-letter folders are named after it
 * @param kind how its records arrive
 * @param location a file pattern relative to the lake (files) or a table name (JDBC)
 * @param entity the entity whose schema validates its records
 * @param options further {@code key=value} settings, e.g. {@code incremental=updated_at}
 */
public record SourceSpec(
    String name, Kind kind, String location, Entity entity, Map<String, String> options)
    implements Serializable {

  /** How a source's records arrive. */
  public enum Kind {
    /** Files of JSON Lines: one record per line. */
    JSONL,
    /** Folders of JSON files: one record per file. */
    JSON_FILE,
    /** A table of the source database, read with JDBC. */
    JDBC;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code jsonl}, {@code json_file} or {@code jdbc}. */
    public static Kind parse(String label) {
      for (Kind kind : values()) {
        if (kind.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "Unknown source kind '" + label + "'. Known kinds: jsonl, json_file, jdbc");
    }
  }

  public boolean isFiles() {
    return kind != Kind.JDBC;
  }

  /** The column a JDBC source is extracted incrementally by; {@code updated_at} by default. */
  public String incrementalColumn() {
    return options.getOrDefault("incremental", "updated_at");
  }
}
