package dev.fakelake.schemas;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Every table the pipelines own in the warehouse: its dataset, name, Beam schema, and how it is
 * partitioned and clustered on BigQuery. Silver schemas extend the entity schemas with the columns
 * curate adds, so a field renamed in an entity is renamed everywhere.
 */
public enum WarehouseTable {
  SILVER_CUSTOMERS(
      "silver",
      "customers",
      extend(
          Customer.class,
          nullable("email", "phone", "region"),
          Field.of("full_name", FieldType.STRING),
          Field.of("birth_date", FieldType.logicalType(SqlTypes.DATE)),
          Field.of("age", FieldType.INT32),
          Field.of("age_band", FieldType.STRING),
          Field.of("is_vip", FieldType.BOOLEAN),
          Field.of("region_repaired", FieldType.BOOLEAN),
          Field.nullable("missing_fields", FieldType.STRING)),
      null,
      List.of("region", "city")),
  SILVER_VIP_CUSTOMERS(
      "silver",
      "vip_customers",
      extend(VipCustomer.class, List.of(), Field.of("lines_in_list", FieldType.INT64)),
      null,
      List.of()),
  SILVER_PRODUCTS(
      "silver",
      "products",
      extend(
          Product.class,
          nullable("material", "description"),
          Field.of("category_group", FieldType.STRING),
          Field.nullable("missing_fields", FieldType.STRING)),
      null,
      List.of("category_group")),
  SILVER_ORDERS(
      "silver",
      "orders",
      extend(
          Order.class,
          List.of(),
          Field.of("order_date", FieldType.logicalType(SqlTypes.DATE)),
          Field.of("item_count", FieldType.INT32),
          Field.of("units", FieldType.INT32),
          Field.of("total_amount", FieldType.DOUBLE),
          Field.nullable("main_category", FieldType.STRING),
          Field.nullable("customer_city", FieldType.STRING),
          Field.nullable("customer_region", FieldType.STRING),
          Field.nullable("customer_age_band", FieldType.STRING),
          Field.of("is_vip", FieldType.BOOLEAN),
          Field.of("day_of_week", FieldType.STRING),
          Field.of("hour_band", FieldType.STRING),
          Field.nullable("is_daylight", FieldType.BOOLEAN),
          Field.nullable("missing_fields", FieldType.STRING)),
      "created_at",
      List.of("status", "customer_id")),
  SILVER_ORDER_ITEMS(
      "silver",
      "order_items",
      extend(
          OrderItem.class,
          List.of(),
          Field.of("customer_id", FieldType.INT64),
          Field.of("order_status", FieldType.STRING),
          Field.of("created_at", FieldType.DATETIME),
          Field.nullable("product_name", FieldType.STRING),
          Field.nullable("category_group", FieldType.STRING),
          Field.of("line_amount", FieldType.DOUBLE)),
      "created_at",
      List.of("product_id")),
  SILVER_PAGEVIEWS(
      "silver",
      "pageviews",
      extend(
          Pageview.class,
          nullable("client_ip", "user_agent"),
          Field.of("client_ip_missing", FieldType.BOOLEAN),
          Field.of("raw_latency_ms", FieldType.INT32),
          Field.of("latency_outlier", FieldType.BOOLEAN),
          Field.of("lateness_ms", FieldType.INT64),
          Field.of("is_late", FieldType.BOOLEAN),
          Field.of("is_out_of_order", FieldType.BOOLEAN),
          Field.of("event_date", FieldType.logicalType(SqlTypes.DATE)),
          Field.of("day_of_week", FieldType.STRING),
          Field.of("hour_band", FieldType.STRING),
          Field.nullable("is_daylight", FieldType.BOOLEAN),
          Field.nullable("city", FieldType.STRING),
          Field.nullable("region", FieldType.STRING),
          Field.of("is_vip", FieldType.BOOLEAN),
          Field.nullable("missing_fields", FieldType.STRING)),
      "event_time",
      List.of("user_id", "http_method")),
  SILVER_RATINGS(
      "silver",
      "ratings",
      extend(
          Rating.class,
          nullable("product_id"),
          Field.of("event_date", FieldType.logicalType(SqlTypes.DATE)),
          Field.of("day_of_week", FieldType.STRING),
          Field.of("hour_band", FieldType.STRING),
          Field.nullable("category_group", FieldType.STRING),
          Field.of("is_vip", FieldType.BOOLEAN),
          Field.nullable("missing_fields", FieldType.STRING)),
      "event_time",
      List.of("product_id", "user_id")),
  SILVER_CAR_LISTINGS(
      "silver",
      "car_listings",
      extend(
          CarListing.class,
          nullable("city"),
          Field.nullable("turnover_days", FieldType.DOUBLE),
          Field.nullable("missing_fields", FieldType.STRING)),
      "listed_at",
      List.of("make", "model")),
  /**
   * Pageviews as stream-ingest sees them: deduplicated, at most the allowed lateness behind their
   * arrival, latency as it arrived (the stream caps nothing), enriched with the customer.
   */
  SILVER_PAGEVIEWS_ENRICHED(
      "silver",
      "pageviews_enriched",
      streamed(
          Entity.PAGEVIEWS,
          List.of("event_id", "user_id", "event_time"),
          Field.of("published_at", FieldType.DATETIME),
          Field.of("lateness_ms", FieldType.INT64),
          Field.of("event_date", FieldType.logicalType(SqlTypes.DATE)),
          Field.of("day_of_week", FieldType.STRING),
          Field.of("hour_band", FieldType.STRING),
          Field.nullable("is_daylight", FieldType.BOOLEAN),
          Field.nullable("customer_name", FieldType.STRING),
          Field.nullable("city", FieldType.STRING),
          Field.nullable("region", FieldType.STRING),
          Field.of("is_vip", FieldType.BOOLEAN),
          Field.of("is_latency_alert", FieldType.BOOLEAN)),
      "event_time",
      List.of("user_id", "http_method")),
  /**
   * Each rating paired with each pageview of the rated product's page that its user made at most
   * the join window before it.
   */
  SILVER_PAGEVIEW_RATINGS(
      "silver",
      "pageview_ratings",
      Schema.builder()
          .addStringField("rating_event_id")
          .addStringField("pageview_event_id")
          .addInt64Field("user_id")
          .addNullableField("product_id", FieldType.INT64)
          .addNullableField("stars", FieldType.INT32)
          .addNullableField("url", FieldType.STRING)
          .addDateTimeField("pageview_time")
          .addDateTimeField("rating_time")
          .addInt64Field("seconds_between")
          .build(),
      "rating_time",
      List.of("user_id")),
  GOLD_CUSTOMER_ENGAGEMENT(
      "gold",
      "customer_engagement",
      Schema.builder()
          .addInt64Field("customer_id")
          .addStringField("full_name")
          .addStringField("city")
          .addNullableField("region", FieldType.STRING)
          .addStringField("age_band")
          .addBooleanField("is_vip")
          .addInt64Field("pageviews")
          .addInt64Field("sessions")
          .addInt64Field("orders")
          .addInt64Field("items")
          .addDoubleField("total_order_value")
          .addNullableField("avg_order_value", FieldType.DOUBLE)
          .addInt64Field("ratings")
          .addNullableField("avg_stars", FieldType.DOUBLE)
          .build(),
      null,
      List.of("region", "is_vip")),
  GOLD_DAILY_SALES(
      "gold",
      "daily_sales",
      Schema.builder()
          .addLogicalTypeField("sales_date", SqlTypes.DATE)
          .addInt64Field("orders")
          .addInt64Field("units")
          .addDoubleField("revenue")
          .addInt64Field("customers")
          .addDoubleField("avg_order_value")
          .build(),
      "sales_date",
      List.of()),
  GOLD_PRODUCT_PERFORMANCE(
      "gold",
      "product_performance",
      Schema.builder()
          .addInt64Field("product_id")
          .addStringField("name")
          .addStringField("category_group")
          .addDoubleField("price")
          .addInt64Field("pageviews")
          .addInt64Field("orders")
          .addInt64Field("units_sold")
          .addDoubleField("revenue")
          .addInt64Field("ratings")
          .addNullableField("avg_stars", FieldType.DOUBLE)
          .build(),
      null,
      List.of("category_group")),
  GOLD_LISTING_TURNOVER(
      "gold",
      "listing_turnover",
      Schema.builder()
          .addStringField("make")
          .addStringField("model")
          .addInt64Field("listings")
          .addInt64Field("sold")
          .addNullableField("avg_turnover_days", FieldType.DOUBLE)
          .addNullableField("median_turnover_days", FieldType.DOUBLE)
          .addDoubleField("avg_price")
          .addDoubleField("avg_km")
          .build(),
      null,
      List.of("make")),
  /** One row per order; the dummy columns are listed by {@link MlFeatures}. */
  GOLD_ML_FEATURES("gold", "ml_features", MlFeatures.schema(), null, List.of()),
  /**
   * Pageviews per HTTP method in five-minute event-time windows, one row per fired pane. Panes
   * discard what they fired, so a row counts only the pageviews new since the previous pane of its
   * window and method: {@code SUM(pageviews)} per window and method is the total.
   */
  GOLD_PAGEVIEWS_BY_METHOD_5M(
      "gold",
      "pageviews_by_method_5m",
      Schema.builder()
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addStringField("http_method")
          .addInt64Field("pageviews")
          .addStringField("pane_timing")
          .addInt64Field("pane_index")
          .addDateTimeField("emitted_at")
          .build(),
      "window_start",
      List.of("http_method")),
  /**
   * User sessions (pageviews at most the session gap apart), one row per fired pane. Panes
   * accumulate, so a late pageview re-emits its whole merged session: the newest row of a user and
   * session_start is the current one.
   */
  GOLD_SESSIONS(
      "gold",
      "sessions",
      Schema.builder()
          .addInt64Field("user_id")
          .addDateTimeField("session_start")
          .addDateTimeField("session_end")
          .addInt64Field("duration_seconds")
          .addInt64Field("pageviews")
          .addInt64Field("distinct_urls")
          .addNullableField("landing_url", FieldType.STRING)
          .addNullableField("exit_url", FieldType.STRING)
          .addStringField("pane_timing")
          .addDateTimeField("emitted_at")
          .build(),
      "session_start",
      List.of("user_id")),
  OPS_LOAD_STATS(
      "ops",
      "load_stats",
      Schema.builder()
          .addStringField("batch_id")
          .addStringField("source")
          .addStringField("kind")
          .addInt64Field("sources_read")
          .addInt64Field("rows_read")
          .addInt64Field("rows_written")
          .addInt64Field("rows_dead_lettered")
          .addDateTimeField("started_at")
          .addDateTimeField("finished_at")
          .addDoubleField("duration_seconds")
          .addNullableField("watermark", FieldType.DATETIME)
          .build(),
      "started_at",
      List.of("source")),
  OPS_ALERTS(
      "ops",
      "alerts",
      Schema.builder()
          .addDateTimeField("raised_at")
          .addStringField("origin")
          .addNullableField("batch_id", FieldType.STRING)
          .addStringField("source")
          .addStringField("check_name")
          .addNullableField("observed", FieldType.DOUBLE)
          .addNullableField("threshold", FieldType.DOUBLE)
          .addStringField("message")
          .build(),
      "raised_at",
      List.of("source", "check_name")),
  OPS_QUALITY_SCORES(
      "ops",
      "quality_scores",
      Schema.builder()
          .addDateTimeField("scored_at")
          .addStringField("entity")
          .addStringField("defect_kind")
          .addInt64Field("injected")
          .addInt64Field("detected")
          .addInt64Field("true_positives")
          .addNullableField("precision", FieldType.DOUBLE)
          .addNullableField("recall", FieldType.DOUBLE)
          .build(),
      null,
      List.of("defect_kind")),
  /**
   * One row per training of a model, filled alike by the local trainer and by BigQuery ML: {@code
   * engine} names the library or service, {@code model_location} the saved model folder or the
   * BigQuery model, and the metrics are measured on the rows held out from training.
   */
  OPS_MODEL_METRICS(
      "ops",
      "model_metrics",
      Schema.builder()
          .addDateTimeField("trained_at")
          .addStringField("model_name")
          .addStringField("model_version")
          .addStringField("engine")
          .addStringField("model_type")
          .addStringField("label")
          .addInt64Field("feature_count")
          .addInt64Field("train_rows")
          .addInt64Field("test_rows")
          .addNullableField("rmse", FieldType.DOUBLE)
          .addNullableField("mae", FieldType.DOUBLE)
          .addNullableField("r2", FieldType.DOUBLE)
          .addInt64Field("feature_rows_seen")
          .addNullableField("model_location", FieldType.STRING)
          .build(),
      "trained_at",
      List.of("model_name"));

  private final String dataset;
  private final String tableName;
  private final Schema schema;
  private final @Nullable String partitionField;
  private final List<String> clusteringFields;

  WarehouseTable(
      String dataset,
      String tableName,
      Schema schema,
      @Nullable String partitionField,
      List<String> clusteringFields) {
    this.dataset = dataset;
    this.tableName = tableName;
    this.schema = schema;
    this.partitionField = partitionField;
    this.clusteringFields = clusteringFields;
  }

  /** The warehouse dataset (schema in DuckDB): {@code silver}, {@code gold} or {@code ops}. */
  public String dataset() {
    return dataset;
  }

  public String tableName() {
    return tableName;
  }

  /** {@code dataset.table}, as queries name it. */
  public String qualifiedName() {
    return dataset + "." + tableName;
  }

  public Schema schema() {
    return schema;
  }

  /** The DATE or TIMESTAMP column BigQuery partitions by day, or null for unpartitioned tables. */
  public @Nullable String partitionField() {
    return partitionField;
  }

  public List<String> clusteringFields() {
    return clusteringFields;
  }

  /**
   * Whether stream-ingest writes the table as events arrive; curate neither builds nor loads it.
   */
  public boolean isStreamed() {
    switch (this) {
      case SILVER_PAGEVIEWS_ENRICHED:
      case SILVER_PAGEVIEW_RATINGS:
      case GOLD_PAGEVIEWS_BY_METHOD_5M:
      case GOLD_SESSIONS:
        return true;
      default:
        return false;
    }
  }

  /** Finds a table by {@code dataset.table}. */
  public static WarehouseTable of(String qualifiedName) {
    for (WarehouseTable table : values()) {
      if (table.qualifiedName().equals(qualifiedName)) {
        return table;
      }
    }
    throw new IllegalArgumentException("Unknown warehouse table " + qualifiedName);
  }

  /** The schema of an entity's record type, as Beam infers it. */
  public static Schema entitySchema(Class<?> recordClass) {
    try {
      return SchemaRegistry.createDefault().getSchema(recordClass);
    } catch (Exception e) {
      throw new IllegalStateException("No schema for " + recordClass.getName(), e);
    }
  }

  private static List<String> nullable(String... fields) {
    return List.of(fields);
  }

  /**
   * An entity's fields as they arrive on the stream (nullable, like bronze) except the ones every
   * row is known to have, then the stream's columns.
   */
  private static Schema streamed(Entity entity, List<String> required, Field... added) {
    Schema.Builder builder = Schema.builder();
    for (Field field : Bronze.fields(entity).getFields()) {
      builder.addField(required.contains(field.getName()) ? field.withNullable(false) : field);
    }
    return builder.addFields(added).build();
  }

  /**
   * An entity's schema with some fields made nullable (a repair may leave them empty) and curate's
   * columns appended. An added field named like an entity field replaces it in place: that is a
   * type conformed in silver.
   */
  private static Schema extend(Class<?> recordClass, List<String> nullable, Field... added) {
    Map<String, Field> replacements = new HashMap<>();
    for (Field field : added) {
      replacements.put(field.getName(), field);
    }
    Schema entity = entitySchema(recordClass);
    Schema.Builder builder = Schema.builder();
    for (Field field : entity.getFields()) {
      Field conformed = replacements.getOrDefault(field.getName(), field);
      builder.addField(
          nullable.contains(field.getName()) ? conformed.withNullable(true) : conformed);
    }
    for (Field field : added) {
      if (!entity.hasField(field.getName())) {
        builder.addField(field);
      }
    }
    return builder.build();
  }
}
