package dev.fakelake.transforms.ingest;

/** Names of the counters ingest keeps per source, so pipelines can read them back. */
public final class IngestCounters {

  public static final String NAMESPACE = "ingest";

  private IngestCounters() {}

  public static String read(String source) {
    return source + ".read";
  }

  public static String written(String source) {
    return source + ".written";
  }

  public static String deadLettered(String source) {
    return source + ".dead_lettered";
  }
}
