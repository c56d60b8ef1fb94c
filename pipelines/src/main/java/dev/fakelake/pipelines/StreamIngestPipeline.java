package dev.fakelake.pipelines;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.BuildSessions;
import dev.fakelake.transforms.aggregate.CountPageviewsByMethod;
import dev.fakelake.transforms.aggregate.LatencyHistogram;
import dev.fakelake.transforms.clean.DropDuplicateEvents;
import dev.fakelake.transforms.clean.SplitLateEvents;
import dev.fakelake.transforms.clean.StampEventTime;
import dev.fakelake.transforms.enrich.EnrichPageviews;
import dev.fakelake.transforms.enrich.JoinPageviewsWithRatings;
import dev.fakelake.transforms.enrich.LookupMapView;
import dev.fakelake.transforms.ingest.ParseStreamMessages;
import dev.fakelake.transforms.io.CaptureRawMessages;
import dev.fakelake.transforms.io.ParquetRows;
import dev.fakelake.transforms.io.WriteWindowedFiles;
import dev.fakelake.transforms.quality.LatencyAlerts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Convert;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Ingests the event stream: captures every message raw, parses, dedupes, splits off events later
 * than the allowed lateness, enriches pageviews with the customer tables, and computes the windowed
 * outputs (pageviews per HTTP method in 5-minute windows, latency alerts, pageview-rating pairs
 * within 15 minutes, 30-minute-gap sessions) into the lake and the warehouse.
 *
 * <pre>{@code
 * ./fakelake stream-ingest --limit=10000        # what is in the topic, up to 10,000 messages
 * ./fakelake stream-ingest --duration=5m        # five minutes of the live stream
 * ./fakelake stream-ingest                      # endless, until stopped
 * ./fakelake stream-ingest --pubsubSubscription=projects/p/subscriptions/s --warehouse=bigquery
 * }</pre>
 */
public final class StreamIngestPipeline {

  private static final java.util.regex.Pattern PUBSUB_SUBSCRIPTION =
      java.util.regex.Pattern.compile(
          "projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/subscriptions/[a-zA-Z][-a-zA-Z0-9._~+%]{2,254}");

  /**
   * How long an event id is remembered after its first arrival, to drop its copies: a Kafka
   * producer's retries end within its delivery timeout (two minutes by default), the generator
   * sends a duplicate right after its original, and a restart re-reads the ids of the capture's
   * last {@value #CAPTURE_WINDOWS_REREAD} minutes. At 20,000 events/s that is 2.4 million ids.
   */
  static final Duration DEDUPLICATION_MEMORY = Duration.standardMinutes(2);

  /** Minutes of the raw capture a run re-reads for the event ids the previous run read last. */
  static final int CAPTURE_WINDOWS_REREAD = 2;

  /** Options of stream-ingest. */
  public interface Options extends FakelakeOptions, WarehouseOptions, StreamOptions {

    @Description("Kafka consumer group whose committed offsets a run starts from.")
    @Default.String("fakelake-stream-ingest")
    String getConsumerGroup();

    void setConsumerGroup(String value);

    @Description("Pub/Sub subscription to read (projects/P/subscriptions/S) instead of Kafka.")
    @Default.String("")
    String getPubsubSubscription();

    void setPubsubSubscription(String value);

    @Description("Events arriving later than this after their event time go to the dead letters.")
    @Default.String("10m")
    String getAllowedLateness();

    void setAllowedLateness(String value);

    @Description("Length of the time windows of the files written to the lake.")
    @Default.String("1m")
    String getFileWindow();

    void setFileWindow(String value);

    @Description("Pageviews slower than this many ms raise a latency alert.")
    @Default.Integer(LatencyAlerts.DEFAULT_THRESHOLD_MS)
    int getLatencyAlertMs();

    void setLatencyAlertMs(int value);
  }

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    if (PipelineRuns.isTemplateLaunch(options)) {
      submit(options);
      System.out.print(PipelineRuns.submitted("stream-ingest", options));
    } else {
      System.out.print(render(run(options)));
    }
  }

  /**
   * Under a template launch: writes the job that reads the Pub/Sub subscription until it is
   * stopped. Reading Kafka is left to the command, which commits the consumer group's offsets after
   * the job.
   */
  static void submit(Options options) {
    if (options.getPubsubSubscription().isEmpty()) {
      throw new IllegalArgumentException(
          "a template launch reads a Pub/Sub subscription: pass --pubsubSubscription"
              + " (a Kafka read commits its offsets after the job, which a launch does not wait"
              + " for)");
    }
    if (options.getLimit() > 0
        || StreamOptions.parseDuration("duration", options.getDuration()) != null) {
      throw new IllegalArgumentException(
          "--limit and --duration end a Kafka read; a Pub/Sub subscription is read until the"
              + " job is stopped");
    }
    Config config = config(options, "stream-" + Instant.now().getMillis());
    options.as(StreamingOptions.class).setStreaming(true);
    PipelineRuns.run(pubsubPipeline(options, config));
  }

  private static Pipeline pubsubPipeline(Options options, Config config) {
    Pipeline pipeline = Pipeline.create(options);
    build(
        pipeline, StreamSource.pubsub(pipeline, options.getPubsubSubscription()), config, options);
    return pipeline;
  }

  /** What a run read and wrote. */
  public record Summary(
      String runId, Map<String, Long> counters, Map<WarehouseTable, Long> rows, String stream) {

    long counter(String name) {
      return counters.getOrDefault(name, 0L);
    }
  }

  /** The settings of the graph, parsed and checked from the options. */
  record Config(
      String lake,
      String runId,
      Duration allowedLateness,
      Duration fileWindow,
      int latencyAlertMs,
      boolean bigQuery) {}

  static Config config(Options options, String runId) {
    WarehouseOptions.validate(options);
    Duration lateness =
        StreamOptions.parseDuration("allowedLateness", options.getAllowedLateness());
    Duration fileWindow = StreamOptions.parseDuration("fileWindow", options.getFileWindow());
    if (lateness == null || fileWindow == null || fileWindow.getMillis() < 1000) {
      throw new IllegalArgumentException(
          "--allowedLateness and --fileWindow must be set, --fileWindow to at least 1s");
    }
    if (options.getLatencyAlertMs() < 1) {
      throw new IllegalArgumentException(
          "--latencyAlertMs must be positive, got " + options.getLatencyAlertMs());
    }
    if (!options.getPubsubSubscription().isEmpty()
        && !PUBSUB_SUBSCRIPTION.matcher(options.getPubsubSubscription()).matches()) {
      throw new IllegalArgumentException(
          "--pubsubSubscription must look like projects/PROJECT/subscriptions/NAME, got '"
              + options.getPubsubSubscription()
              + "'");
    }
    if (options.getConsumerGroup().isBlank()) {
      throw new IllegalArgumentException("--consumerGroup must not be empty");
    }
    if (options.getLimit() < 0) {
      throw new IllegalArgumentException(
          "--limit must be 0 (none) or more, got " + options.getLimit());
    }
    StreamOptions.parseDuration("duration", options.getDuration());
    return new Config(
        options.getLake(),
        runId,
        lateness,
        fileWindow,
        options.getLatencyAlertMs(),
        Warehouses.isBigQuery(options));
  }

  /**
   * Reads the stream until the run's limit, its duration or Ctrl-C (or, on Pub/Sub, until the job
   * is cancelled), lets the pipeline drain, and loads the warehouse.
   */
  public static Summary run(Options options) {
    return run(
        options,
        new Bounds(
            options.getLimit(), StreamOptions.parseDuration("duration", options.getDuration())));
  }

  /**
   * Where a run stops on its own: after {@code limit} messages (0: none), after {@code duration}.
   */
  record Bounds(long limit, @Nullable Duration duration) {
    static final Bounds NONE = new Bounds(0, null);
  }

  /** Runs with the given bounds instead of those of the options. */
  static Summary run(Options options, Bounds bounds) {
    Instant started = Instant.now();
    Config config = config(options, "stream-" + started.getMillis());
    Duration duration = bounds.duration();
    options.as(StreamingOptions.class).setStreaming(true);
    FlinkCluster.useStreamingParallelism(options);
    if (bounds.limit() > 0 && FlinkCluster.isRemote(options)) {
      throw new IllegalArgumentException(
          "--limit counts messages in the command's own JVM, not across a Flink cluster's"
              + " TaskManagers: on a cluster, end the run with --duration or Ctrl-C");
    }
    if (!options.getPubsubSubscription().isEmpty()) {
      if (duration != null || bounds.limit() > 0) {
        throw new IllegalArgumentException(
            "--limit and --duration end a Kafka read; a Pub/Sub subscription is read until the"
                + " job is stopped");
      }
      return follow(pubsubPipeline(options, config).run(), config, options.getPubsubSubscription());
    }
    try (StreamTopic.Connection kafka = StreamTopic.connect(options, options.getLake())) {
      String bootstrap = kafka.bootstrap();
      String controlFile = options.getLake() + "/_stream/control/" + config.runId() + ".properties";
      Map<Integer, Long> startOffsets =
          StreamTopic.startOffsets(bootstrap, options.getKafkaTopic(), options.getConsumerGroup());
      warnIfReadersTakeTurns(options, startOffsets.size());
      StreamStop.reset(bounds.limit(), startOffsets, controlFile);
      Pipeline pipeline = Pipeline.create(options);
      build(
          pipeline,
          StreamSource.kafka(
              pipeline,
              bootstrap,
              options.getKafkaTopic(),
              options.getConsumerGroup(),
              duration == null ? 0 : duration.getMillis(),
              controlFile),
          config,
          options);
      PipelineResult result = pipeline.run();
      Summary summary = follow(result, config, kafka.describe(options.getKafkaTopic()));
      LakeFiles.delete(List.of(controlFile));
      int committed =
          StreamSource.commitKafkaOffsets(result, bootstrap, options.getConsumerGroup());
      System.out.printf(
          "stream-ingest: committed the offsets of %d partition(s) for consumer group %s%n",
          committed, options.getConsumerGroup());
      return summary;
    }
  }

  /**
   * Warns when Flink is to read more partitions than it has readers. Beam's Kafka read on Flink
   * takes a reader's partitions in turns of at most 10,000 messages (or 10 s), and a partition that
   * has caught up keeps its turn while new messages trickle in: the others wait and fall further
   * behind. With two partitions and one reader, the read lag grew by about a second every 100 s at
   * 22,000 events/s; with one partition it stayed under 0.1 s. (Beam spreads partitions over the
   * readers by a random key, so with as many readers as partitions two may still share one; only
   * more partitions than readers makes it certain.)
   */
  private static void warnIfReadersTakeTurns(Options options, int partitions) {
    Integer readers = options.as(FlinkPipelineOptions.class).getParallelism();
    if (FlinkRunner.class.equals(options.getRunner())
        && readers != null
        && readers > 0
        && partitions > readers) {
      System.err.printf(
          "stream-ingest: topic %s has %d partitions for %d reader(s); a reader takes its"
              + " partitions in turns, so the stream falls behind. Use a topic with %d"
              + " partition(s) (--kafkaPartitions, when a stream command creates it).%n",
          options.getKafkaTopic(), partitions, readers, readers);
    }
  }

  /**
   * Follows a run until it ends, loading the DuckDB warehouse from the lake's files every half
   * minute meanwhile.
   */
  private static Summary follow(PipelineResult result, Config config, String stream) {
    while (!result.getState().isTerminal()) {
      result.waitUntilFinish(Duration.standardSeconds(30));
      if (!result.getState().isTerminal()) {
        loadWarehouseQuietly(config);
      }
    }
    if (result.getState() != PipelineResult.State.DONE) {
      throw new IllegalStateException("the stream-ingest job ended " + result.getState());
    }
    return new Summary(
        config.runId(), PipelineMetrics.counters(result, "stream"), loadWarehouse(config), stream);
  }

  private static void loadWarehouseQuietly(Config config) {
    try {
      loadWarehouse(config);
    } catch (IllegalStateException e) {
      // Another command holds the DuckDB file; the next round loads everything again.
      System.err.println("stream-ingest: warehouse not loaded this round: " + e.getMessage());
    }
  }

  /** Reloads the stream's tables (and ops.alerts) into DuckDB from the lake; none on BigQuery. */
  static Map<WarehouseTable, Long> loadWarehouse(Config config) {
    if (config.bigQuery()) {
      return Map.of();
    }
    Set<WarehouseTable> tables = new java.util.HashSet<>();
    for (WarehouseTable table : WarehouseTable.values()) {
      if (table.isStreamed() || table == WarehouseTable.OPS_ALERTS) {
        tables.add(table);
      }
    }
    return DuckDbWarehouse.load(config.lake(), tables);
  }

  /**
   * What of the lake the graph depends on, listed when the graph is built: the raw capture's
   * Parquet files (the previous run's last windows are re-read) and the curated tables the
   * enrichment reads, which have files only once curate has run.
   */
  record LakeState(List<String> captureFiles, Set<WarehouseTable> curatedTablesWithFiles) {

    /** The side-input tables of the enrichment. */
    static final List<WarehouseTable> CURATED_TABLES =
        List.of(WarehouseTable.SILVER_CUSTOMERS, WarehouseTable.SILVER_VIP_CUSTOMERS);

    /** Lists the lake now. */
    static LakeState of(String lake) {
      Set<WarehouseTable> withFiles = new java.util.HashSet<>();
      for (WarehouseTable table : CURATED_TABLES) {
        if (!LakeFiles.match(tableGlob(lake, table)).isEmpty()) {
          withFiles.add(table);
        }
      }
      return new LakeState(
          LakeFiles.match(
              CaptureRawMessages.parquetFolder(lake + "/landing/stream") + "/**.parquet"),
          withFiles);
    }
  }

  /** Adds the stream-ingest graph for {@code messages} (stream message rows) to the pipeline. */
  static void build(
      Pipeline pipeline, PCollection<Row> messages, Config config, WarehouseOptions warehouse) {
    build(pipeline, messages, config, warehouse, LakeState.of(config.lake()));
  }

  /** Adds the graph for a lake in the given state, without listing it. */
  static void build(
      Pipeline pipeline,
      PCollection<Row> messages,
      Config config,
      WarehouseOptions warehouse,
      LakeState state) {
    String lake = config.lake();
    Duration lateness = config.allowedLateness();
    messages.apply(
        "CaptureRawMessages",
        CaptureRawMessages.to(lake + "/landing/stream").withPrefix(config.runId()));
    PCollectionTuple parsed =
        messages.apply("ParseMessages", ParseStreamMessages.of(config.runId()));
    @Nullable PCollectionView<Map<String, Boolean>> readBefore =
        idsReadLast(pipeline, state.captureFiles());
    List<PCollection<DeadLetter>> deadLetters = new java.util.ArrayList<>();
    deadLetters.add(parsed.get(ParseStreamMessages.DEAD_LETTERS));
    PCollection<Row> pageviews =
        onTimeEvents(
            parsed.get(ParseStreamMessages.PAGEVIEWS),
            Entity.PAGEVIEWS,
            readBefore,
            config,
            deadLetters);
    PCollection<Row> ratings =
        onTimeEvents(
            parsed.get(ParseStreamMessages.RATINGS),
            Entity.RATINGS,
            readBefore,
            config,
            deadLetters);

    // Each worker holds the whole customer map: only the columns enrichment reads.
    @Nullable PCollectionView<Map<Long, Row>> customers =
        lookupTable(
            pipeline,
            WarehouseTable.SILVER_CUSTOMERS,
            StreamIngestPipeline::enrichmentColumns,
            RowCoder.of(CUSTOMER_ENRICHMENT),
            config,
            state);
    @Nullable PCollectionView<Map<Long, Long>> vipCustomers =
        lookupTable(
            pipeline,
            WarehouseTable.SILVER_VIP_CUSTOMERS,
            vip -> vip.getInt64("lines_in_list"),
            VarLongCoder.of(),
            config,
            state);
    PCollection<Row> enriched =
        pageviews.apply(
            "EnrichPageviews",
            EnrichPageviews.with(customers, vipCustomers, config.latencyAlertMs()));
    // The windowed steps group by event time; the stateful ones (the join, the sessions) keep
    // arrival time and read the event time from the row (see SplitLateEvents).
    PCollection<Row> enrichedInEventTime =
        enriched.apply("StampPageviewsEventTime", StampEventTime.of(lateness));

    write(enrichedInEventTime, WarehouseTable.SILVER_PAGEVIEWS_ENRICHED, config, warehouse);
    write(
        enrichedInEventTime.apply(
            "CountPageviewsByMethod", CountPageviewsByMethod.of().withAllowedLateness(lateness)),
        WarehouseTable.GOLD_PAGEVIEWS_BY_METHOD_5M,
        config,
        warehouse);
    write(
        enrichedInEventTime.apply(
            "RaiseLatencyAlerts", LatencyAlerts.of().withThresholdMs(config.latencyAlertMs())),
        WarehouseTable.OPS_ALERTS,
        config,
        warehouse);
    PCollectionTuple joined =
        PCollectionTuple.of(JoinPageviewsWithRatings.PAGEVIEWS, enriched)
            .and(JoinPageviewsWithRatings.RATINGS, ratings)
            .apply(
                "JoinPageviewsWithRatings",
                JoinPageviewsWithRatings.of()
                    .withAllowedLateness(lateness)
                    .withBatchId(config.runId()));
    deadLetters.add(joined.get(JoinPageviewsWithRatings.DEAD_LETTERS));
    write(
        joined.get(JoinPageviewsWithRatings.PAIRS),
        WarehouseTable.SILVER_PAGEVIEW_RATINGS,
        config,
        warehouse);
    write(
        enriched.apply("BuildSessions", BuildSessions.of().withAllowedLateness(lateness)),
        WarehouseTable.GOLD_SESSIONS,
        config,
        warehouse);

    PCollectionList.of(deadLetters)
        .apply("CollectDeadLetters", Flatten.pCollections())
        .apply("DeadLettersToRows", Convert.toRows())
        .apply(
            "WriteDeadLetters",
            WriteWindowedFiles.to(lake + "/deadletter/stream", WriteWindowedFiles.Format.JSON_LINES)
                .withPrefix(config.runId())
                .withWindow(config.fileWindow())
                .withAllowedLateness(lateness.plus(config.fileWindow())));
  }

  /** The customer columns {@link EnrichPageviews} reads. */
  private static final Schema CUSTOMER_ENRICHMENT =
      WarehouseTable.SILVER_CUSTOMERS.schema().getFields().stream()
          .filter(
              field ->
                  List.of("full_name", "city", "region", "latitude", "longitude")
                      .contains(field.getName()))
          .collect(Schema.toSchema());

  private static Row enrichmentColumns(Row customer) {
    List<Object> values = new java.util.ArrayList<>(CUSTOMER_ENRICHMENT.getFieldCount());
    for (Schema.Field field : CUSTOMER_ENRICHMENT.getFields()) {
      values.add(customer.getValue(field.getName()));
    }
    // The customer row's own values, already of the types a row keeps.
    return Row.withSchema(CUSTOMER_ENRICHMENT).attachValues(values);
  }

  /**
   * Removes duplicates and dead-letters events beyond the allowed lateness; the others stay at
   * their arrival time.
   */
  private static PCollection<Row> onTimeEvents(
      PCollection<Row> events,
      Entity entity,
      @Nullable PCollectionView<Map<String, Boolean>> readBefore,
      Config config,
      List<PCollection<DeadLetter>> late) {
    String name = GeneratePipeline.stepName(entity.tableName());
    DropDuplicateEvents dropDuplicates =
        DropDuplicateEvents.byEventId(entity.tableName(), DEDUPLICATION_MEMORY);
    PCollectionTuple split =
        events
            .apply(
                "Drop" + name + "Duplicates",
                readBefore == null ? dropDuplicates : dropDuplicates.withAlreadySeen(readBefore))
            .apply(
                "Split" + name + "TooLate",
                SplitLateEvents.of(entity.tableName(), config.allowedLateness(), config.runId()));
    late.add(split.get(SplitLateEvents.TOO_LATE));
    return split.get(SplitLateEvents.ON_TIME);
  }

  /**
   * The event ids in the raw capture's last {@value #CAPTURE_WINDOWS_REREAD} one-minute windows:
   * what the previous run read last. A copy of one of those events that arrives after a restart is
   * then still a duplicate, although this run's own memory starts empty.
   *
   * <p>Null when there is no capture yet: a side input made from no elements is never ready on
   * Flink's streaming runner until every source of the job ends, and the deduplication would hold
   * back every event until then.
   */
  private static @Nullable PCollectionView<Map<String, Boolean>> idsReadLast(
      Pipeline pipeline, List<String> files) {
    List<String> windows =
        files.stream()
            .map(f -> f.replaceAll("-p\\d+-\\d+-of-\\d+\\.parquet$", ""))
            .distinct()
            .toList();
    List<String> lastWindows =
        windows.subList(Math.max(0, windows.size() - CAPTURE_WINDOWS_REREAD), windows.size());
    List<PCollection<Row>> recent = new java.util.ArrayList<>();
    for (String file : files) {
      if (lastWindows.stream().anyMatch(file::startsWith)) {
        recent.add(
            pipeline.apply(
                "ReadCapture" + recent.size(), ParquetRows.read(file, StreamMessage.SCHEMA)));
      }
    }
    if (recent.isEmpty()) {
      return null;
    }
    PCollection<Row> messages =
        PCollectionList.of(recent).apply("CollectCapture", Flatten.pCollections());
    return messages
        .apply(
            "EventIdsReadLast",
            FlatMapElements.into(TypeDescriptors.strings())
                .via(
                    message ->
                        ParseStreamMessages.eventId(message.getString(StreamMessage.PAYLOAD))))
        // A copy read twice is one key of the map.
        .apply(
            "KeyIdsReadLast",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.booleans()))
                .via(id -> KV.of(id, true)))
        .apply("IdsReadLast", LookupMapView.of());
  }

  /**
   * A curated table of the lake as a side input, customer id to {@code value} of its row; null,
   * with a warning, when curate has not written it yet (see {@link EnrichPageviews#with}).
   */
  private static <V> @Nullable PCollectionView<Map<Long, V>> lookupTable(
      Pipeline pipeline,
      WarehouseTable table,
      SerializableFunction<Row, V> value,
      Coder<V> valueCoder,
      Config config,
      LakeState state) {
    String step = GeneratePipeline.stepName(table.tableName());
    if (!state.curatedTablesWithFiles().contains(table)) {
      System.err.printf(
          "stream-ingest: %s has no files yet (run ./fakelake curate): pageviews get no %s%n",
          table.qualifiedName(), table == WarehouseTable.SILVER_CUSTOMERS ? "city" : "VIP flag");
      return null;
    }
    return pipeline
        .apply("Read" + step, ParquetRows.read(tableGlob(config.lake(), table), table.schema()))
        .apply(
            "Key" + step,
            MapElements.into(new TypeDescriptor<KV<Long, V>>() {})
                .via((Row row) -> KV.of(row.getInt64("customer_id"), value.apply(row))))
        .setCoder(KvCoder.of(VarLongCoder.of(), valueCoder))
        .apply(step + "ById", LookupMapView.of());
  }

  private static String tableGlob(String lake, WarehouseTable table) {
    return lake + "/" + table.dataset() + "/" + table.tableName() + "/*.parquet";
  }

  /** Writes a table's rows: windowed files in the lake for DuckDB, or BigQuery's write API. */
  private static void write(
      PCollection<Row> rows, WarehouseTable table, Config config, WarehouseOptions warehouse) {
    String step = GeneratePipeline.stepName(table.dataset() + "_" + table.tableName());
    if (config.bigQuery()) {
      rows.apply("Write" + step + "ToBigQuery", WriteToBigQuery.table(table, warehouse));
      return;
    }
    String folder = config.lake() + "/" + table.dataset() + "/" + table.tableName();
    WriteWindowedFiles.Format format =
        table.dataset().equals("ops")
            ? WriteWindowedFiles.Format.JSON_LINES
            : WriteWindowedFiles.Format.PARQUET;
    rows.apply(
        "Write" + step,
        WriteWindowedFiles.to(folder, format)
            .withPrefix(config.runId())
            .withWindow(config.fileWindow())
            .withAllowedLateness(config.allowedLateness().plus(config.fileWindow())));
  }

  static String render(Summary summary) {
    StringBuilder out = new StringBuilder("stream-ingest: " + summary.stream() + "\n");
    summary
        .counters()
        .forEach(
            (name, value) -> {
              if (!name.startsWith(CountPageviewsByMethod.LATENCY_HISTOGRAM + "_")) {
                out.append(String.format("  %-36s %,12d%n", name, value));
              }
            });
    out.append(
        "  event-to-aggregate latency: "
            + LatencyHistogram.summary(summary.counters(), CountPageviewsByMethod.LATENCY_HISTOGRAM)
            + "\n");
    summary
        .rows()
        .forEach(
            (table, rows) ->
                out.append(String.format("  %-36s %,12d rows%n", table.qualifiedName(), rows)));
    return out.toString();
  }

  private StreamIngestPipeline() {}
}
