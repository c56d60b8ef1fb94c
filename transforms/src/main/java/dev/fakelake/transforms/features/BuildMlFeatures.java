package dev.fakelake.transforms.features;

import static dev.fakelake.schemas.MlFeatures.AGE_BANDS;
import static dev.fakelake.schemas.MlFeatures.AGE_PREFIX;
import static dev.fakelake.schemas.MlFeatures.CATEGORY_GROUPS;
import static dev.fakelake.schemas.MlFeatures.CATEGORY_PREFIX;
import static dev.fakelake.schemas.MlFeatures.DAYS_OF_WEEK;
import static dev.fakelake.schemas.MlFeatures.DAY_PREFIX;
import static dev.fakelake.schemas.MlFeatures.MONTHS;
import static dev.fakelake.schemas.MlFeatures.MONTH_PREFIX;
import static dev.fakelake.schemas.MlFeatures.REGIONS;
import static dev.fakelake.schemas.MlFeatures.REGION_PREFIX;

import dev.fakelake.schemas.MlFeatures;
import dev.fakelake.schemas.Order;
import dev.fakelake.schemas.WarehouseTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Builds {@code gold.ml_features} from {@code silver.orders}: one row per order that was not
 * cancelled, its total amount as the label, and one-hot columns for day of week, month, category
 * group, region and age band as {@link MlFeatures} names them.
 */
public class BuildMlFeatures extends PTransform<PCollection<Row>, PCollection<Row>> {

  private static final Schema SCHEMA = WarehouseTable.GOLD_ML_FEATURES.schema();
  private static final String CANCELLED = Order.Status.CANCELLED.name().toLowerCase(Locale.ROOT);
  private static final List<String> DUMMY_COLUMNS = dummyColumns();

  private BuildMlFeatures() {}

  public static BuildMlFeatures of() {
    return new BuildMlFeatures();
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> orders) {
    Schema silver = WarehouseTable.SILVER_ORDERS.schema();
    if (!orders.hasSchema() || !orders.getSchema().equivalent(silver)) {
      throw new IllegalArgumentException(
          "BuildMlFeatures expects rows of silver.orders with schema " + silver);
    }
    return orders
        .apply(
            "DropCancelledOrders",
            Filter.by((Row order) -> !CANCELLED.equals(order.getString("status"))))
        .apply(
            "EncodeOrderFeatures",
            MapElements.into(TypeDescriptors.rows()).via(BuildMlFeatures::features))
        .setRowSchema(SCHEMA);
  }

  static Row features(Row order) {
    LocalDate date = order.getLogicalTypeValue("order_date", LocalDate.class);
    Map<String, Object> values = new HashMap<>();
    values.put("order_id", order.getInt64("order_id"));
    values.put("customer_id", order.getInt64("customer_id"));
    values.put("order_date", date);
    values.put("total_amount", order.getDouble("total_amount"));
    values.put("item_count", order.getInt32("item_count"));
    values.put("units", order.getInt32("units"));
    values.put("is_vip", Boolean.TRUE.equals(order.getBoolean("is_vip")) ? 1 : 0);
    for (String column : DUMMY_COLUMNS) {
      values.put(column, 0);
    }
    // java.time numbers Monday 1 to Sunday 7, the order of DAYS_OF_WEEK.
    String day = DAYS_OF_WEEK.get(date.getDayOfWeek().getValue() - 1);
    String month = String.format(Locale.ROOT, "%02d", date.getMonthValue());
    values.put(MlFeatures.column(DAY_PREFIX, DAYS_OF_WEEK, day), 1);
    values.put(MlFeatures.column(MONTH_PREFIX, MONTHS, month), 1);
    values.put(
        MlFeatures.column(CATEGORY_PREFIX, CATEGORY_GROUPS, order.getString("main_category")), 1);
    values.put(MlFeatures.column(REGION_PREFIX, REGIONS, order.getString("customer_region")), 1);
    values.put(MlFeatures.column(AGE_PREFIX, AGE_BANDS, order.getString("customer_age_band")), 1);
    // About a hundred columns per order: set by position, since Beam checks each named value.
    List<Object> ordered = new ArrayList<>(SCHEMA.getFieldCount());
    for (Schema.Field field : SCHEMA.getFields()) {
      ordered.add(values.get(field.getName()));
    }
    return Row.withSchema(SCHEMA).attachValues(ordered);
  }

  private static List<String> dummyColumns() {
    List<String> columns = new ArrayList<>();
    columns.addAll(MlFeatures.columns(DAY_PREFIX, DAYS_OF_WEEK));
    columns.addAll(MlFeatures.columns(MONTH_PREFIX, MONTHS));
    columns.addAll(MlFeatures.columns(CATEGORY_PREFIX, CATEGORY_GROUPS));
    columns.addAll(MlFeatures.columns(REGION_PREFIX, REGIONS));
    columns.addAll(MlFeatures.columns(AGE_PREFIX, AGE_BANDS));
    return List.copyOf(columns);
  }
}
