package dev.fakelake.transforms.io;

import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.WritableByteChannel;
import java.util.Locale;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.DateTimeZone;
import org.joda.time.Duration;
import org.joda.time.format.DateTimeFormat;
import org.joda.time.format.DateTimeFormatter;

/**
 * Writes a stream of schema rows into a lake folder as one set of files per fixed event-time window
 * (by the elements' timestamps; one minute unless told otherwise), in Parquet, Avro or JSON Lines.
 * It is how the streaming pipelines put silver, gold and ops rows, and the raw capture, where the
 * batch loaders and the warehouse find them.
 *
 * <p>Files and names. With {@link Layout#FLAT} (the default) every file lies directly in the
 * folder, as the warehouse loader globs it ({@code folder/*.parquet}, {@code folder/*.jsonl}):
 *
 * <pre>{@code
 * folder/<prefix>-2026-11-22T10-05-00Z-p0-00000-of-00001.parquet
 * }</pre>
 *
 * <p>With {@link Layout#DATE_PATH} the window start names folders, as Azure Event Hubs Capture
 * does, so a reader can pick an hour or a day by path:
 *
 * <pre>{@code
 * folder/2026/11/22/10/05-00-p0-00000-of-00001.avro
 * }</pre>
 *
 * <p>{@code p0} is the pane: the on-time firing at the end of the window. A shard that gathers
 * {@link #withMaxRowsPerPane} rows of a window before its end writes them at once as an early pane,
 * so that a fast stream's window is never held whole. Elements that arrive after the window's end
 * but within the allowed lateness are written, after a short processing-time delay, as further
 * panes {@code p1, p2, ...} of the same window; panes are discarding, so each element is in exactly
 * one file and a window's rows are the union of its pane files. A window (or a pane) with no rows
 * writes no file.
 *
 * <p>Beyond the allowed lateness (an element whose window closed when the watermark passed its end
 * plus the lateness) the runner drops the element at the write's grouping: Beam gives a transform
 * no way to route it elsewhere. Callers therefore pass the lateness their own upstream already
 * enforces (the stream's allowed lateness, which sends later events to a dead letter, plus a
 * margin), so that nothing reaching this transform can be that late. Such a drop is not silent: the
 * counter {@value #ROWS_WRITTEN} of the step counts rows actually handed to a file, and comparing
 * it with the rows sent in shows it, as does the runner's own {@code droppedDueToLateness} counter.
 *
 * <p>Files are finalised atomically: FileIO writes each file under a hidden temporary folder {@code
 * folder/.temp-beam-<uuid>/} with a name without extension and renames it into place when the
 * pane's bundle is complete (an atomic move on a local disk, a whole-object copy on GCS), so a
 * reader globbing {@code folder/*.parquet} or {@code folder/**}{@code /*.avro} never sees half a
 * file.
 */
@AutoValue
public abstract class WriteWindowedFiles
    extends PTransform<PCollection<Row>, WriteFilesResult<Void>> {

  /** The file format, with the file extension each is written with. */
  public enum Format {
    PARQUET(".parquet"),
    AVRO(".avro"),
    JSON_LINES(".jsonl");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    public String extension() {
      return extension;
    }
  }

  /** Where in the folder a window's files go. */
  public enum Layout {
    /** {@code folder/<prefix>-<window start>-p<pane>-<shard>-of-<shards><ext>}. */
    FLAT,
    /** {@code folder/yyyy/MM/dd/HH/mm-ss-<prefix>-p<pane>-<shard>-of-<shards><ext>}. */
    DATE_PATH
  }

  /**
   * The counter (namespace this class, one per applied step) of rows handed to a file, counted as
   * they are written.
   */
  public static final String ROWS_WRITTEN = "rows_written";

  /** The default window length: one file set a minute. */
  public static final Duration DEFAULT_WINDOW = Duration.standardMinutes(1);

  /**
   * Rows per shard and window after which the rows so far are written as an early pane: five
   * seconds of a 20,000 events/s stream over two shards (a few megabytes of Parquet per file), more
   * than a whole window of a slow one.
   */
  public static final int DEFAULT_MAX_ROWS_PER_PANE = 50_000;

  /** How long after a late element's arrival its pane fires, so late ones are batched a little. */
  public static final Duration DEFAULT_LATE_FIRING_DELAY = Duration.standardSeconds(30);

  abstract String folder();

  abstract Format format();

  abstract Layout layout();

  abstract String prefix();

  abstract Duration window();

  abstract Duration allowedLateness();

  abstract Duration lateFiringDelay();

  abstract int shards();

  abstract int maxRowsPerPane();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setFolder(String folder);

    abstract Builder setFormat(Format format);

    abstract Builder setLayout(Layout layout);

    abstract Builder setPrefix(String prefix);

    abstract Builder setWindow(Duration window);

    abstract Builder setAllowedLateness(Duration allowedLateness);

    abstract Builder setLateFiringDelay(Duration lateFiringDelay);

    abstract Builder setShards(int shards);

    abstract Builder setMaxRowsPerPane(int maxRowsPerPane);

    abstract WriteWindowedFiles build();
  }

  /**
   * Writes into {@code folder} in {@code format}, flat, prefix {@code part}, one-minute windows,
   * one shard, and an allowed lateness of zero until {@link #withAllowedLateness} says otherwise.
   */
  public static WriteWindowedFiles to(String folder, Format format) {
    return new AutoValue_WriteWindowedFiles.Builder()
        .setFolder(folder)
        .setFormat(format)
        .setLayout(Layout.FLAT)
        .setPrefix("part")
        .setWindow(DEFAULT_WINDOW)
        .setAllowedLateness(Duration.ZERO)
        .setLateFiringDelay(DEFAULT_LATE_FIRING_DELAY)
        .setShards(1)
        .setMaxRowsPerPane(DEFAULT_MAX_ROWS_PER_PANE)
        .build();
  }

  /**
   * The file name prefix (e.g. the table name, or a run's id, so that two runs writing the same
   * window do not replace each other's files).
   */
  public WriteWindowedFiles withPrefix(String prefix) {
    return toBuilder().setPrefix(prefix).build();
  }

  public WriteWindowedFiles withLayout(Layout layout) {
    return toBuilder().setLayout(layout).build();
  }

  /** The length of the fixed windows; each window's rows go to files of their own. */
  public WriteWindowedFiles withWindow(Duration window) {
    return toBuilder().setWindow(window).build();
  }

  /** How long after a window's end its late rows are still written (see the class Javadoc). */
  public WriteWindowedFiles withAllowedLateness(Duration allowedLateness) {
    return toBuilder().setAllowedLateness(allowedLateness).build();
  }

  /** How long a late pane waits, in processing time, after its first row before it is written. */
  public WriteWindowedFiles withLateFiringDelay(Duration lateFiringDelay) {
    return toBuilder().setLateFiringDelay(lateFiringDelay).build();
  }

  /** Files per window pane; few, since each is small. */
  public WriteWindowedFiles withShards(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1: " + shards);
    }
    return toBuilder().setShards(shards).build();
  }

  /**
   * The most rows a shard holds for a window before it writes them as an early pane: what bounds
   * the memory of a fast stream, whose one-minute window would otherwise be held whole until the
   * window ends.
   */
  public WriteWindowedFiles withMaxRowsPerPane(int maxRowsPerPane) {
    if (maxRowsPerPane < 1) {
      throw new IllegalArgumentException("maxRowsPerPane must be at least 1: " + maxRowsPerPane);
    }
    return toBuilder().setMaxRowsPerPane(maxRowsPerPane).build();
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<Row> rows) {
    Schema schema = rows.getSchema();
    PCollection<Row> windowed =
        rows.apply(
            "WindowRows",
            Window.<Row>into(FixedWindows.of(window()))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withEarlyFirings(AfterPane.elementCountAtLeast(maxRowsPerPane()))
                        .withLateFirings(
                            AfterProcessingTime.pastFirstElementInPane()
                                .plusDelayOf(lateFiringDelay())))
                .withAllowedLateness(allowedLateness(), Window.ClosingBehavior.FIRE_IF_NON_EMPTY)
                .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
                // Each pane becomes files of its own: a row written once must not be again.
                .discardingFiredPanes());
    Counter written = Metrics.counter(WriteWindowedFiles.class, ROWS_WRITTEN);
    FileIO.Write.FileNaming naming = new WindowNaming(layout(), prefix(), format().extension());
    switch (format()) {
      case PARQUET, AVRO -> {
        org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
        FileIO.Sink<GenericRecord> sink =
            format() == Format.PARQUET ? ParquetIO.sink(avro) : AvroIO.sink(avro);
        return windowed
            .apply(
                "ToAvro",
                MapElements.into(TypeDescriptor.of(GenericRecord.class))
                    .via(AvroRows.toGenericRecord(schema)))
            .setCoder(AvroCoder.of(GenericRecord.class, avro))
            .apply("WriteFiles", write(new CountingSink<>(sink, written), naming));
      }
      case JSON_LINES -> {
        SerializableFunction<Row, String> json = JsonRecords.rowFormatter();
        return windowed
            .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(json))
            .setCoder(StringUtf8Coder.of())
            .apply("WriteFiles", write(new CountingSink<>(TextIO.sink(), written), naming));
      }
      default -> throw new IllegalStateException("Unknown format " + format());
    }
  }

  private <T> FileIO.Write<Void, T> write(FileIO.Sink<T> sink, FileIO.Write.FileNaming naming) {
    return FileIO.<T>write()
        .via(sink)
        .to(folder())
        .withNaming(naming)
        // Unbounded input needs a fixed shard count; it also keeps each pane to a few files.
        .withNumShards(shards());
  }

  /** Names a file after its window's start (UTC), its pane and its shard. */
  static final class WindowNaming implements FileIO.Write.FileNaming {
    private static final DateTimeFormatter FLAT_TIME =
        DateTimeFormat.forPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(DateTimeZone.UTC);
    private static final DateTimeFormatter DATE_PATH_TIME =
        DateTimeFormat.forPattern("yyyy/MM/dd/HH/mm-ss").withZone(DateTimeZone.UTC);

    private final Layout layout;
    private final String prefix;
    private final String extension;

    WindowNaming(Layout layout, String prefix, String extension) {
      this.layout = layout;
      this.prefix = prefix;
      this.extension = extension;
    }

    @Override
    public String getFilename(
        BoundedWindow window,
        PaneInfo pane,
        int numShards,
        int shardIndex,
        Compression compression) {
      if (!(window instanceof IntervalWindow interval)) {
        throw new IllegalArgumentException("Expected a fixed window, got " + window);
      }
      String suffix =
          String.format(
              Locale.ROOT,
              "-p%d-%05d-of-%05d%s%s",
              pane.getIndex(),
              shardIndex,
              numShards,
              extension,
              compression.getSuggestedSuffix());
      return switch (layout) {
        case FLAT -> prefix + "-" + FLAT_TIME.print(interval.start()) + suffix;
        case DATE_PATH -> DATE_PATH_TIME.print(interval.start()) + "-" + prefix + suffix;
      };
    }
  }

  /**
   * Passes rows to a sink and counts them: the count of rows really written, which is what shows a
   * row dropped as too late for its window.
   */
  private static final class CountingSink<T> implements FileIO.Sink<T>, Serializable {
    private final FileIO.Sink<T> sink;
    private final Counter written;

    CountingSink(FileIO.Sink<T> sink, Counter written) {
      this.sink = sink;
      this.written = written;
    }

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      sink.open(channel);
    }

    @Override
    public void write(T element) throws IOException {
      sink.write(element);
      written.inc();
    }

    @Override
    public void flush() throws IOException {
      sink.flush();
    }
  }
}
