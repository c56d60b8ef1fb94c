package dev.fakelake.schemas;

import java.util.Locale;

/** The kinds of dirt the generator injects on purpose, each recorded as ground truth. */
public enum DefectKind {
  /** A field is empty or absent (for example an empty client ip). */
  MISSING_FIELD,
  /** A pageview latency far beyond anything the site really serves. */
  LATENCY_OUTLIER,
  /** The same record delivered twice. */
  DUPLICATE,
  /** An event whose time is hours behind the others: it arrives late. */
  LATE_EVENT,
  /** An event whose time is minutes behind its neighbours. */
  OUT_OF_ORDER,
  /** A line or file that is not valid JSON. */
  MALFORMED,
  /** A field whose value has the wrong type, such as text where a number belongs. */
  WRONG_TYPE,
  /** An order item whose order does not exist. */
  ORPHAN;

  /** The lower-case name used in option names, truth files and tables, e.g. {@code late_event}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
