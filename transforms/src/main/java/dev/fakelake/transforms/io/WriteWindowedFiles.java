package dev.fakelake.transforms.io;

import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.joda.time.DateTimeZone;
import org.joda.time.Duration;
import org.joda.time.Instant;
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
 * counter {@value #ROWS_WRITTEN} of the step counts rows actually handed to a file (once per
 * format), and comparing it with the rows sent in shows it, as does the runner's own {@code
 * droppedDueToLateness} counter.
 *
 * <p>Each bundle passes its rows on in batches (per window, at most {@link #rowsPerBatch} rows
 * each), so that the grouping, whose state and timers cost far more per element than the rows
 * themselves, handles a batch where it would handle a row; early panes count batches accordingly,
 * so a pane holds at most {@link #withMaxRowsPerPane} rows.
 *
 * <p>Files are finalised atomically: each pane's file is written under a hidden temporary name
 * beside its final one ({@code .<name>-<uuid>.tmp}) and renamed into place when complete (an atomic
 * move on a local disk, a whole-object copy on GCS), so a reader globbing {@code folder/*.parquet}
 * or {@code folder/**}{@code /*.avro} never sees half a file. A pane written again after a retry
 * replaces its file rather than adding one, since the name is the window's, the pane's and the
 * shard's.
 */
@AutoValue
public abstract class WriteWindowedFiles extends PTransform<PCollection<Row>, PDone> {

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
   * they are written: once per format, where a step also writes other formats ({@link #alsoTo}).
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

  /** Further folders and formats each pane is also written to (see {@link #alsoTo}). */
  abstract List<Target> alsoTo();

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

    abstract Builder setAlsoTo(List<Target> alsoTo);

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
        .setAlsoTo(List.of())
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

  /**
   * Writes each pane also into {@code folder} in {@code format}, under the same name but for the
   * extension, from the same grouping: the rows are gathered once for all the formats.
   */
  public WriteWindowedFiles alsoTo(String folder, Format format) {
    List<Target> targets = new ArrayList<>(alsoTo());
    targets.add(new Target(folder, format));
    return toBuilder().setAlsoTo(List.copyOf(targets)).build();
  }

  /** A folder and the format its files are written in. */
  record Target(String folder, Format format) implements java.io.Serializable {}

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

  /**
   * The most rows a bundle passes to the grouping as one element: a thousandth of a pane, at most
   * 50 (batches are smaller when a bundle has fewer rows of a window).
   */
  static int rowsPerBatch(int maxRowsPerPane) {
    return Math.max(1, Math.min(50, maxRowsPerPane / 1000));
  }

  @Override
  public PDone expand(PCollection<Row> rows) {
    Schema schema = rows.getSchema();
    if (targets().stream().anyMatch(target -> target.format() == Format.PARQUET)) {
      // Refused when the graph is built, not when a stream's first pane is written.
      RowWriteSupport.requireWritable(schema);
    }
    int rowsPerBatch = rowsPerBatch(maxRowsPerPane());
    int batchesPerPane = (maxRowsPerPane() + rowsPerBatch - 1) / rowsPerBatch;
    rows.apply(
            "WindowRows",
            Window.<Row>into(FixedWindows.of(window()))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withEarlyFirings(AfterPane.elementCountAtLeast(batchesPerPane))
                        .withLateFirings(
                            AfterProcessingTime.pastFirstElementInPane()
                                .plusDelayOf(lateFiringDelay())))
                .withAllowedLateness(allowedLateness(), Window.ClosingBehavior.FIRE_IF_NON_EMPTY)
                .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
                // Each pane becomes files of its own: a row written once must not be again.
                .discardingFiredPanes())
        .apply("BatchRows", ParDo.of(new BatchRowsFn(schema, rowsPerBatch, shards())))
        .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
        .apply("GroupIntoPanes", GroupByKey.create())
        .apply(
            "WritePanes",
            ParDo.of(new WritePaneFn(targets(), schema, layout(), prefix(), shards())));
    return PDone.in(rows.getPipeline());
  }

  private List<Target> targets() {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target(folder(), format()));
    targets.addAll(alsoTo());
    return targets;
  }

  /**
   * A batch goes to the grouping encoded: the grouping holds a window's batches until its pane
   * fires, and as bytes a row is one part of one array rather than a dozen objects for the garbage
   * collector to trace (a fast stream's panes hold hundreds of thousands of rows). The runner
   * encodes what it groups anyway; the rows are decoded once, when the pane is written.
   */
  private static Coder<List<Row>> batchCoder(Schema schema) {
    return ListCoder.of(RowCoder.of(schema));
  }

  /**
   * Gathers a bundle's rows per window into batches of at most {@code rowsPerBatch}, each for a
   * shard in turn; what is left of a batch goes on when the bundle ends, before the runner moves
   * the watermark past it.
   */
  private static final class BatchRowsFn extends DoFn<Row, KV<Integer, byte[]>> {
    private final Coder<List<Row>> batchCoder;
    private final int rowsPerBatch;
    private final int shards;
    private transient Map<BoundedWindow, Batch> open;
    private transient int nextShard;

    /**
     * Rows of one window, and the earliest of their timestamps: a full batch goes on with its last
     * row's timestamp (a DoFn may not output earlier than its input), the rest of a bundle's with
     * the earliest.
     */
    private static final class Batch {
      final List<Row> rows = new ArrayList<>();
      Instant earliest = BoundedWindow.TIMESTAMP_MAX_VALUE;
    }

    BatchRowsFn(Schema schema, int rowsPerBatch, int shards) {
      this.batchCoder = batchCoder(schema);
      this.rowsPerBatch = rowsPerBatch;
      this.shards = shards;
    }

    @Setup
    public void setup() {
      nextShard = ThreadLocalRandom.current().nextInt(shards);
    }

    /** Each bundle starts with no open batches: a failed bundle's rows are not carried over. */
    @StartBundle
    public void start() {
      open = new HashMap<>();
    }

    @ProcessElement
    public void process(
        @Element Row row,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        OutputReceiver<KV<Integer, byte[]>> out) {
      Batch batch = open.computeIfAbsent(window, w -> new Batch());
      batch.rows.add(row);
      if (timestamp.isBefore(batch.earliest)) {
        batch.earliest = timestamp;
      }
      if (batch.rows.size() >= rowsPerBatch) {
        open.remove(window);
        out.output(KV.of(shard(), encode(batch)));
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext context) {
      open.forEach(
          (window, batch) -> context.output(KV.of(shard(), encode(batch)), batch.earliest, window));
    }

    private byte[] encode(Batch batch) {
      try {
        return CoderUtils.encodeToByteArray(batchCoder, batch.rows);
      } catch (CoderException e) {
        throw new IllegalStateException("Cannot encode a batch of rows", e);
      }
    }

    private int shard() {
      int shard = nextShard;
      nextShard = (nextShard + 1) % shards;
      return shard;
    }
  }

  /** Writes each pane of a shard into one file per target, named by its window, pane and shard. */
  private static final class WritePaneFn extends DoFn<KV<Integer, Iterable<byte[]>>, Void> {
    private final List<Target> targets;
    private final Schema schema;
    private final Coder<List<Row>> batchCoder;
    private final Layout layout;
    private final String prefix;
    private final int shards;
    private final Counter written = Metrics.counter(WriteWindowedFiles.class, ROWS_WRITTEN);
    private transient org.apache.avro.Schema avro;
    private transient SerializableFunction<Row, GenericRecord> toAvro;
    private transient SerializableFunction<Row, String> toJson;

    WritePaneFn(List<Target> targets, Schema schema, Layout layout, String prefix, int shards) {
      this.targets = targets;
      this.schema = schema;
      this.batchCoder = batchCoder(schema);
      this.layout = layout;
      this.prefix = prefix;
      this.shards = shards;
    }

    @Setup
    public void setup() {
      avro = AvroUtils.toAvroSchema(schema);
      toAvro = AvroRows.toGenericRecord(schema);
      toJson = JsonRecords.rowFormatter();
    }

    /**
     * Writes the pane into one file per target, each under a hidden temporary name, decoding each
     * batch once for all of them; then renames the files into place.
     */
    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<byte[]>> shard, BoundedWindow window, PaneInfo pane)
        throws IOException {
      List<PaneFile> files = new ArrayList<>();
      try {
        for (Target target : targets) {
          String name =
              new WindowNaming(layout, prefix, target.format().extension())
                  .getFilename(window, pane, shards, shard.getKey(), Compression.UNCOMPRESSED);
          files.add(open(target, name));
        }
        for (byte[] encoded : shard.getValue()) {
          List<Row> batch = CoderUtils.decodeFromByteArray(batchCoder, encoded);
          for (PaneFile file : files) {
            for (Row row : batch) {
              file.sink().write(row);
            }
            written.inc(batch.size());
          }
        }
        for (PaneFile file : files) {
          file.sink().flush();
        }
      } finally {
        for (PaneFile file : files) {
          file.channel().close();
        }
      }
      FileSystems.rename(
          files.stream().map(PaneFile::temp).toList(), files.stream().map(PaneFile::file).toList());
    }

    /** Opens the file of a target under a hidden temporary name beside its final one. */
    private PaneFile open(Target target, String name) throws IOException {
      ResourceId file =
          FileSystems.matchNewResource(target.folder(), true)
              .resolve(name, StandardResolveOptions.RESOLVE_FILE);
      ResourceId temp =
          file.getCurrentDirectory()
              .resolve(
                  "." + file.getFilename() + "-" + UUID.randomUUID() + ".tmp",
                  StandardResolveOptions.RESOLVE_FILE);
      Format format = target.format();
      String mimeType = format == Format.JSON_LINES ? MimeTypes.TEXT : MimeTypes.BINARY;
      WritableByteChannel channel = FileSystems.create(temp, mimeType);
      try {
        RowSink sink =
            switch (format) {
              case PARQUET ->
                  RowSink.open(ParquetRows.sinkWithoutDictionaries(schema), row -> row, channel);
              case AVRO -> RowSink.open(AvroIO.sink(avro), toAvro, channel);
              case JSON_LINES -> RowSink.open(TextIO.sink(), toJson, channel);
            };
        return new PaneFile(file, temp, channel, sink);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
  }

  /** A pane's file being written: its final name, its temporary one, its channel and sink. */
  private record PaneFile(
      ResourceId file, ResourceId temp, WritableByteChannel channel, RowSink sink) {}

  /** A file sink fed with rows, each converted to what the sink writes. */
  private interface RowSink {
    void write(Row row) throws IOException;

    void flush() throws IOException;

    /** Opens {@code sink} on {@code channel}. */
    static <T> RowSink open(
        FileIO.Sink<T> sink, SerializableFunction<Row, T> convert, WritableByteChannel channel)
        throws IOException {
      sink.open(channel);
      return new RowSink() {
        @Override
        public void write(Row row) throws IOException {
          sink.write(convert.apply(row));
        }

        @Override
        public void flush() throws IOException {
          sink.flush();
        }
      };
    }
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
}
