package dev.fakelake.transforms.aggregate;

import static org.apache.beam.sdk.values.TypeDescriptors.doubles;
import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;
import static org.apache.beam.sdk.values.TypeDescriptors.strings;

import dev.fakelake.schemas.WarehouseTable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
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

  private static final TupleTag<Row> CUSTOMER = new TupleTag<>() {};
  private static final TupleTag<Long> PAGEVIEWS = new TupleTag<>() {};
  private static final TupleTag<Long> SESSIONS = new TupleTag<>() {};
  private static final TupleTag<Long> ORDERS = new TupleTag<>() {};
  private static final TupleTag<Long> ITEMS = new TupleTag<>() {};
  private static final TupleTag<Double> ORDER_VALUE = new TupleTag<>() {};
  private static final TupleTag<Long> RATINGS = new TupleTag<>() {};
  private static final TupleTag<Long> STARS = new TupleTag<>() {};

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

    PCollection<KV<Long, Row>> customersById =
        customers.apply(
            "KeyCustomersById",
            WithKeys.of((Row customer) -> customer.getInt64("customer_id")).withKeyType(longs()));

    PCollection<KV<Long, String>> sessionsByUser =
        pageviews.apply(
            "KeySessionsByUser",
            MapElements.into(kvs(longs(), strings()))
                .via(view -> KV.of(view.getInt64("user_id"), view.getString("session_id"))));
    PCollection<KV<Long, Long>> pageviewCounts =
        sessionsByUser.apply("CountPageviewsPerCustomer", Count.perKey());
    PCollection<KV<Long, Long>> sessionCounts =
        sessionsByUser
            .apply("DistinctSessions", Distinct.create())
            .apply("CountSessionsPerCustomer", Count.perKey());

    PCollection<Row> placed =
        orders.apply(
            "DropCancelledOrders",
            Filter.by((Row order) -> !Silver.isCancelled(order.getString("status"))));
    PCollection<KV<Long, Long>> unitsByCustomer =
        placed.apply(
            "KeyOrderUnitsByCustomer",
            MapElements.into(kvs(longs(), longs()))
                .via(
                    order -> KV.of(order.getInt64("customer_id"), (long) order.getInt32("units"))));
    PCollection<KV<Long, Long>> orderCounts =
        unitsByCustomer.apply("CountOrdersPerCustomer", Count.perKey());
    PCollection<KV<Long, Long>> itemSums =
        unitsByCustomer.apply("SumItemsPerCustomer", Sum.longsPerKey());
    PCollection<KV<Long, Double>> orderValues =
        placed
            .apply(
                "KeyOrderValueByCustomer",
                MapElements.into(kvs(longs(), doubles()))
                    .via(
                        order ->
                            KV.of(order.getInt64("customer_id"), order.getDouble("total_amount"))))
            .apply("SumOrderValuePerCustomer", ExactSum.perKey());

    PCollection<KV<Long, Long>> starsByUser =
        ratings.apply(
            "KeyStarsByUser",
            MapElements.into(kvs(longs(), longs()))
                .via(rating -> KV.of(rating.getInt64("user_id"), (long) rating.getInt32("stars"))));
    PCollection<KV<Long, Long>> ratingCounts =
        starsByUser.apply("CountRatingsPerCustomer", Count.perKey());
    PCollection<KV<Long, Long>> starSums =
        starsByUser.apply("SumStarsPerCustomer", Sum.longsPerKey());

    return KeyedPCollectionTuple.of(CUSTOMER, customersById)
        .and(PAGEVIEWS, pageviewCounts)
        .and(SESSIONS, sessionCounts)
        .and(ORDERS, orderCounts)
        .and(ITEMS, itemSums)
        .and(ORDER_VALUE, orderValues)
        .and(RATINGS, ratingCounts)
        .and(STARS, starSums)
        .apply("JoinActivityToCustomers", CoGroupByKey.create())
        .apply("BuildEngagementRows", ParDo.of(new BuildRowFn()))
        .setRowSchema(SCHEMA);
  }

  private static class BuildRowFn extends DoFn<KV<Long, CoGbkResult>, Row> {
    // Repaired silver should not hold activity of unknown customers; counted so a regression shows.
    private final Counter withoutCustomer =
        Metrics.counter("aggregate", "engagement_activity_without_customer");

    @ProcessElement
    public void processElement(@Element KV<Long, CoGbkResult> joined, OutputReceiver<Row> out) {
      CoGbkResult activity = joined.getValue();
      Row customer = activity.getOnly(CUSTOMER, null);
      if (customer == null) {
        withoutCustomer.inc();
        return;
      }
      long orders = activity.getOnly(ORDERS, 0L);
      double orderValue = activity.getOnly(ORDER_VALUE, 0.0);
      long ratings = activity.getOnly(RATINGS, 0L);
      long stars = activity.getOnly(STARS, 0L);
      out.output(
          Row.withSchema(SCHEMA)
              .withFieldValue("customer_id", joined.getKey())
              .withFieldValue("full_name", customer.getString("full_name"))
              .withFieldValue("city", customer.getString("city"))
              .withFieldValue("region", customer.getString("region"))
              .withFieldValue("age_band", customer.getString("age_band"))
              .withFieldValue("is_vip", customer.getBoolean("is_vip"))
              .withFieldValue("pageviews", activity.getOnly(PAGEVIEWS, 0L))
              .withFieldValue("sessions", activity.getOnly(SESSIONS, 0L))
              .withFieldValue("orders", orders)
              .withFieldValue("items", activity.getOnly(ITEMS, 0L))
              .withFieldValue("total_order_value", orderValue)
              .withFieldValue("avg_order_value", Silver.average(orderValue, orders))
              .withFieldValue("ratings", ratings)
              .withFieldValue("avg_stars", Silver.average(stars, ratings))
              .build());
    }
  }
}
