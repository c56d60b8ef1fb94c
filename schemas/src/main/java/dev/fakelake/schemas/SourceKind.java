package dev.fakelake.schemas;

/** How an entity arrives in the landing zone. */
public enum SourceKind {
  /** Newline-delimited JSON files, one record a line. */
  JSON_LINES,
  /** A folder with one JSON document per file. */
  JSON_PER_FILE,
  /** Rows of a relational source database table. */
  JDBC_TABLE,
  /** Events of an endless stream (with a JSON Lines backfill for the batch path). */
  STREAM
}
