package dev.fakelake.transforms.io;

import dev.fakelake.schemas.StreamMessage;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Keeps every raw stream message exactly as it arrived, good or bad, in one-minute files by arrival
 * time, in both Avro and Parquet, like Azure Event Hubs Capture: the stream's landing zone, from
 * which any later run can replay or audit what the topic carried.
 *
 * <p>Input: rows of {@link StreamMessage#SCHEMA} whose element timestamps are their arrival ({@code
 * published_at}). Layout under the given folder (the pipeline passes {@code LAKE/landing/stream}),
 * by the window's start in UTC, as Event Hubs Capture's default {@code
 * {Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}}:
 *
 * <pre>{@code
 * folder/avro/2026/11/22/10/05-00-p0-00000-of-00001.avro
 * folder/parquet/2026/11/22/10/05-00-p0-00000-of-00001.parquet
 * }</pre>
 *
 * <p>Nothing may be dropped, so the arrival-time windows allow a long lateness (a day by default):
 * the watermark of an arrival time is an estimate (Pub/Sub's is heuristic, Kafka's is the slowest
 * partition's), and a message behind it is still written, as a later pane ({@code p1, ...}) of its
 * minute. {@value #CAPTURED} counts messages taken in; {@link WriteWindowedFiles#ROWS_WRITTEN} of
 * the write step counts those written, once per format, so the two show any message the runner
 * would drop as later than the lateness.
 */
public final class CaptureRawMessages extends PTransform<PCollection<Row>, PDone> {

  /** The counter (namespace this class) of messages taken in for capture. */
  public static final String CAPTURED = "messages_captured";

  /** How late (behind the watermark) an arrival may come and still be captured. */
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.standardDays(1);

  private final String folder;
  private final String prefix;
  private final Duration allowedLateness;

  private CaptureRawMessages(String folder, String prefix, Duration allowedLateness) {
    this.folder = folder;
    this.prefix = prefix;
    this.allowedLateness = allowedLateness;
  }

  /** Captures into {@code folder/avro/...} and {@code folder/parquet/...}. */
  public static CaptureRawMessages to(String folder) {
    return new CaptureRawMessages(folder, "events", DEFAULT_ALLOWED_LATENESS);
  }

  public CaptureRawMessages withAllowedLateness(Duration allowedLateness) {
    return new CaptureRawMessages(folder, prefix, allowedLateness);
  }

  /**
   * Names the files {@code mm-ss-<prefix>-...}: a run's id keeps a second run capturing in the same
   * minute from replacing the first one's files.
   */
  public CaptureRawMessages withPrefix(String prefix) {
    return new CaptureRawMessages(folder, prefix, allowedLateness);
  }

  /** The Avro files' folder under {@code root}. */
  public static String avroFolder(String root) {
    return root + "/avro";
  }

  /** The Parquet files' folder under {@code root}. */
  public static String parquetFolder(String root) {
    return root + "/parquet";
  }

  @Override
  public PDone expand(PCollection<Row> messages) {
    if (!messages.getSchema().equivalent(StreamMessage.SCHEMA)) {
      throw new IllegalArgumentException(
          "Expected rows of StreamMessage.SCHEMA, got " + messages.getSchema());
    }
    PCollection<Row> counted =
        messages.apply("CountMessages", ParDo.of(new CountFn())).setRowSchema(messages.getSchema());
    // One grouping of the rows for both formats.
    counted.apply(
        "WriteAvroAndParquet",
        WriteWindowedFiles.to(avroFolder(folder), WriteWindowedFiles.Format.AVRO)
            .alsoTo(parquetFolder(folder), WriteWindowedFiles.Format.PARQUET)
            .withLayout(WriteWindowedFiles.Layout.DATE_PATH)
            .withPrefix(prefix)
            .withWindow(Duration.standardMinutes(1))
            .withAllowedLateness(allowedLateness));
    return PDone.in(messages.getPipeline());
  }

  private static final class CountFn extends DoFn<Row, Row> {
    private final Counter captured = Metrics.counter(CaptureRawMessages.class, CAPTURED);

    @ProcessElement
    public void process(@Element Row message, OutputReceiver<Row> out) {
      captured.inc();
      out.output(message);
    }
  }
}
