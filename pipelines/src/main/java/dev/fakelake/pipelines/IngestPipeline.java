package dev.fakelake.pipelines;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.ingest.IngestCounters;
import dev.fakelake.transforms.ingest.ReadLandingFiles;
import dev.fakelake.transforms.ingest.ReadSourceTable;
import dev.fakelake.transforms.ingest.SourceSpec;
import dev.fakelake.transforms.io.JsonRecords;
import dev.fakelake.transforms.io.ParquetRows;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Ingests every source of the sources file into bronze: landing files and the rows of source tables
 * changed since the last watermark become Parquet under {@code bronze/<source>/ingest_date=<day>/},
 * with metadata columns; records that cannot be parsed or fail the schema go to {@code
 * deadletter/<source>/} with the reason. Load statistics and threshold alerts go to the ops area
 * and the warehouse, and the ingested landing files move to {@code archive/}.
 *
 * <p>A batch is planned and recorded as pending before the pipeline runs. The job itself, once
 * every bronze and dead-letter file of the batch is written, writes the load statistics and alerts,
 * then commits the batch in the ledger, then archives its landing files: a batch is committed
 * exactly when all its outputs exist, on every runner, and also when a flex template launch has
 * only submitted the job. So running again on the same input adds nothing, and a killed run (or a
 * failed job) resumes the same batch.
 *
 * <pre>{@code
 * ./fakelake ingest
 * ./fakelake ingest --sources=my-sources.conf --thresholds=my-thresholds.properties
 * }</pre>
 */
public class IngestPipeline {

  /** Options of the ingest pipeline. */
  public interface Options extends FakelakeOptions, SourceDatabaseOptions, WarehouseOptions {

    @Description("Sources file, one source per line; empty uses the bundled sources.conf.")
    @Default.String("")
    String getSources();

    void setSources(String value);

    @Description("Thresholds file of the batch checks; empty uses the bundled one.")
    @Default.String("")
    String getThresholds();

    void setThresholds(String value);

    @Description("Longest record accepted, in bytes; longer ones go to the dead letters.")
    @Default.Integer(ReadLandingFiles.DEFAULT_MAX_RECORD_BYTES)
    int getMaxRecordBytes();

    void setMaxRecordBytes(int value);
  }

  /**
   * What a run did: the batch, its load statistics and alerts, and the files it archived. A
   * submitted run (a template launch) knows only its batch: its job reports the rest.
   */
  public record Summary(
      @Nullable String batchId,
      boolean resumed,
      List<Row> loadStats,
      List<Row> alerts,
      long archived,
      int alreadyIngested,
      boolean submitted) {

    long rowsRead() {
      return loadStats.stream().mapToLong(row -> row.getInt64("rows_read")).sum();
    }
  }

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    Summary summary = run(options);
    System.out.print(render(summary));
    if (summary.submitted()) {
      System.out.print(PipelineRuns.submitted("ingest", options));
    }
  }

  /**
   * Plans (or resumes) a batch and runs it: the job commits it. Under a template launch it returns
   * once the job is written.
   */
  public static Summary run(Options options) {
    WarehouseOptions.validate(options);
    if (options.getMaxRecordBytes() < 1024) {
      throw new IllegalArgumentException(
          "--maxRecordBytes must be at least 1024, got " + options.getMaxRecordBytes());
    }
    String lake = options.getLake();
    List<SourceSpec> sources = SourcesFile.load(options.getSources());
    Thresholds thresholds =
        Thresholds.load(options.getThresholds())
            .requireKnownSources(sources.stream().map(SourceSpec::name).toList());
    IngestLedger ledger = IngestLedger.open(lake);
    boolean needsDatabase = sources.stream().anyMatch(s -> !s.isFiles());
    try (SourceDatabase database = needsDatabase ? SourceDatabase.open(options, lake) : null) {
      IngestBatch batch = ledger.pending();
      boolean resumed = batch != null;
      int alreadyIngested = 0;
      if (resumed) {
        deleteOutputsOf(lake, batch);
      } else {
        List<IngestBatch.LandingFile> files = new ArrayList<>();
        alreadyIngested = planFiles(lake, sources, ledger, files);
        List<IngestBatch.TableRange> tables = planTables(sources, ledger, database);
        Instant now = Instant.now();
        Set<String> taken = ledger.committedBatchIds();
        while (taken.contains(IngestBatch.start(now, files, tables).batchId())) {
          now = now.plus(1000);
        }
        batch = IngestBatch.start(now, files, tables);
        if (batch.isEmpty()) {
          return new Summary(null, false, List.of(), List.of(), 0, alreadyIngested, false);
        }
        ledger.begin(batch);
      }

      Pipeline pipeline = Pipeline.create(options);
      build(
          pipeline,
          lake,
          sources,
          batch,
          database,
          options.getMaxRecordBytes(),
          thresholds,
          Instant.now(),
          Warehouses.isBigQuery(options) ? options : null);
      PipelineResult result = PipelineRuns.run(pipeline);
      if (PipelineRuns.isTemplateLaunch(options)) {
        return new Summary(
            batch.batchId(), resumed, List.of(), List.of(), 0, alreadyIngested, true);
      }
      List<Row> stats = OpsRows.read(lake, WarehouseTable.OPS_LOAD_STATS, batch.batchId());
      List<Row> alerts = OpsRows.read(lake, WarehouseTable.OPS_ALERTS, batch.batchId());
      if (!Warehouses.isBigQuery(options)) {
        DuckDbWarehouse.load(
            lake, Set.of(WarehouseTable.OPS_LOAD_STATS, WarehouseTable.OPS_ALERTS));
      }
      long archived =
          PipelineMetrics.counters(result, BATCH_COUNTERS).getOrDefault(ARCHIVED_COUNTER, 0L);
      return new Summary(batch.batchId(), resumed, stats, alerts, archived, alreadyIngested, false);
    }
  }

  /**
   * Adds the ingest graph of one batch to {@code pipeline}: each source read into bronze and the
   * dead letters, then, once every one of those writes has finished, the batch's load statistics
   * and alerts ({@code WriteLoadStats}, and to BigQuery when {@code bigQuery} is set), then the
   * ledger commit ({@code CommitBatch}), then the archiving of its landing files ({@code
   * ArchiveLandingFiles}). {@code jobStartedAt} is when the job was built: the statistics' duration
   * runs from it.
   */
  public static void build(
      Pipeline pipeline,
      String lake,
      List<SourceSpec> sources,
      IngestBatch batch,
      @Nullable SourceDatabase database,
      int maxRecordBytes,
      Thresholds thresholds,
      Instant jobStartedAt,
      @Nullable WarehouseOptions bigQuery) {
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    List<PCollection<?>> writes = new ArrayList<>();
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    for (SourceSpec source : sources) {
      String step = GeneratePipeline.stepName(source.name());
      PCollectionTuple parsed;
      if (source.isFiles()) {
        List<String> paths = batch.paths(source.name());
        if (paths.isEmpty()) {
          continue;
        }
        parsed =
            pipeline
                .apply("List" + step + "Files", Create.of(paths).withCoder(StringUtf8Coder.of()))
                .apply(
                    "Read" + step,
                    ReadLandingFiles.of(source, batch.batchId(), batch.startedAt())
                        .withMaxRecordBytes(maxRecordBytes));
      } else {
        IngestBatch.TableRange range = batch.range(source.name());
        if (range == null) {
          continue;
        }
        if (database == null) {
          throw new IllegalArgumentException("Source " + source.name() + " needs a database");
        }
        parsed =
            pipeline.apply(
                "Read" + step,
                ReadSourceTable.of(
                    source,
                    database.dataSource(),
                    range.from(),
                    range.to(),
                    batch.batchId(),
                    batch.startedAt()));
      }
      PCollection<Row> bronze = parsed.get(ReadLandingFiles.BRONZE);
      writes.add(
          bronze
              .apply(
                  "Write" + step + "ToBronze",
                  ParquetRows.write(
                      partition(lake, "bronze", source.name(), batch), batch.batchId()))
              .getPerDestinationOutputFilenames());
      String written = IngestCounters.written(source.name());
      counts.add(
          bronze
              .apply("Count" + step + "Written", Count.globally())
              .apply(
                  "Key" + step + "Written",
                  MapElements.into(
                          TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                      .via(rows -> KV.of(written, rows))));
      deadLetters.add(parsed.get(ReadLandingFiles.DEAD_LETTERS));
    }
    if (!deadLetters.isEmpty()) {
      String partitionAndBatch = "/ingest_date=" + batch.ingestDate() + "/" + batch.batchId();
      PCollection<DeadLetter> allDeadLetters =
          PCollectionList.of(deadLetters).apply("CollectDeadLetters", Flatten.pCollections());
      writes.add(
          allDeadLetters
              .apply("WriteDeadLetters", writeBySource(lake + "/deadletter", partitionAndBatch))
              .getPerDestinationOutputFilenames());
      counts.add(
          allDeadLetters
              .apply(
                  "NameDeadLetterSources",
                  MapElements.into(TypeDescriptors.strings())
                      .via(letter -> IngestCounters.deadLettered(letter.getSource())))
              .apply("CountDeadLetters", Count.perElement()));
    }
    PCollectionView<Map<String, Long>> countsBySource =
        PCollectionList.of(counts)
            .apply("CollectCounts", Flatten.pCollections())
            .apply("CountsBySource", View.asMap());

    PCollection<String> start = pipeline.apply("StartLoadStats", Create.of(batch.batchId()));
    if (!writes.isEmpty()) {
      start = start.apply("WaitForWrites", Wait.on(writes));
    }
    PCollectionTuple loadStats =
        start.apply(
            "WriteLoadStats",
            ParDo.of(
                    new WriteLoadStatsFn(
                        lake, sources, batch.toJson(), thresholds, jobStartedAt, countsBySource))
                .withSideInputs(countsBySource)
                .withOutputTags(STATS_WRITTEN, TupleTagList.of(LOAD_STATS).and(ALERTS)));
    PCollection<Row> stats =
        loadStats.get(LOAD_STATS).setRowSchema(WarehouseTable.OPS_LOAD_STATS.schema());
    PCollection<Row> alerts =
        loadStats.get(ALERTS).setRowSchema(WarehouseTable.OPS_ALERTS.schema());
    if (bigQuery != null) {
      stats.apply(
          "WriteLoadStatsToBigQuery",
          WriteToBigQuery.table(WarehouseTable.OPS_LOAD_STATS, bigQuery));
      alerts.apply(
          "WriteAlertsToBigQuery", WriteToBigQuery.table(WarehouseTable.OPS_ALERTS, bigQuery));
    }
    loadStats
        .get(STATS_WRITTEN)
        .apply("CommitBatch", ParDo.of(new CommitBatchFn(lake, batch.toJson())))
        .apply("ArchiveLandingFiles", ParDo.of(new ArchiveLandingFilesFn(lake, batch.toJson())));
  }

  /** The metrics namespace of the steps after the writes, and its counter of archived files. */
  static final String BATCH_COUNTERS = "ingest.batch";

  static final String ARCHIVED_COUNTER = "landing_files_archived";

  private static final TupleTag<String> STATS_WRITTEN = new TupleTag<>() {};
  private static final TupleTag<Row> LOAD_STATS = new TupleTag<>() {};
  private static final TupleTag<Row> ALERTS = new TupleTag<>() {};

  /**
   * Writes the batch's load statistics and the alerts they raise to the ops area, from the rows
   * each source wrote to bronze and to the dead letters, and passes on the batch id once they are
   * written. A retry rewrites the same files.
   */
  private static class WriteLoadStatsFn extends DoFn<String, String> {
    private final String lake;
    private final List<SourceSpec> sources;
    private final String batchJson;
    private final Thresholds thresholds;
    private final Instant jobStartedAt;
    private final PCollectionView<Map<String, Long>> countsBySource;

    WriteLoadStatsFn(
        String lake,
        List<SourceSpec> sources,
        String batchJson,
        Thresholds thresholds,
        Instant jobStartedAt,
        PCollectionView<Map<String, Long>> countsBySource) {
      this.lake = lake;
      this.sources = List.copyOf(sources);
      this.batchJson = batchJson;
      this.thresholds = thresholds;
      this.jobStartedAt = jobStartedAt;
      this.countsBySource = countsBySource;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      IngestBatch batch = IngestBatch.fromJson(batchJson);
      Instant finished = Instant.now();
      double seconds = (finished.getMillis() - jobStartedAt.getMillis()) / 1000.0;
      List<Row> stats =
          loadStats(context.sideInput(countsBySource), sources, batch, finished, seconds);
      List<Row> alerts = new ArrayList<>();
      Map<String, Long> previous = previousRowsRead(lake, batch.batchId());
      for (Row row : stats) {
        alerts.addAll(thresholds.check(row, previous.get(row.getString("source")), finished));
      }
      writeOpsRows(lake, WarehouseTable.OPS_LOAD_STATS, batch.batchId(), stats);
      writeOpsRows(lake, WarehouseTable.OPS_ALERTS, batch.batchId(), alerts);
      stats.forEach(row -> context.output(LOAD_STATS, row));
      alerts.forEach(row -> context.output(ALERTS, row));
      context.output(batch.batchId());
    }
  }

  /** Records the batch as committed in the ledger: from here on its files count as ingested. */
  private static class CommitBatchFn extends DoFn<String, String> {
    private final String lake;
    private final String batchJson;

    CommitBatchFn(String lake, String batchJson) {
      this.lake = lake;
      this.batchJson = batchJson;
    }

    @ProcessElement
    public void process(@Element String batchId, OutputReceiver<String> out) {
      IngestLedger.commit(lake, IngestBatch.fromJson(batchJson));
      out.output(batchId);
    }
  }

  /**
   * Moves the committed batch's landing files to the archive. A file already moved (by a retry) is
   * skipped; a file left behind by a failure is archived by the next run, which finds it ingested.
   */
  private static class ArchiveLandingFilesFn extends DoFn<String, Long> {
    private final String lake;
    private final String batchJson;
    private final Counter archived = Metrics.counter(BATCH_COUNTERS, ARCHIVED_COUNTER);

    ArchiveLandingFilesFn(String lake, String batchJson) {
      this.lake = lake;
      this.batchJson = batchJson;
    }

    @ProcessElement
    public void process(@Element String batchId, OutputReceiver<Long> out) {
      int moved = archive(lake, batchId, IngestBatch.fromJson(batchJson).files());
      archived.inc(moved);
      out.output((long) moved);
    }
  }

  /**
   * Writes dead letters (or quarantined rows) as JSON Lines, one folder per source: {@code
   * folder/SOURCE/pathInSource-SSSSS-of-NNNNN.jsonl}.
   */
  static FileIO.Write<String, DeadLetter> writeBySource(String folder, String pathInSource) {
    return FileIO.<String, DeadLetter>writeDynamic()
        .by(DeadLetter::getSource)
        .withDestinationCoder(StringUtf8Coder.of())
        .via(Contextful.fn(JsonRecords.formatter(DeadLetter.class)), TextIO.sink())
        .to(folder)
        .withNaming(source -> FileIO.Write.defaultNaming(source + pathInSource, ".jsonl"));
  }

  static String partition(String lake, String zone, String source, IngestBatch batch) {
    return lake + "/" + zone + "/" + source + "/ingest_date=" + batch.ingestDate();
  }

  /**
   * Lists each file source's landing files. Files a committed batch already ingested (same name,
   * same content) are not read again, only archived; returns how many there were.
   */
  private static int planFiles(
      String lake,
      List<SourceSpec> sources,
      IngestLedger ledger,
      List<IngestBatch.LandingFile> files) {
    int already = 0;
    for (SourceSpec source : sources) {
      if (!source.isFiles()) {
        continue;
      }
      for (String path : LakeFiles.match(lake + "/" + source.location())) {
        String fingerprint = LakeFiles.sha256(path);
        String ingestedBy = ledger.ingestedBy(source.name(), path, fingerprint);
        if (ingestedBy == null) {
          files.add(new IngestBatch.LandingFile(source.name(), path, fingerprint));
        } else {
          archive(lake, ingestedBy, List.of(new IngestBatch.LandingFile(source.name(), path, "")));
          already++;
        }
      }
    }
    return already;
  }

  /** The watermark range of each table source with rows changed since its last batch. */
  private static List<IngestBatch.TableRange> planTables(
      List<SourceSpec> sources, IngestLedger ledger, @Nullable SourceDatabase database) {
    Map<String, Instant> watermarks = ledger.watermarks();
    List<IngestBatch.TableRange> ranges = new ArrayList<>();
    for (SourceSpec source : sources) {
      if (source.isFiles() || database == null) {
        continue;
      }
      Instant newest = newest(database, source);
      Instant from = watermarks.get(source.name());
      if (newest != null && (from == null || newest.isAfter(from))) {
        ranges.add(new IngestBatch.TableRange(source.name(), from, newest));
      }
    }
    return ranges;
  }

  /**
   * The newest value of a table's watermark column, rounded up to the millisecond, or null when the
   * table is empty or absent.
   */
  private static @Nullable Instant newest(SourceDatabase database, SourceSpec source) {
    try (Connection connection = database.open();
        Statement statement = connection.createStatement()) {
      try (ResultSet exists =
          statement.executeQuery("SELECT to_regclass('" + source.location() + "') IS NOT NULL")) {
        exists.next();
        if (!exists.getBoolean(1)) {
          return null;
        }
      }
      try (ResultSet max =
          statement.executeQuery(
              "SELECT max(" + source.incrementalColumn() + ") FROM " + source.location())) {
        max.next();
        OffsetDateTime newest = max.getObject(1, OffsetDateTime.class);
        if (newest == null) {
          return null;
        }
        // PostgreSQL keeps microseconds, a watermark milliseconds: rounding down would leave the
        // newest rows (e.g. updated with now()) after the range's end, and never read.
        java.time.Instant exact = newest.toInstant();
        long millis = exact.toEpochMilli() + (exact.getNano() % 1_000_000 == 0 ? 0 : 1);
        return new Instant(millis);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot read the watermark of " + source.location() + ": " + e.getMessage(), e);
    }
  }

  /** Removes what a killed run of this batch wrote, so the resumed run starts clean. */
  private static void deleteOutputsOf(String lake, IngestBatch batch) {
    List<String> partial = new ArrayList<>();
    for (String zone : List.of("bronze", "deadletter")) {
      partial.addAll(
          LakeFiles.match(lake + "/" + zone + "/*/ingest_date=*/" + batch.batchId() + "-*"));
      partial.addAll(LakeFiles.match(lake + "/" + zone + "/*/ingest_date=*/.temp-beam*/*"));
      partial.addAll(LakeFiles.match(lake + "/" + zone + "/.temp-beam*/*"));
    }
    LakeFiles.delete(partial);
  }

  /**
   * One row per source of the batch, from the rows it wrote to bronze and to the dead letters
   * (keyed by {@link IngestCounters#written} and {@link IngestCounters#deadLettered}): every record
   * read goes to one of the two.
   */
  private static List<Row> loadStats(
      Map<String, Long> counts,
      List<SourceSpec> sources,
      IngestBatch batch,
      Instant finished,
      double seconds) {
    List<Row> stats = new ArrayList<>();
    for (SourceSpec source : sources) {
      String name = source.name();
      IngestBatch.TableRange range = batch.range(name);
      int files = batch.paths(name).size();
      if (files == 0 && range == null) {
        continue;
      }
      long written = counts.getOrDefault(IngestCounters.written(name), 0L);
      long deadLettered = counts.getOrDefault(IngestCounters.deadLettered(name), 0L);
      stats.add(
          Row.withSchema(WarehouseTable.OPS_LOAD_STATS.schema())
              .withFieldValue("batch_id", batch.batchId())
              .withFieldValue("source", name)
              .withFieldValue("kind", source.kind().label())
              .withFieldValue("sources_read", (long) (source.isFiles() ? files : 1))
              .withFieldValue("rows_read", written + deadLettered)
              .withFieldValue("rows_written", written)
              .withFieldValue("rows_dead_lettered", deadLettered)
              .withFieldValue("started_at", batch.startedAt())
              .withFieldValue("finished_at", finished)
              .withFieldValue("duration_seconds", seconds)
              .withFieldValue("watermark", range == null ? null : range.to())
              .build());
    }
    return stats;
  }

  /** Rows read by each source's latest batch before this one. */
  private static Map<String, Long> previousRowsRead(String lake, String batchId) {
    Map<String, String> latestBatch = new HashMap<>();
    Map<String, Long> rows = new HashMap<>();
    for (Row row : OpsRows.read(lake, WarehouseTable.OPS_LOAD_STATS)) {
      String source = row.getString("source");
      String batch = row.getString("batch_id");
      if (batch.compareTo(batchId) < 0
          && batch.compareTo(latestBatch.getOrDefault(source, "")) > 0) {
        latestBatch.put(source, batch);
        rows.put(source, row.getInt64("rows_read"));
      }
    }
    return rows;
  }

  private static void writeOpsRows(
      String lake, WarehouseTable table, String batchId, List<Row> rows) {
    if (!rows.isEmpty()) {
      OpsRows.write(lake, table, batchId, rows);
    }
  }

  /** Moves ingested landing files to {@code archive/<source>/<batch>/}. */
  private static int archive(String lake, String batchId, List<IngestBatch.LandingFile> files) {
    int moved = 0;
    for (IngestBatch.LandingFile file : files) {
      if (LakeFiles.exists(file.path())) {
        LakeFiles.move(
            file.path(),
            lake
                + "/archive/"
                + file.source()
                + "/"
                + batchId
                + "/"
                + LakeFiles.fileName(file.path()));
        moved++;
      }
    }
    return moved;
  }

  /** The command's report of a run. */
  static String render(Summary summary) {
    StringBuilder out = new StringBuilder();
    if (summary.batchId() == null) {
      out.append("ingest: nothing new to ingest");
      if (summary.alreadyIngested() > 0) {
        out.append(
            String.format(
                " (%d landing files were already ingested and are now archived)",
                summary.alreadyIngested()));
      }
      return out.append('\n').toString();
    }
    out.append(
        String.format(
            "ingest: batch %s%s%n",
            summary.batchId(), summary.resumed() ? " (resumed after an interrupted run)" : ""));
    if (summary.submitted()) {
      return out.append(
              "  submitted: the job writes the load statistics and alerts, commits the batch and"
                  + " archives its landing files once its writes are done\n")
          .toString();
    }
    out.append(
        String.format(
            "  %-15s %-9s %8s %12s %12s %12s%n",
            "source", "kind", "inputs", "read", "to bronze", "dead letters"));
    long read = 0;
    long written = 0;
    long dead = 0;
    for (Row row : summary.loadStats()) {
      out.append(
          String.format(
              "  %-15s %-9s %8d %,12d %,12d %,12d%n",
              row.getString("source"),
              row.getString("kind"),
              row.getInt64("sources_read"),
              row.getInt64("rows_read"),
              row.getInt64("rows_written"),
              row.getInt64("rows_dead_lettered")));
      read += row.getInt64("rows_read");
      written += row.getInt64("rows_written");
      dead += row.getInt64("rows_dead_lettered");
    }
    out.append(
        String.format(
            "  %-15s %-9s %8s %,12d %,12d %,12d%n", "total", "", "", read, written, dead));
    if (summary.alreadyIngested() > 0) {
      out.append(
          String.format(
              "  %d landing files were already ingested by an earlier batch: archived, not read%n",
              summary.alreadyIngested()));
    }
    out.append(String.format("  archived %d landing files%n", summary.archived()));
    for (Row alert : summary.alerts()) {
      out.append("  WARNING: ").append(alert.getString("message")).append('\n');
    }
    return out.toString();
  }

  private IngestPipeline() {}
}
