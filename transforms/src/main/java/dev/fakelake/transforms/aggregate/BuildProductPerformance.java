package dev.fakelake.transforms.aggregate;

import static dev.fakelake.transforms.aggregate.Silver.inBucket;
import static dev.fakelake.transforms.aggregate.Silver.inBuckets;
import static org.apache.beam.sdk.values.TypeDescriptors.doubles;
import static org.apache.beam.sdk.values.TypeDescriptors.integers;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;

import dev.fakelake.schemas.WarehouseTable;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
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
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Builds {@code gold.product_performance}: one row per silver product with the pageviews of its
 * page {@code /product/<product_id>}, its non-cancelled orders, units and revenue, and its ratings.
 * Reads {@code silver.products}, {@code silver.pageviews}, {@code silver.order_items} and {@code
 * silver.ratings}, tagged with {@link BuildGoldTables#tag}.
 */
public class BuildProductPerformance extends PTransform<PCollectionTuple, PCollection<Row>> {

  static final String PRODUCT_PAGE_PREFIX = "/product/";

  private static final Schema SCHEMA = WarehouseTable.GOLD_PRODUCT_PERFORMANCE.schema();

  // Each activity is a (product_id, value) pair keyed by the bucket of the product.
  private static final TupleTag<Row> PRODUCT = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Long>> PAGEVIEWS = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Long>> ORDERS = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Long>> UNITS = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Double>> REVENUE = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Long>> STARS = new TupleTag<>() {};

  private BuildProductPerformance() {}

  public static BuildProductPerformance of() {
    return new BuildProductPerformance();
  }

  @Override
  public PCollection<Row> expand(PCollectionTuple input) {
    String name = getClass().getSimpleName();
    PCollection<Row> products = Silver.table(input, WarehouseTable.SILVER_PRODUCTS, name);
    PCollection<Row> pageviews = Silver.table(input, WarehouseTable.SILVER_PAGEVIEWS, name);
    PCollection<Row> items = Silver.table(input, WarehouseTable.SILVER_ORDER_ITEMS, name);
    PCollection<Row> ratings = Silver.table(input, WarehouseTable.SILVER_RATINGS, name);

    // Products and their activity meet in buckets of products, not one product at a time, and
    // are summed per product within a bucket: see GroupByBucket for why.
    PCollection<KV<Integer, Row>> productsByBucket =
        products.apply(
            "KeyProductsByBucket",
            WithKeys.of((Row product) -> Silver.bucketOf(product.getInt64("product_id")))
                .withKeyType(integers()));

    // Each view of a product page counts 1.
    PCollection<KV<Integer, KV<Long, Long>>> views =
        pageviews.apply(
            "ExtractViewedProductIds",
            FlatMapElements.into(inBuckets(longs()))
                .via(
                    (Row view) -> {
                      Long productId = productOfPage(view.getString("url"));
                      return productId == null ? List.of() : List.of(inBucket(productId, 1L));
                    }));

    PCollection<Row> sold =
        items.apply(
            "DropItemsOfCancelledOrders",
            Filter.by((Row item) -> !Silver.isCancelled(item.getString("order_status"))));
    PCollection<KV<Integer, KV<Long, Long>>> orderIds =
        sold.apply(
            "KeyOrdersByBucket",
            MapElements.into(inBuckets(longs()))
                .via(item -> inBucket(item.getInt64("product_id"), item.getInt64("order_id"))));
    PCollection<KV<Integer, KV<Long, Long>>> quantities =
        sold.apply(
            "KeyQuantitiesByBucket",
            MapElements.into(inBuckets(longs()))
                .via(
                    item ->
                        inBucket(item.getInt64("product_id"), (long) item.getInt32("quantity"))));
    PCollection<KV<Integer, KV<Long, Double>>> lineAmounts =
        sold.apply(
            "KeyLineAmountsByBucket",
            MapElements.into(inBuckets(doubles()))
                .via(item -> inBucket(item.getInt64("product_id"), item.getDouble("line_amount"))));

    PCollection<KV<Integer, KV<Long, Long>>> stars =
        ratings
            .apply(
                "DropRatingsWithoutProduct",
                Filter.by((Row rating) -> rating.getInt64("product_id") != null))
            .apply(
                "KeyStarsByBucket",
                MapElements.into(inBuckets(longs()))
                    .via(
                        rating ->
                            inBucket(
                                rating.getInt64("product_id"), (long) rating.getInt32("stars"))));

    return KeyedPCollectionTuple.of(PRODUCT, productsByBucket)
        .and(PAGEVIEWS, views)
        .and(ORDERS, orderIds)
        .and(UNITS, quantities)
        .and(REVENUE, lineAmounts)
        .and(STARS, stars)
        .apply("JoinActivityToProducts", CoGroupByKey.create())
        .apply("BuildProductPerformanceRows", ParDo.of(new BuildRowFn()))
        .setRowSchema(SCHEMA);
  }

  /**
   * The product a page shows, or null. Only the exact form {@code /product/<product_id>} counts: no
   * query string, sub-page or leading zeros.
   */
  static @Nullable Long productOfPage(@Nullable String url) {
    if (url == null || !url.startsWith(PRODUCT_PAGE_PREFIX)) {
      return null;
    }
    String id = url.substring(PRODUCT_PAGE_PREFIX.length());
    if (id.isEmpty() || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    try {
      long productId = Long.parseLong(id);
      return (PRODUCT_PAGE_PREFIX + productId).equals(url) ? productId : null;
    } catch (NumberFormatException tooLong) {
      return null;
    }
  }

  /** One product's activity, summed over the values of a bucket. */
  private static class Activity {
    long pageviews;
    final Set<Long> orderIds = new HashSet<>();
    long units;
    // Exact, like ExactSum: the values arrive in no particular order.
    BigDecimal revenue = BigDecimal.ZERO;
    long ratings;
    long stars;
  }

  private static class BuildRowFn extends DoFn<KV<Integer, CoGbkResult>, Row> {
    // Repaired silver should not reference unknown products; counted so a regression shows.
    private final Counter withoutProduct =
        Metrics.counter("aggregate", "product_activity_without_product");

    @ProcessElement
    public void processElement(@Element KV<Integer, CoGbkResult> bucket, OutputReceiver<Row> out) {
      CoGbkResult joined = bucket.getValue();
      Map<Long, Activity> activities = new HashMap<>();
      for (KV<Long, Long> view : joined.getAll(PAGEVIEWS)) {
        activities.computeIfAbsent(view.getKey(), id -> new Activity()).pageviews +=
            view.getValue();
      }
      for (KV<Long, Long> item : joined.getAll(ORDERS)) {
        activities
            .computeIfAbsent(item.getKey(), id -> new Activity())
            .orderIds
            .add(item.getValue());
      }
      for (KV<Long, Long> item : joined.getAll(UNITS)) {
        activities.computeIfAbsent(item.getKey(), id -> new Activity()).units += item.getValue();
      }
      for (KV<Long, Double> item : joined.getAll(REVENUE)) {
        Activity activity = activities.computeIfAbsent(item.getKey(), id -> new Activity());
        activity.revenue = activity.revenue.add(new BigDecimal(item.getValue()));
      }
      for (KV<Long, Long> rating : joined.getAll(STARS)) {
        Activity activity = activities.computeIfAbsent(rating.getKey(), id -> new Activity());
        activity.ratings++;
        activity.stars += rating.getValue();
      }
      // Silver holds one row per product; whatever activity is left has no product.
      for (Row product : joined.getAll(PRODUCT)) {
        Activity activity = activities.remove(product.getInt64("product_id"));
        out.output(row(product, activity == null ? new Activity() : activity));
      }
      withoutProduct.inc(activities.size());
    }

    private static Row row(Row product, Activity activity) {
      return Row.withSchema(SCHEMA)
          .withFieldValue("product_id", product.getInt64("product_id"))
          .withFieldValue("name", product.getString("name"))
          .withFieldValue("category_group", product.getString("category_group"))
          .withFieldValue("price", product.getDouble("price"))
          .withFieldValue("pageviews", activity.pageviews)
          .withFieldValue("orders", (long) activity.orderIds.size())
          .withFieldValue("units_sold", activity.units)
          .withFieldValue("revenue", activity.revenue.doubleValue())
          .withFieldValue("ratings", activity.ratings)
          .withFieldValue("avg_stars", Silver.average(activity.stars, activity.ratings))
          .build();
    }
  }
}
