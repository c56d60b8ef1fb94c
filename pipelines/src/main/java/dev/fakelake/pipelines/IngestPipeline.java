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
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Ingests every source of the sources file into bronze: landing files and the rows of source tables
 * changed since the last watermark become Parquet under {@code bronze/<source>/ingest_date=<day>/},
 * with metadata columns; records that cannot be parsed or fail the schema go to {@code
 * deadletter/<source>/} with the reason. Load statistics and threshold alerts go to the ops area
 * and the warehouse, and the ingested landing files move to {@code archive/}.
 *
 * <p>A batch is planned and recorded before the pipeline runs and committed after it, so running
 * again on the same input adds nothing, and a killed run resumes the same batch.
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

  /** What a run did: the batch, its load statistics and alerts, and the files it archived. */
  public record Summary(
      @Nullable String batchId,
      boolean resumed,
      List<Row> loadStats,
      List<Row> alerts,
      int archived,
      int alreadyIngested) {

    long rowsRead() {
      return loadStats.stream().mapToLong(row -> row.getInt64("rows_read")).sum();
    }
  }

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    System.out.print(render(run(options)));
  }

  /** Plans (or resumes) a batch, runs it, and commits it. */
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
          return new Summary(null, false, List.of(), List.of(), 0, alreadyIngested);
        }
        ledger.begin(batch);
      }

      long started = System.nanoTime();
      Pipeline pipeline = Pipeline.create(options);
      build(pipeline, lake, sources, batch, database, options.getMaxRecordBytes());
      PipelineResult result = pipeline.run();
      result.waitUntilFinish();
      double seconds = (System.nanoTime() - started) / 1e9;
      Instant finished = Instant.now();

      List<Row> stats = loadStats(result, sources, batch, finished, seconds);
      List<Row> alerts = new ArrayList<>();
      Map<String, Long> previous = previousRowsRead(lake, batch.batchId());
      for (Row row : stats) {
        alerts.addAll(thresholds.check(row, previous.get(row.getString("source")), finished));
      }
      writeOpsRows(lake, WarehouseTable.OPS_LOAD_STATS, batch.batchId(), stats);
      writeOpsRows(lake, WarehouseTable.OPS_ALERTS, batch.batchId(), alerts);
      ledger.commit(batch);
      int archived = archive(lake, batch.batchId(), batch.files());
      Warehouses.loadOps(options, lake, stats, alerts);
      return new Summary(batch.batchId(), resumed, stats, alerts, archived, alreadyIngested);
    }
  }

  /** Adds the ingest graph of one batch to {@code pipeline}. */
  public static void build(
      Pipeline pipeline,
      String lake,
      List<SourceSpec> sources,
      IngestBatch batch,
      @Nullable SourceDatabase database,
      int maxRecordBytes) {
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
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
      parsed
          .get(ReadLandingFiles.BRONZE)
          .apply(
              "Write" + step + "ToBronze",
              ParquetRows.write(partition(lake, "bronze", source.name(), batch), batch.batchId()));
      deadLetters.add(parsed.get(ReadLandingFiles.DEAD_LETTERS));
    }
    if (deadLetters.isEmpty()) {
      return;
    }
    String partitionAndBatch = "/ingest_date=" + batch.ingestDate() + "/" + batch.batchId();
    PCollectionList.of(deadLetters)
        .apply("CollectDeadLetters", Flatten.pCollections())
        .apply("WriteDeadLetters", writeBySource(lake + "/deadletter", partitionAndBatch));
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

  private static List<Row> loadStats(
      PipelineResult result,
      List<SourceSpec> sources,
      IngestBatch batch,
      Instant finished,
      double seconds) {
    Map<String, Long> counters = PipelineMetrics.counters(result, IngestCounters.NAMESPACE);
    List<Row> stats = new ArrayList<>();
    for (SourceSpec source : sources) {
      String name = source.name();
      IngestBatch.TableRange range = batch.range(name);
      int files = batch.paths(name).size();
      if (files == 0 && range == null) {
        continue;
      }
      stats.add(
          Row.withSchema(WarehouseTable.OPS_LOAD_STATS.schema())
              .withFieldValue("batch_id", batch.batchId())
              .withFieldValue("source", name)
              .withFieldValue("kind", source.kind().label())
              .withFieldValue("sources_read", (long) (source.isFiles() ? files : 1))
              .withFieldValue("rows_read", counters.getOrDefault(IngestCounters.read(name), 0L))
              .withFieldValue(
                  "rows_written", counters.getOrDefault(IngestCounters.written(name), 0L))
              .withFieldValue(
                  "rows_dead_lettered",
                  counters.getOrDefault(IngestCounters.deadLettered(name), 0L))
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
