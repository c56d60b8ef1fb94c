package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Order;
import dev.fakelake.schemas.OrderItem;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.generate.GenerateLandingFiles;
import dev.fakelake.transforms.generate.GenerateOrders;
import dev.fakelake.transforms.generate.GenerationSpec;
import dev.fakelake.transforms.io.JdbcTables;
import dev.fakelake.transforms.io.JsonRecords;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
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
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Generates the synthetic e-shop and car-marketplace data set into the landing zone: JSON Lines
 * files, one JSON file per product, car listing batches, a pageview and rating backfill, and the
 * orders and order items in the source PostgreSQL database. The dirt it injects on purpose is
 * recorded under {@code _truth/}.
 *
 * <pre>{@code
 * ./fakelake generate --scale=2 --locale=de --seed=7
 * mvn -pl pipelines exec:java -Dexec.mainClass=dev.fakelake.pipelines.GeneratePipeline \
 *     -Dexec.args="--lake=./fakelake-data --scale=0.5"
 * }</pre>
 */
public class GeneratePipeline {

  /** Where orders and order items live in the source database. */
  public static final String ORDERS_TABLE = "shop.orders";

  public static final String ORDER_ITEMS_TABLE = "shop.order_items";

  /**
   * The settings the lake's data set was generated with ({@code seed}, {@code scale}, {@code
   * locale}, {@code start_date}, {@code days}), so that later commands can say what the lake holds.
   */
  public static final String GENERATION_RECORD = "_truth/generation.json";

  /** Options of the generate pipeline. */
  public interface Options extends FakelakeOptions, SourceDatabaseOptions {

    @Description(
        "Entities to generate, comma separated, or 'all'. Known: "
            + "customers, vip_customers, products, orders (with order_items), pageviews, ratings, car_listings.")
    @Default.String("all")
    String getEntities();

    void setEntities(String value);

    @Description("Customers to generate; 2,000 x scale when not given.")
    @Nullable Long getCustomers();

    void setCustomers(@Nullable Long value);

    @Description(
        "Lines of the VIP list, drawn from customers with repeats; 250 x scale when not given.")
    @Nullable Long getVipCustomers();

    void setVipCustomers(@Nullable Long value);

    @Description("Products, one JSON file each; 300 x scale when not given.")
    @Nullable Long getProducts();

    void setProducts(@Nullable Long value);

    @Description(
        "Orders in the source database, each with 1-5 items; 5,000 x scale when not given.")
    @Nullable Long getOrders();

    void setOrders(@Nullable Long value);

    @Description("Pageviews of the batch backfill; 100,000 x scale when not given.")
    @Nullable Long getPageviews();

    void setPageviews(@Nullable Long value);

    @Description("Ratings of the batch backfill; 10,000 x scale when not given.")
    @Nullable Long getRatings();

    void setRatings(@Nullable Long value);

    @Description("Car listings; 5,000 x scale when not given.")
    @Nullable Long getCarListings();

    void setCarListings(@Nullable Long value);

    @Description("Files the car listings arrive in, as if delivered over time.")
    @Default.Integer(5)
    int getCarListingBatches();

    void setCarListingBatches(int value);

    @Description("First day (UTC, yyyy-mm-dd) the orders, events and listings cover.")
    @Default.String("2026-01-01")
    String getStartDate();

    void setStartDate(String value);

    @Description("Days the orders, events and listings cover.")
    @Default.Integer(90)
    int getDays();

    void setDays(int value);

    @Description("Share of records with a missing field (0 to 0.5).")
    @Default.Double(0.01)
    double getMissingFieldRate();

    void setMissingFieldRate(double value);

    @Description("Share of pageviews with an absurd latency (0 to 0.5).")
    @Default.Double(0.01)
    double getLatencyOutlierRate();

    void setLatencyOutlierRate(double value);

    @Description("Share of records delivered twice (0 to 0.5).")
    @Default.Double(0.01)
    double getDuplicateRate();

    void setDuplicateRate(double value);

    @Description("Share of events hours late (0 to 0.5).")
    @Default.Double(0.01)
    double getLateEventRate();

    void setLateEventRate(double value);

    @Description("Share of events minutes out of order (0 to 0.5).")
    @Default.Double(0.01)
    double getOutOfOrderRate();

    void setOutOfOrderRate(double value);

    @Description("Share of lines or files that are broken JSON (0 to 0.5).")
    @Default.Double(0.01)
    double getMalformedRate();

    void setMalformedRate(double value);

    @Description("Share of records with a value of the wrong type (0 to 0.5).")
    @Default.Double(0.01)
    double getWrongTypeRate();

    void setWrongTypeRate(double value);

    @Description("Share of order items whose order does not exist (0 to 0.5).")
    @Default.Double(0.01)
    double getOrphanRate();

    void setOrphanRate(double value);
  }

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    PipelineResult result = run(options);
    if (PipelineRuns.isTemplateLaunch(options)) {
      System.out.print(PipelineRuns.submitted("generate", options));
    } else {
      System.out.println(GenerateSummary.of(result, options).render());
    }
  }

  /**
   * Runs the pipeline to completion and returns its result; under a template launch, returns once
   * the job is written (see {@link PipelineRuns}). The job itself removes what an earlier generate
   * wrote and empties the source tables, before it writes anything.
   */
  public static PipelineResult run(Options options) {
    GenerationSpec spec = spec(options);
    Set<Entity> entities = entities(options.getEntities());
    boolean needsDatabase = entities.contains(Entity.ORDERS);
    try (SourceDatabase database =
        needsDatabase ? SourceDatabase.open(options, options.getLake()) : null) {
      if (database != null) {
        prepareTables(database);
      }
      Pipeline pipeline = Pipeline.create(options);
      build(pipeline, options.getLake(), spec, entities, database);
      PipelineResult result = PipelineRuns.run(pipeline);
      writeGenerationRecord(options);
      return result;
    }
  }

  /** Records the settings of the run at {@link #GENERATION_RECORD}, replacing the last one. */
  static void writeGenerationRecord(Options options) {
    ObjectNode record = new ObjectMapper().createObjectNode();
    record.put("seed", options.getSeed());
    record.put("scale", options.getScale());
    record.put("locale", options.getLocale());
    record.put("start_date", options.getStartDate());
    record.put("days", options.getDays());
    LakeFiles.write(options.getLake() + "/" + GENERATION_RECORD, record.toString() + "\n");
  }

  /**
   * Adds the generate graph to {@code pipeline}; tests use it to run on TestPipeline. Its first
   * step removes what an earlier generate wrote for these entities and empties the source tables;
   * every write waits for it.
   */
  public static void build(
      Pipeline pipeline,
      String lake,
      GenerationSpec spec,
      Set<Entity> entities,
      @Nullable SourceDatabase database) {
    PCollection<String> cleared =
        pipeline
            .apply("ListPreviousOutput", Create.of(previousOutput(lake, entities)))
            .apply(
                "ClearPreviousOutput",
                ParDo.of(
                    new ClearPreviousOutputFn(
                        entities.contains(Entity.ORDERS) && database != null
                            ? database.dataSource()
                            : null)));
    List<PCollection<Defect>> truth = new ArrayList<>();
    for (Entity entity : entities) {
      String folder = landingFolder(lake, entity);
      switch (entity) {
        case CUSTOMERS, VIP_CUSTOMERS, PRODUCTS, PAGEVIEWS, RATINGS ->
            truth.add(
                pipeline.apply(
                    "Generate" + stepName(entity.tableName()),
                    GenerateLandingFiles.of(spec, entity, folder).after(cleared)));
        case CAR_LISTINGS -> {
          long count = spec.count(entity);
          int batches = spec.carListingBatches();
          for (int batch = 0; batch < batches; batch++) {
            truth.add(
                pipeline.apply(
                    "GenerateCarListingsBatch" + (batch + 1),
                    GenerateLandingFiles.range(
                            spec,
                            entity,
                            count * batch / batches,
                            count * (batch + 1) / batches,
                            folder,
                            String.format("batch-%04d", batch + 1))
                        .after(cleared)));
          }
        }
        case ORDERS -> {
          if (database == null) {
            throw new IllegalArgumentException("Orders need a source database");
          }
          PCollectionTuple orders = pipeline.apply("GenerateOrders", GenerateOrders.of(spec));
          orders
              .get(GenerateOrders.ORDERS)
              .apply("WaitForEmptyOrders", Wait.on(cleared))
              .apply(
                  "WriteOrdersToSourceDatabase",
                  JdbcTables.write(
                      database.dataSource(), Order.class, ORDERS_TABLE, List.of("order_id")));
          orders
              .get(GenerateOrders.ORDER_ITEMS)
              .apply("WaitForEmptyOrderItems", Wait.on(cleared))
              .apply(
                  "WriteOrderItemsToSourceDatabase",
                  JdbcTables.write(
                      database.dataSource(),
                      OrderItem.class,
                      ORDER_ITEMS_TABLE,
                      List.of("order_id", "line_no")));
          truth.add(orders.get(GenerateOrders.TRUTH));
        }
        case ORDER_ITEMS -> {
          // Generated with their orders.
        }
      }
    }
    if (!truth.isEmpty()) {
      PCollectionList.of(truth)
          .apply("CollectTruth", Flatten.pCollections())
          .apply("WaitForClearedTruth", Wait.on(cleared))
          .apply(
              "WriteTruth",
              FileIO.<String, Defect>writeDynamic()
                  .by(Defect::getEntity)
                  .withDestinationCoder(StringUtf8Coder.of())
                  .via(Contextful.fn(JsonRecords.formatter(Defect.class)), TextIO.sink())
                  .to(lake + "/_truth")
                  .withNaming(entity -> FileIO.Write.defaultNaming(entity + "/defects", ".jsonl")));
    }
  }

  public static String landingFolder(String lake, Entity entity) {
    return lake + "/landing/" + entity.tableName();
  }

  /** A step name part from a snake_case name: {@code car_listings} becomes {@code CarListings}. */
  static String stepName(String snakeCase) {
    StringBuilder name = new StringBuilder();
    for (String part : snakeCase.split("_")) {
      name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return name.toString();
  }

  /** Turns the options into a validated spec, with a clear message for every bad value. */
  public static GenerationSpec spec(Options options) {
    double scale = options.getScale();
    if (!(scale > 0 && scale <= 10_000)) {
      throw new IllegalArgumentException("--scale must be above 0 and at most 10000, got " + scale);
    }
    LocalDate startDate;
    try {
      startDate = LocalDate.parse(options.getStartDate());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--startDate must be a date like 2026-01-01, got '" + options.getStartDate() + "'");
    }
    GenerationSpec.Builder builder =
        GenerationSpec.defaults(scale)
            .setSeed(options.getSeed())
            .setLocale(options.getLocale())
            .setStartDate(startDate)
            .setDays(options.getDays())
            .setCarListingBatches(options.getCarListingBatches());
    count(builder, Entity.CUSTOMERS, options.getCustomers());
    count(builder, Entity.VIP_CUSTOMERS, options.getVipCustomers());
    count(builder, Entity.PRODUCTS, options.getProducts());
    count(builder, Entity.ORDERS, options.getOrders());
    count(builder, Entity.PAGEVIEWS, options.getPageviews());
    count(builder, Entity.RATINGS, options.getRatings());
    count(builder, Entity.CAR_LISTINGS, options.getCarListings());
    builder
        .rate(DefectKind.MISSING_FIELD, options.getMissingFieldRate())
        .rate(DefectKind.LATENCY_OUTLIER, options.getLatencyOutlierRate())
        .rate(DefectKind.DUPLICATE, options.getDuplicateRate())
        .rate(DefectKind.LATE_EVENT, options.getLateEventRate())
        .rate(DefectKind.OUT_OF_ORDER, options.getOutOfOrderRate())
        .rate(DefectKind.MALFORMED, options.getMalformedRate())
        .rate(DefectKind.WRONG_TYPE, options.getWrongTypeRate())
        .rate(DefectKind.ORPHAN, options.getOrphanRate());
    return builder.build();
  }

  private static void count(GenerationSpec.Builder builder, Entity entity, @Nullable Long count) {
    if (count != null) {
      builder.count(entity, count);
    }
  }

  /** Parses {@code all} or a comma-separated list of entity names. */
  public static Set<Entity> entities(String option) {
    Set<Entity> entities = EnumSet.noneOf(Entity.class);
    if (option.trim().equalsIgnoreCase("all")) {
      entities.addAll(Arrays.asList(Entity.values()));
    } else {
      for (String name : option.split(",")) {
        entities.add(Entity.fromTableName(name));
      }
    }
    if (entities.contains(Entity.ORDER_ITEMS)) {
      entities.add(Entity.ORDERS);
    }
    return entities;
  }

  /**
   * Creates the source tables if needed; the job empties them ({@link ClearPreviousOutputFn}), so
   * that a launch that never runs leaves them as they were.
   */
  static void prepareTables(SourceDatabase database) {
    database.execute(
        "CREATE SCHEMA IF NOT EXISTS shop",
        JdbcTables.createTableSql(
            ORDERS_TABLE, WarehouseTable.entitySchema(Order.class), List.of("order_id")),
        JdbcTables.createTableSql(
            ORDER_ITEMS_TABLE,
            WarehouseTable.entitySchema(OrderItem.class),
            List.of("order_id", "line_no")));
  }

  /** The files an earlier generate wrote for these entities, as globs. */
  static List<String> previousOutput(String lake, Set<Entity> entities) {
    List<String> globs = new ArrayList<>();
    for (Entity entity : entities) {
      globs.add(landingFolder(lake, entity) + "/*");
      globs.add(lake + "/_truth/" + entity.tableName() + "/*");
    }
    return globs;
  }

  /**
   * Removes the files matching each glob, and empties the source tables when it has their database:
   * generate lands the source afresh, and no stale file or row survives. It runs in the job, before
   * any write, so that nothing is removed unless the job runs.
   */
  private static class ClearPreviousOutputFn extends DoFn<String, String> {
    private final @Nullable SourceDataSource database;

    ClearPreviousOutputFn(@Nullable SourceDataSource database) {
      this.database = database;
    }

    @StartBundle
    public void emptySourceTables() throws SQLException {
      if (database == null) {
        return;
      }
      // TRUNCATE is idempotent: a retried bundle empties the tables again before any write.
      try (Connection connection = database.apply(null).getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("TRUNCATE " + ORDERS_TABLE + ", " + ORDER_ITEMS_TABLE);
      }
    }

    @ProcessElement
    public void process(@Element String glob, OutputReceiver<String> out) {
      LakeFiles.delete(LakeFiles.match(glob));
      out.output(glob);
    }
  }

  private GeneratePipeline() {}
}
