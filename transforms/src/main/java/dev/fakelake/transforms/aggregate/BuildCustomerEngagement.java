package dev.fakelake.transforms.aggregate;

import static dev.fakelake.transforms.aggregate.Silver.inBucket;
import static dev.fakelake.transforms.aggregate.Silver.inBuckets;
import static org.apache.beam.sdk.values.TypeDescriptors.doubles;
import static org.apache.beam.sdk.values.TypeDescriptors.integers;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;
import static org.apache.beam.sdk.values.TypeDescriptors.strings;

import dev.fakelake.schemas.WarehouseTable;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Builds {@code gold.customer_engagement}: one row per silver customer with their pageviews,
 * sessions, non-cancelled orders and ratings. Customers without any activity get zeros. Reads
 * {@code silver.customers}, {@code silver.pageviews}, {@code silver.orders} and {@code
 * silver.ratings}, tagged with {@link BuildGoldTables#tag}.
 */
public class BuildCustomerEngagement extends PTransform<PCollectionTuple, PCollection<Row>> {

  private static final Schema SCHEMA = WarehouseTable.GOLD_CUSTOMER_ENGAGEMENT.schema();

  // Each activity is a (customer_id, value) pair keyed by the bucket of the customer.
  private static final TupleTag<Row> CUSTOMER = new TupleTag<>() {};
  private static final TupleTag<KV<Long, String>> SESSIONS = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Long>> UNITS = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Double>> ORDER_VALUES = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Long>> STARS = new TupleTag<>() {};

  private BuildCustomerEngagement() {}

  public static BuildCustomerEngagement of() {
    return new BuildCustomerEngagement();
  }

  @Override
  public PCollection<Row> expand(PCollectionTuple input) {
    String name = getClass().getSimpleName();
    PCollection<Row> customers = Silver.table(input, WarehouseTable.SILVER_CUSTOMERS, name);
    PCollection<Row> pageviews = Silver.table(input, WarehouseTable.SILVER_PAGEVIEWS, name);
    PCollection<Row> orders = Silver.table(input, WarehouseTable.SILVER_ORDERS, name);
    PCollection<Row> ratings = Silver.table(input, WarehouseTable.SILVER_RATINGS, name);

    // Customers and their activity meet in buckets of customers, not one customer at a time, and
    // are summed per customer within a bucket: see GroupByBucket for why.
    PCollection<KV<Integer, Row>> customersByBucket =
        customers.apply(
            "KeyCustomersByBucket",
            WithKeys.of((Row customer) -> Silver.bucketOf(customer.getInt64("customer_id")))
                .withKeyType(integers()));

    PCollection<KV<Integer, KV<Long, String>>> sessions =
        pageviews.apply(
            "KeySessionsByBucket",
            MapElements.into(inBuckets(strings()))
                .via(view -> inBucket(view.getInt64("user_id"), view.getString("session_id"))));

    PCollection<Row> placed =
        orders.apply(
            "DropCancelledOrders",
            Filter.by((Row order) -> !Silver.isCancelled(order.getString("status"))));
    PCollection<KV<Integer, KV<Long, Long>>> units =
        placed.apply(
            "KeyOrderUnitsByBucket",
            MapElements.into(inBuckets(longs()))
                .via(
                    order ->
                        inBucket(order.getInt64("customer_id"), (long) order.getInt32("units"))));
    PCollection<KV<Integer, KV<Long, Double>>> orderValues =
        placed.apply(
            "KeyOrderValuesByBucket",
            MapElements.into(inBuckets(doubles()))
                .via(
                    order ->
                        inBucket(order.getInt64("customer_id"), order.getDouble("total_amount"))));

    PCollection<KV<Integer, KV<Long, Long>>> stars =
        ratings.apply(
            "KeyStarsByBucket",
            MapElements.into(inBuckets(longs()))
                .via(
                    rating ->
                        inBucket(rating.getInt64("user_id"), (long) rating.getInt32("stars"))));

    return KeyedPCollectionTuple.of(CUSTOMER, customersByBucket)
        .and(SESSIONS, sessions)
        .and(UNITS, units)
        .and(ORDER_VALUES, orderValues)
        .and(STARS, stars)
        .apply("JoinActivityToCustomers", CoGroupByKey.create())
        .apply("BuildEngagementRows", ParDo.of(new BuildRowFn()))
        .setRowSchema(SCHEMA);
  }

  /** One customer's activity, summed over the values of a bucket. */
  private static class Activity {
    long pageviews;
    final Set<String> sessions = new HashSet<>();
    long orders;
    long items;
    // Exact, like ExactSum: the values arrive in no particular order.
    BigDecimal orderValue = BigDecimal.ZERO;
    long ratings;
    long stars;
  }

  private static class BuildRowFn extends DoFn<KV<Integer, CoGbkResult>, Row> {
    // Repaired silver should not hold activity of unknown customers; counted so a regression shows.
    private final Counter withoutCustomer =
        Metrics.counter("aggregate", "engagement_activity_without_customer");

    @ProcessElement
    public void processElement(@Element KV<Integer, CoGbkResult> bucket, OutputReceiver<Row> out) {
      CoGbkResult joined = bucket.getValue();
      Map<Long, Activity> activities = new HashMap<>();
      for (KV<Long, String> view : joined.getAll(SESSIONS)) {
        Activity activity = activities.computeIfAbsent(view.getKey(), id -> new Activity());
        activity.pageviews++;
        activity.sessions.add(view.getValue());
      }
      for (KV<Long, Long> order : joined.getAll(UNITS)) {
        Activity activity = activities.computeIfAbsent(order.getKey(), id -> new Activity());
        activity.orders++;
        activity.items += order.getValue();
      }
      for (KV<Long, Double> order : joined.getAll(ORDER_VALUES)) {
        Activity activity = activities.computeIfAbsent(order.getKey(), id -> new Activity());
        activity.orderValue = activity.orderValue.add(new BigDecimal(order.getValue()));
      }
      for (KV<Long, Long> rating : joined.getAll(STARS)) {
        Activity activity = activities.computeIfAbsent(rating.getKey(), id -> new Activity());
        activity.ratings++;
        activity.stars += rating.getValue();
      }
      // Silver holds one row per customer; whatever activity is left has no customer.
      for (Row customer : joined.getAll(CUSTOMER)) {
        Activity activity = activities.remove(customer.getInt64("customer_id"));
        out.output(row(customer, activity == null ? new Activity() : activity));
      }
      withoutCustomer.inc(activities.size());
    }

    private static Row row(Row customer, Activity activity) {
      double orderValue = activity.orderValue.doubleValue();
      return Row.withSchema(SCHEMA)
          .withFieldValue("customer_id", customer.getInt64("customer_id"))
          .withFieldValue("full_name", customer.getString("full_name"))
          .withFieldValue("city", customer.getString("city"))
          .withFieldValue("region", customer.getString("region"))
          .withFieldValue("age_band", customer.getString("age_band"))
          .withFieldValue("is_vip", customer.getBoolean("is_vip"))
          .withFieldValue("pageviews", activity.pageviews)
          .withFieldValue("sessions", (long) activity.sessions.size())
          .withFieldValue("orders", activity.orders)
          .withFieldValue("items", activity.items)
          .withFieldValue("total_order_value", orderValue)
          .withFieldValue("avg_order_value", Silver.average(orderValue, activity.orders))
          .withFieldValue("ratings", activity.ratings)
          .withFieldValue("avg_stars", Silver.average(activity.stars, activity.ratings))
          .build();
    }
  }
}
