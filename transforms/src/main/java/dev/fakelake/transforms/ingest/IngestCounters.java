package dev.fakelake.transforms.ingest;

import dev.fakelake.transforms.generate.LiveProgress;
import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The counters ingest keeps per source (records read, written to bronze, dead-lettered), and their
 * names, so pipelines can read them back. Every record read also advances the live progress line.
 */
public final class IngestCounters implements Serializable {

  public static final String NAMESPACE = "ingest";

  private final String source;
  private final Counter read;
  private final Counter written;
  private final Counter deadLettered;

  private IngestCounters(String source) {
    this.source = source;
    this.read = Metrics.counter(NAMESPACE, read(source));
    this.written = Metrics.counter(NAMESPACE, written(source));
    this.deadLettered = Metrics.counter(NAMESPACE, deadLettered(source));
  }

  static IngestCounters of(String source) {
    return new IngestCounters(source);
  }

  void countRead() {
    read.inc();
    LiveProgress.add(source, 1);
  }

  void countWritten() {
    written.inc();
  }

  void countDeadLettered() {
    deadLettered.inc();
  }

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
