package dev.fakelake.transforms.aggregate;

import static dev.fakelake.schemas.WarehouseTable.GOLD_PRODUCT_PERFORMANCE;
import static dev.fakelake.schemas.WarehouseTable.SILVER_ORDER_ITEMS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_PAGEVIEWS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_PRODUCTS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_RATINGS;
import static dev.fakelake.transforms.aggregate.SilverRows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fakelake.schemas.WarehouseTable;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class BuildProductPerformanceTest {

  @Test
  void countsOnlyPageviewsOfTheExactProductPage(TestPipeline pipeline) {
    List<Row> pageviews =
        List.of(
            pageview("e1", "/product/7"),
            pageview("e2", "/product/7"),
            pageview("e3", "/product/7?ref=mail"),
            pageview("e4", "/product/7/reviews"),
            pageview("e5", "/product/07"),
            pageview("e6", "/product/70"),
            pageview("e7", "/products/7"),
            pageview("e8", "/category/7"));

    PCollection<Row> performance =
        silver(pipeline, List.of(product(7)), pageviews, List.of(), List.of())
            .apply(BuildProductPerformance.of());

    PAssert.that(performance).containsInAnyOrder(performance(7, 2, 0, 0, 0.0, 0, null));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void sumsItemsOfNonCancelledOrdersCountingEachOrderOnce(TestPipeline pipeline) {
    List<Row> items =
        List.of(
            item(1, 1, 7, "delivered", 2, 20.5),
            item(1, 2, 7, "delivered", 1, 10.25),
            item(2, 1, 7, "paid", 1, 10.25),
            item(3, 1, 7, "cancelled", 5, 51.25),
            item(4, 1, 8, "paid", 4, 1.0));

    PCollection<Row> performance =
        silver(pipeline, List.of(product(7)), List.of(), items, List.of())
            .apply(BuildProductPerformance.of());

    PAssert.that(performance).containsInAnyOrder(performance(7, 0, 2, 4, 41.0, 0, null));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void averagesTheStarsOfTheProductsRatings(TestPipeline pipeline) {
    List<Row> ratings =
        List.of(
            rating("r1", 7L, 5), rating("r2", 7L, 2), rating("r3", null, 1), rating("r4", 8L, 1));

    PCollection<Row> performance =
        silver(pipeline, List.of(product(7)), List.of(), List.of(), ratings)
            .apply(BuildProductPerformance.of());

    PAssert.that(performance).containsInAnyOrder(performance(7, 0, 0, 0, 0.0, 2, 3.5));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void readsAProductIdOnlyFromTheExactPagePath() {
    assertEquals(123L, BuildProductPerformance.productOfPage("/product/123"));
    assertNull(BuildProductPerformance.productOfPage("/product/0123"));
    assertNull(BuildProductPerformance.productOfPage("/product/"));
    assertNull(BuildProductPerformance.productOfPage("/product/-1"));
    assertNull(BuildProductPerformance.productOfPage("/product/99999999999999999999"));
  }

  private static PCollectionTuple silver(
      TestPipeline pipeline,
      List<Row> products,
      List<Row> pageviews,
      List<Row> items,
      List<Row> ratings) {
    return PCollectionTuple.of(
            BuildGoldTables.tag(SILVER_PRODUCTS), create(pipeline, SILVER_PRODUCTS, products))
        .and(BuildGoldTables.tag(SILVER_PAGEVIEWS), create(pipeline, SILVER_PAGEVIEWS, pageviews))
        .and(BuildGoldTables.tag(SILVER_ORDER_ITEMS), create(pipeline, SILVER_ORDER_ITEMS, items))
        .and(BuildGoldTables.tag(SILVER_RATINGS), create(pipeline, SILVER_RATINGS, ratings));
  }

  private static PCollection<Row> create(
      TestPipeline pipeline, WarehouseTable table, List<Row> rows) {
    return pipeline.apply(
        "Create" + table.tableName(), Create.of(rows).withRowSchema(table.schema()));
  }

  private static Row product(long id) {
    return row(
        SILVER_PRODUCTS,
        "product_id",
        id,
        "name",
        "Product " + id,
        "category_group",
        "Books",
        "price",
        12.5);
  }

  private static Row pageview(String eventId, String url) {
    return row(SILVER_PAGEVIEWS, "event_id", eventId, "url", url);
  }

  private static Row item(
      long orderId, int lineNo, long productId, String status, int quantity, double amount) {
    return row(
        SILVER_ORDER_ITEMS,
        "order_id",
        orderId,
        "line_no",
        lineNo,
        "product_id",
        productId,
        "order_status",
        status,
        "quantity",
        quantity,
        "line_amount",
        amount);
  }

  private static Row rating(String eventId, Long productId, int stars) {
    return row(SILVER_RATINGS, "event_id", eventId, "product_id", productId, "stars", stars);
  }

  private static Row performance(
      long productId,
      long pageviews,
      long orders,
      long units,
      double revenue,
      long ratings,
      Double avgStars) {
    return Row.withSchema(GOLD_PRODUCT_PERFORMANCE.schema())
        .addValues(
            productId,
            "Product " + productId,
            "Books",
            12.5,
            pageviews,
            orders,
            units,
            revenue,
            ratings,
            avgStars)
        .build();
  }
}
