package dev.fakelake.transforms.aggregate;

import static org.apache.beam.sdk.values.TypeDescriptors.doubles;
import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;

import dev.fakelake.schemas.WarehouseTable;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
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

  private static final TupleTag<Row> PRODUCT = new TupleTag<>() {};
  private static final TupleTag<Long> PAGEVIEWS = new TupleTag<>() {};
  private static final TupleTag<Long> ORDERS = new TupleTag<>() {};
  private static final TupleTag<Long> UNITS = new TupleTag<>() {};
  private static final TupleTag<Double> REVENUE = new TupleTag<>() {};
  private static final TupleTag<Long> RATINGS = new TupleTag<>() {};
  private static final TupleTag<Long> STARS = new TupleTag<>() {};

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

    PCollection<KV<Long, Row>> productsById =
        products.apply(
            "KeyProductsById",
            WithKeys.of((Row product) -> product.getInt64("product_id")).withKeyType(longs()));

    PCollection<KV<Long, Long>> pageviewCounts =
        pageviews
            .apply(
                "ExtractViewedProductIds",
                FlatMapElements.into(longs())
                    .via(
                        (Row view) -> {
                          Long productId = productOfPage(view.getString("url"));
                          return productId == null ? List.<Long>of() : List.of(productId);
                        }))
            .apply("CountPageviewsPerProduct", Count.perElement());

    PCollection<Row> sold =
        items.apply(
            "DropItemsOfCancelledOrders",
            Filter.by((Row item) -> !Silver.isCancelled(item.getString("order_status"))));
    PCollection<KV<Long, Long>> orderCounts =
        sold.apply(
                "KeyOrdersByProduct",
                MapElements.into(kvs(longs(), longs()))
                    .via(item -> KV.of(item.getInt64("product_id"), item.getInt64("order_id"))))
            .apply("DistinctOrdersPerProduct", Distinct.create())
            .apply("CountOrdersPerProduct", Count.perKey());
    PCollection<KV<Long, Long>> unitSums =
        sold.apply(
                "KeyQuantitiesByProduct",
                MapElements.into(kvs(longs(), longs()))
                    .via(
                        item ->
                            KV.of(item.getInt64("product_id"), (long) item.getInt32("quantity"))))
            .apply("SumUnitsPerProduct", Sum.longsPerKey());
    PCollection<KV<Long, Double>> revenues =
        sold.apply(
                "KeyLineAmountsByProduct",
                MapElements.into(kvs(longs(), doubles()))
                    .via(item -> KV.of(item.getInt64("product_id"), item.getDouble("line_amount"))))
            .apply("SumRevenuePerProduct", ExactSum.perKey());

    PCollection<KV<Long, Long>> starsByProduct =
        ratings
            .apply(
                "DropRatingsWithoutProduct",
                Filter.by((Row rating) -> rating.getInt64("product_id") != null))
            .apply(
                "KeyStarsByProduct",
                MapElements.into(kvs(longs(), longs()))
                    .via(
                        rating ->
                            KV.of(rating.getInt64("product_id"), (long) rating.getInt32("stars"))));
    PCollection<KV<Long, Long>> ratingCounts =
        starsByProduct.apply("CountRatingsPerProduct", Count.perKey());
    PCollection<KV<Long, Long>> starSums =
        starsByProduct.apply("SumStarsPerProduct", Sum.longsPerKey());

    return KeyedPCollectionTuple.of(PRODUCT, productsById)
        .and(PAGEVIEWS, pageviewCounts)
        .and(ORDERS, orderCounts)
        .and(UNITS, unitSums)
        .and(REVENUE, revenues)
        .and(RATINGS, ratingCounts)
        .and(STARS, starSums)
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

  private static class BuildRowFn extends DoFn<KV<Long, CoGbkResult>, Row> {
    // Repaired silver should not reference unknown products; counted so a regression shows.
    private final Counter withoutProduct =
        Metrics.counter("aggregate", "product_activity_without_product");

    @ProcessElement
    public void processElement(@Element KV<Long, CoGbkResult> joined, OutputReceiver<Row> out) {
      CoGbkResult activity = joined.getValue();
      Row product = activity.getOnly(PRODUCT, null);
      if (product == null) {
        withoutProduct.inc();
        return;
      }
      long ratings = activity.getOnly(RATINGS, 0L);
      out.output(
          Row.withSchema(SCHEMA)
              .withFieldValue("product_id", joined.getKey())
              .withFieldValue("name", product.getString("name"))
              .withFieldValue("category_group", product.getString("category_group"))
              .withFieldValue("price", product.getDouble("price"))
              .withFieldValue("pageviews", activity.getOnly(PAGEVIEWS, 0L))
              .withFieldValue("orders", activity.getOnly(ORDERS, 0L))
              .withFieldValue("units_sold", activity.getOnly(UNITS, 0L))
              .withFieldValue("revenue", activity.getOnly(REVENUE, 0.0))
              .withFieldValue("ratings", ratings)
              .withFieldValue("avg_stars", Silver.average(activity.getOnly(STARS, 0L), ratings))
              .build());
    }
  }
}
