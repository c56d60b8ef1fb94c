package dev.fakelake.transforms.aggregate;

import static dev.fakelake.schemas.WarehouseTable.GOLD_CUSTOMER_ENGAGEMENT;
import static dev.fakelake.schemas.WarehouseTable.SILVER_CUSTOMERS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_ORDERS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_PAGEVIEWS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_RATINGS;
import static dev.fakelake.transforms.aggregate.SilverRows.row;

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
class BuildCustomerEngagementTest {

  @Test
  void countsPageviewsSessionsNonCancelledOrdersAndRatingsOfACustomer(TestPipeline pipeline) {
    List<Row> customers = List.of(customer(1));
    List<Row> pageviews =
        List.of(pageview("e1", 1, "s1"), pageview("e2", 1, "s1"), pageview("e3", 1, "s2"));
    List<Row> orders =
        List.of(
            order(10, 1, "delivered", 2, 10.5),
            order(11, 1, "paid", 3, 20.25),
            order(12, 1, "cancelled", 7, 99.0));
    List<Row> ratings = List.of(rating("r1", 1, 4), rating("r2", 1, 5));

    PCollection<Row> engagement =
        silver(pipeline, customers, pageviews, orders, ratings).apply(BuildCustomerEngagement.of());

    PAssert.that(engagement).containsInAnyOrder(engagement(1, 3, 2, 2, 5, 30.75, 15.375, 2, 4.5));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void givesACustomerWithoutActivityZerosAndNoAverages(TestPipeline pipeline) {
    List<Row> customers = List.of(customer(2));
    List<Row> activityOfSomeoneElse = List.of(pageview("e1", 99, "s1"));
    List<Row> ordersOfSomeoneElse = List.of(order(10, 99, "paid", 1, 5.0));
    List<Row> ratingsOfSomeoneElse = List.of(rating("r1", 99, 3));

    PCollection<Row> engagement =
        silver(
                pipeline,
                customers,
                activityOfSomeoneElse,
                ordersOfSomeoneElse,
                ratingsOfSomeoneElse)
            .apply(BuildCustomerEngagement.of());

    PAssert.that(engagement).containsInAnyOrder(engagement(2, 0, 0, 0, 0, 0.0, null, 0, null));
    pipeline.run().waitUntilFinish();
  }

  private static PCollectionTuple silver(
      TestPipeline pipeline,
      List<Row> customers,
      List<Row> pageviews,
      List<Row> orders,
      List<Row> ratings) {
    return PCollectionTuple.of(
            BuildGoldTables.tag(SILVER_CUSTOMERS), create(pipeline, SILVER_CUSTOMERS, customers))
        .and(BuildGoldTables.tag(SILVER_PAGEVIEWS), create(pipeline, SILVER_PAGEVIEWS, pageviews))
        .and(BuildGoldTables.tag(SILVER_ORDERS), create(pipeline, SILVER_ORDERS, orders))
        .and(BuildGoldTables.tag(SILVER_RATINGS), create(pipeline, SILVER_RATINGS, ratings));
  }

  private static PCollection<Row> create(
      TestPipeline pipeline, WarehouseTable table, List<Row> rows) {
    return pipeline.apply(
        "Create" + table.tableName(), Create.of(rows).withRowSchema(table.schema()));
  }

  private static Row customer(long id) {
    return row(
        SILVER_CUSTOMERS,
        "customer_id",
        id,
        "full_name",
        "Jana Nováková " + id,
        "city",
        "Brno",
        "region",
        "Jihomoravský",
        "age_band",
        "25-34",
        "is_vip",
        true);
  }

  private static Row pageview(String eventId, long userId, String sessionId) {
    return row(SILVER_PAGEVIEWS, "event_id", eventId, "user_id", userId, "session_id", sessionId);
  }

  private static Row order(long orderId, long customerId, String status, int units, double total) {
    return row(
        SILVER_ORDERS,
        "order_id",
        orderId,
        "customer_id",
        customerId,
        "status",
        status,
        "units",
        units,
        "total_amount",
        total);
  }

  private static Row rating(String eventId, long userId, int stars) {
    return row(SILVER_RATINGS, "event_id", eventId, "user_id", userId, "stars", stars);
  }

  private static Row engagement(
      long customerId,
      long pageviews,
      long sessions,
      long orders,
      long items,
      double totalOrderValue,
      Double avgOrderValue,
      long ratings,
      Double avgStars) {
    return Row.withSchema(GOLD_CUSTOMER_ENGAGEMENT.schema())
        .addValues(
            customerId,
            "Jana Nováková " + customerId,
            "Brno",
            "Jihomoravský",
            "25-34",
            true,
            pageviews,
            sessions,
            orders,
            items,
            totalOrderValue,
            avgOrderValue,
            ratings,
            avgStars)
        .build();
  }
}
