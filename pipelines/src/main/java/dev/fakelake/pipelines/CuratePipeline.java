package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.SourceKind;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.BuildGoldTables;
import dev.fakelake.transforms.clean.ConformRecords;
import dev.fakelake.transforms.clean.Deduplicate;
import dev.fakelake.transforms.clean.JoinOrders;
import dev.fakelake.transforms.clean.MeasureLateness;
import dev.fakelake.transforms.features.BuildMlFeatures;
import dev.fakelake.transforms.generate.Cities;
import dev.fakelake.transforms.generate.City;
import dev.fakelake.transforms.generate.LiveProgress;
import dev.fakelake.transforms.generate.Locales;
import dev.fakelake.transforms.ingest.SourceSpec;
import dev.fakelake.transforms.io.JsonRecords;
import dev.fakelake.transforms.io.ParquetRows;
import dev.fakelake.transforms.quality.ScoreQuality;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Curates bronze into silver and gold: deduplicates by natural key or event id, conforms types,
 * repairs and flags defects, enriches (calendar, day or night at the customer's city from sunrise
 * and sunset, VIP flag, joins), builds the gold aggregates and ML features, scores what it detected
 * against the ground truth in {@code _truth/}, and loads the warehouse. Silver and gold are rebuilt
 * from all of bronze on every run; once a table's files are written, the job removes those of the
 * previous run that it did not overwrite.
 *
 * <pre>{@code
 * ./fakelake curate
 * ./fakelake curate --runner=FlinkRunner --latencyCapMs=3000
 * }</pre>
 */
public class CuratePipeline {

  /** Options of the curate pipeline. */
  public interface Options extends FakelakeOptions, WarehouseOptions {

    @Description("Sources file ingest used, to know each bronze folder's entity; empty = bundled.")
    @Default.String("")
    String getSources();

    void setSources(String value);

    @Description("Pageview latency above this many ms is an outlier, flagged and capped to it.")
    @Default.Integer(5_000)
    int getLatencyCapMs();

    void setLatencyCapMs(int value);

    @Description("An event this many minutes behind those delivered before it arrived late.")
    @Default.Integer(60)
    int getLateAfterMinutes();

    void setLateAfterMinutes(int value);
  }

  /** What a run produced: rows per table and the quality scores. */
  public record Summary(Map<WarehouseTable, Long> rows, List<Row> scores, long quarantined) {}

  static final String COUNTER_NAMESPACE = "curate.rows";

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    if (PipelineRuns.isTemplateLaunch(options)) {
      start(options, Instant.now());
      System.out.print(PipelineRuns.submitted("curate", options));
    } else {
      System.out.print(render(run(options)));
    }
  }

  /** Runs the pipeline to completion, loads the DuckDB warehouse, and reports. */
  public static Summary run(Options options) {
    Instant scoredAt = Instant.now();
    PipelineResult result = start(options, scoredAt);
    String lake = options.getLake();
    Map<String, Long> counters = PipelineMetrics.counters(result, COUNTER_NAMESPACE);
    Map<WarehouseTable, Long> rows = new LinkedHashMap<>();
    for (WarehouseTable table : curatedTables()) {
      rows.put(table, counters.getOrDefault(table.qualifiedName(), 0L));
    }
    List<Row> scores = OpsRows.read(lake, WarehouseTable.OPS_QUALITY_SCORES, runId(scoredAt));
    if (!Warehouses.isBigQuery(options)) {
      Set<WarehouseTable> load = new java.util.HashSet<>(curatedTables());
      load.add(WarehouseTable.OPS_QUALITY_SCORES);
      DuckDbWarehouse.load(lake, load);
    }
    long quarantined =
        PipelineMetrics.counters(result, "curate").entrySet().stream()
            .filter(e -> e.getKey().endsWith("quarantined") || e.getKey().endsWith("orphans"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    return new Summary(rows, scores, quarantined);
  }

  /** The run's id: its quality scores are {@code ops/quality_scores/RUN.jsonl}. */
  static String runId(Instant scoredAt) {
    return "c" + scoredAt.getMillis();
  }

  /**
   * Checks the options and the lake, builds the graph and runs it (see {@link PipelineRuns}): to
   * completion, or under a template launch until the job is written.
   */
  private static PipelineResult start(Options options, Instant scoredAt) {
    WarehouseOptions.validate(options);
    if (options.getLatencyCapMs() < 1 || options.getLateAfterMinutes() < 1) {
      throw new IllegalArgumentException("--latencyCapMs and --lateAfterMinutes must be positive");
    }
    String lake = options.getLake();
    IngestBatch unfinished = IngestLedger.open(lake).pending();
    if (unfinished != null) {
      // Its bronze files may be only some of the batch's: reading them would curate half a batch.
      throw new IllegalStateException(
          "ingest batch "
              + unfinished.batchId()
              + " did not finish, and curate reads only complete batches: run ./fakelake ingest"
              + " again to redo it, then curate");
    }
    List<SourceSpec> sources = SourcesFile.load(options.getSources());
    Pipeline pipeline = Pipeline.create(options);
    build(
        pipeline,
        lake,
        sources,
        regionOfCity(options.getLocale()),
        LocalDate.now(ZoneOffset.UTC),
        options.getLatencyCapMs(),
        options.getLateAfterMinutes() * 60_000L,
        scoredAt,
        runId(scoredAt),
        Warehouses.isBigQuery(options) ? options : null);
    return PipelineRuns.run(pipeline);
  }

  /** The silver and gold tables curate rebuilds: not the ops tables, nor the stream's. */
  static List<WarehouseTable> curatedTables() {
    return java.util.Arrays.stream(WarehouseTable.values())
        .filter(t -> !t.dataset().equals("ops") && !t.isStreamed())
        .toList();
  }

  /**
   * Adds the curate graph to {@code pipeline}; {@code bigQuery} is null for the DuckDB warehouse.
   */
  public static void build(
      Pipeline pipeline,
      String lake,
      List<SourceSpec> sources,
      Map<String, String> regionOfCity,
      LocalDate today,
      int latencyCapMs,
      long lateAfterMs,
      Instant scoredAt,
      String runId,
      @Nullable WarehouseOptions bigQuery) {
    Map<Entity, PCollection<Row>> unique = new EnumMap<>(Entity.class);
    List<PCollection<Defect>> detections = new ArrayList<>();
    List<PCollection<DeadLetter>> quarantine = new ArrayList<>();
    Map<Entity, PCollection<Row>> bronze = new EnumMap<>(Entity.class);
    for (Entity entity : Entity.values()) {
      String step = GeneratePipeline.stepName(entity.tableName());
      PCollection<Row> rows = readBronze(pipeline, lake, sources, entity, step);
      bronze.put(entity, rows);
      if (entity == Entity.PAGEVIEWS) {
        // Measured on bronze, in delivery order, before duplicates are dropped.
        rows = rows.apply("MeasurePageviewLateness", MeasureLateness.bySession("session_id"));
      }
      boolean reportDuplicates =
          entity.sourceKind() != SourceKind.JDBC_TABLE && entity != Entity.VIP_CUSTOMERS;
      PCollectionTuple deduplicated =
          rows.apply("Deduplicate" + step, Deduplicate.of(entity, reportDuplicates));
      unique.put(entity, deduplicated.get(Deduplicate.UNIQUE));
      detections.add(deduplicated.get(Deduplicate.DUPLICATES));
    }

    Map<WarehouseTable, PCollection<Row>> silver = new EnumMap<>(WarehouseTable.class);
    PCollection<Row> vip =
        bronze
            .get(Entity.VIP_CUSTOMERS)
            .apply(
                "KeyVipLines",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via(row -> KV.of(row.getInt64("customer_id"), 1L)))
            .apply("CountVipLines", Count.perKey())
            .apply(
                "ToSilverVipCustomers",
                MapElements.into(TypeDescriptors.rows())
                    .via(
                        kv ->
                            Row.withSchema(WarehouseTable.SILVER_VIP_CUSTOMERS.schema())
                                .addValues(kv.getKey(), kv.getValue())
                                .build()))
            .setRowSchema(WarehouseTable.SILVER_VIP_CUSTOMERS.schema());
    silver.put(WarehouseTable.SILVER_VIP_CUSTOMERS, vip);
    PCollectionView<Map<Long, Long>> vipLines =
        vip.apply(
                "KeyVipById",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via(row -> KV.of(row.getInt64("customer_id"), row.getInt64("lines_in_list"))))
            .apply("VipById", View.asMap());

    PCollectionTuple customers =
        unique
            .get(Entity.CUSTOMERS)
            .apply("CurateCustomers", ConformRecords.customers(vipLines, regionOfCity, today));
    collect(customers, WarehouseTable.SILVER_CUSTOMERS, silver, detections, quarantine);
    PCollectionView<Map<Long, Row>> customerById =
        byId(customers.get(ConformRecords.SILVER), "customer_id", "Customers");

    PCollectionTuple products =
        unique.get(Entity.PRODUCTS).apply("CurateProducts", ConformRecords.products());
    collect(products, WarehouseTable.SILVER_PRODUCTS, silver, detections, quarantine);
    PCollectionView<Map<Long, Row>> productById =
        byId(products.get(ConformRecords.SILVER), "product_id", "Products");

    PCollectionTuple pageviews =
        unique
            .get(Entity.PAGEVIEWS)
            .apply(
                "CuratePageviews",
                ConformRecords.pageviews(customerById, latencyCapMs, lateAfterMs));
    collect(pageviews, WarehouseTable.SILVER_PAGEVIEWS, silver, detections, quarantine);

    PCollectionTuple ratings =
        unique
            .get(Entity.RATINGS)
            .apply("CurateRatings", ConformRecords.ratings(customerById, productById));
    collect(ratings, WarehouseTable.SILVER_RATINGS, silver, detections, quarantine);

    PCollectionTuple listings =
        unique.get(Entity.CAR_LISTINGS).apply("CurateCarListings", ConformRecords.carListings());
    collect(listings, WarehouseTable.SILVER_CAR_LISTINGS, silver, detections, quarantine);

    PCollectionTuple orders =
        PCollectionTuple.of(JoinOrders.ORDERS, unique.get(Entity.ORDERS))
            .and(JoinOrders.ITEMS, unique.get(Entity.ORDER_ITEMS))
            .apply("CurateOrders", JoinOrders.with(customerById, productById));
    silver.put(WarehouseTable.SILVER_ORDERS, orders.get(JoinOrders.SILVER_ORDERS));
    silver.put(WarehouseTable.SILVER_ORDER_ITEMS, orders.get(JoinOrders.SILVER_ORDER_ITEMS));
    detections.add(orders.get(ConformRecords.DETECTIONS));
    quarantine.add(orders.get(ConformRecords.QUARANTINE));

    PCollectionTuple silverTuple = PCollectionTuple.empty(pipeline);
    for (Map.Entry<WarehouseTable, PCollection<Row>> table : silver.entrySet()) {
      silverTuple = silverTuple.and(BuildGoldTables.tag(table.getKey()), table.getValue());
    }
    PCollectionTuple gold = silverTuple.apply("BuildGoldTables", BuildGoldTables.of());
    Map<WarehouseTable, PCollection<Row>> curated = new EnumMap<>(WarehouseTable.class);
    curated.putAll(silver);
    for (WarehouseTable table : curatedTables()) {
      if (table.dataset().equals("gold") && table != WarehouseTable.GOLD_ML_FEATURES) {
        curated.put(table, gold.get(BuildGoldTables.tag(table)));
      }
    }
    curated.put(
        WarehouseTable.GOLD_ML_FEATURES,
        silver.get(WarehouseTable.SILVER_ORDERS).apply("BuildMlFeatures", BuildMlFeatures.of()));

    for (Map.Entry<WarehouseTable, PCollection<Row>> entry : curated.entrySet()) {
      WarehouseTable table = entry.getKey();
      String step = GeneratePipeline.stepName(table.dataset() + "_" + table.tableName());
      PCollection<Row> counted =
          entry
              .getValue()
              .apply("Count" + step, ParDo.of(new CountRowsFn(table)))
              .setRowSchema(table.schema());
      String folder = lake + "/" + table.dataset() + "/" + table.tableName();
      counted
          .apply("Write" + step + "ToLake", ParquetRows.write(folder, "part"))
          .getPerDestinationOutputFilenames()
          .apply("Name" + step + "Files", Values.create())
          .apply("RemoveStale" + step + "Files", RemoveStaleFiles.matching(folder + "/*"));
      if (bigQuery != null) {
        counted.apply("Write" + step + "ToBigQuery", WriteToBigQuery.table(table, bigQuery));
      }
    }

    detections.add(deadLetterDetections(pipeline, lake, sources));
    PCollection<Row> scores =
        PCollectionTuple.of(ScoreQuality.TRUTH, readTruth(pipeline, lake))
            .and(
                ScoreQuality.DETECTED,
                PCollectionList.of(detections).apply("CollectDetections", Flatten.pCollections()))
            .apply("ScoreQuality", ScoreQuality.of(scoredAt));
    scores
        .apply(
            "FormatScores",
            MapElements.into(TypeDescriptors.strings()).via(JsonRecords.rowFormatter()))
        .apply(
            "WriteScores",
            TextIO.write()
                .to(OpsRows.folder(lake, WarehouseTable.OPS_QUALITY_SCORES) + "/" + runId)
                .withSuffix(".jsonl")
                .withoutSharding());
    if (bigQuery != null) {
      scores.apply(
          "WriteScoresToBigQuery",
          WriteToBigQuery.table(WarehouseTable.OPS_QUALITY_SCORES, bigQuery));
    }

    PCollectionList.of(quarantine)
        .apply("CollectQuarantine", Flatten.pCollections())
        .apply(
            "WriteQuarantine", IngestPipeline.writeBySource(lake + "/silver/_quarantine", "/part"))
        .getPerDestinationOutputFilenames()
        .apply("NameQuarantineFiles", Values.create())
        .apply(
            "RemoveStaleQuarantineFiles",
            RemoveStaleFiles.matching(lake + "/silver/_quarantine/*/*"));
  }

  private static PCollection<Row> readBronze(
      Pipeline pipeline, String lake, List<SourceSpec> sources, Entity entity, String step) {
    Schema schema = Bronze.schema(entity);
    List<PCollection<Row>> parts = new ArrayList<>();
    for (SourceSpec source : sources) {
      if (source.entity() == entity) {
        parts.add(
            pipeline.apply(
                "ReadBronze" + GeneratePipeline.stepName(source.name()),
                ParquetRows.read(lake + "/bronze/" + source.name() + "/*/*.parquet", schema)));
      }
    }
    if (parts.isEmpty()) {
      return pipeline.apply("No" + step, Create.empty(schema));
    }
    return PCollectionList.of(parts)
        .apply("Collect" + step, Flatten.pCollections())
        .setRowSchema(schema);
  }

  private static void collect(
      PCollectionTuple conformed,
      WarehouseTable table,
      Map<WarehouseTable, PCollection<Row>> silver,
      List<PCollection<Defect>> detections,
      List<PCollection<DeadLetter>> quarantine) {
    silver.put(table, conformed.get(ConformRecords.SILVER));
    detections.add(conformed.get(ConformRecords.DETECTIONS));
    quarantine.add(conformed.get(ConformRecords.QUARANTINE));
  }

  private static PCollectionView<Map<Long, Row>> byId(
      PCollection<Row> rows, String idField, String name) {
    return rows.apply(
            "Key" + name + "ById",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.rows()))
                .via(row -> KV.of(row.getInt64(idField), row)))
        .setCoder(
            KvCoder.of(VarLongCoder.of(), org.apache.beam.sdk.coders.RowCoder.of(rows.getSchema())))
        .apply(name + "ById", View.asMap());
  }

  /** Ingest's dead letters are detections too: broken JSON and values of the wrong type. */
  private static PCollection<Defect> deadLetterDetections(
      Pipeline pipeline, String lake, List<SourceSpec> sources) {
    Map<String, String> entityOfSource = new HashMap<>();
    sources.forEach(s -> entityOfSource.put(s.name(), s.entity().tableName()));
    return pipeline
        .apply(
            "ReadDeadLetters",
            TextIO.read()
                .from(lake + "/deadletter/*/*/*.jsonl")
                .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("DeadLettersToDetections", ParDo.of(new DeadLetterToDefectFn(entityOfSource)));
  }

  private static PCollection<Defect> readTruth(Pipeline pipeline, String lake) {
    return pipeline
        .apply(
            "ReadTruth",
            TextIO.read()
                .from(lake + "/_truth/*/*.jsonl")
                .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("ParseTruth", ParDo.of(new TruthToDefectFn()));
  }

  private static class DeadLetterToDefectFn extends DoFn<String, Defect> {
    private final Map<String, String> entityOfSource;
    // Not serializable; made per DoFn instance.
    private transient ObjectMapper mapper;

    DeadLetterToDefectFn(Map<String, String> entityOfSource) {
      this.entityOfSource = entityOfSource;
    }

    @Setup
    public void setup() {
      mapper = new ObjectMapper();
    }

    @ProcessElement
    public void process(@Element String line, OutputReceiver<Defect> out) throws Exception {
      JsonNode letter = mapper.readTree(line);
      String entity = entityOfSource.get(letter.path("source").asText());
      JsonNode key = letter.get("record_key");
      if (entity == null || key == null || key.isNull()) {
        return;
      }
      DefectKind kind =
          switch (letter.path("error").asText()) {
            case "malformed_json" -> DefectKind.MALFORMED;
            case "wrong_type" -> DefectKind.WRONG_TYPE;
            default -> null;
          };
      if (kind != null) {
        out.output(Defect.of(Entity.fromTableName(entity), key.asText(), kind));
      }
    }
  }

  private static class TruthToDefectFn extends DoFn<String, Defect> {
    // Not serializable; made per DoFn instance.
    private transient ObjectMapper mapper;

    @Setup
    public void setup() {
      mapper = new ObjectMapper();
    }

    @ProcessElement
    public void process(@Element String line, OutputReceiver<Defect> out) throws Exception {
      JsonNode truth = mapper.readTree(line);
      JsonNode field = truth.get("field");
      out.output(
          Defect.of(
              Entity.fromTableName(truth.get("entity").asText()),
              truth.get("key").asText(),
              DefectKind.valueOf(truth.get("defect").asText().toUpperCase(java.util.Locale.ROOT)),
              field == null || field.isNull() ? null : field.asText()));
    }
  }

  private static class CountRowsFn extends DoFn<Row, Row> {
    private final String table;
    private final Counter rows;

    CountRowsFn(WarehouseTable table) {
      this.table = table.qualifiedName();
      this.rows = Metrics.counter(COUNTER_NAMESPACE, table.qualifiedName());
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) {
      rows.inc();
      // The command's progress line: silver and gold rows written so far.
      LiveProgress.add(table, 1);
      out.output(row);
    }
  }

  /** City name to region, from the city table of the data set's locale. */
  static Map<String, String> regionOfCity(String locale) {
    Map<String, String> regions = new TreeMap<>();
    for (City city : Cities.forLocale(Locales.parse(locale))) {
      regions.put(city.name(), city.region());
    }
    return regions;
  }

  static String render(Summary summary) {
    StringBuilder out = new StringBuilder("curate: tables\n");
    summary
        .rows()
        .forEach(
            (table, rows) ->
                out.append(String.format("  %-28s %,12d rows%n", table.qualifiedName(), rows)));
    out.append(
        String.format(
            "  %,d rows quarantined (silver/_quarantine/): orphans and rows with no valid key%n",
            summary.quarantined()));
    out.append("curate: data quality against the ground truth (ops.quality_scores)\n");
    out.append(ScoreQuality.formatTable(summary.scores()));
    return out.toString();
  }

  private CuratePipeline() {}
}
