package dev.fakelake.transforms.aggregate;

import static dev.fakelake.schemas.WarehouseTable.GOLD_DAILY_SALES;
import static dev.fakelake.schemas.WarehouseTable.SILVER_ORDERS;
import static dev.fakelake.transforms.aggregate.SilverRows.row;

import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class BuildDailySalesTest {

  private static final LocalDate MONDAY = LocalDate.of(2024, 3, 4);
  private static final LocalDate TUESDAY = LocalDate.of(2024, 3, 5);

  @Test
  void sumsOrdersUnitsRevenueAndDistinctCustomersPerDay(TestPipeline pipeline) {
    List<Row> orders =
        List.of(
            order(1, 7, MONDAY, "delivered", 2, 10.5),
            order(2, 7, MONDAY, "paid", 1, 5.25),
            order(3, 8, MONDAY, "shipped", 3, 14.25),
            order(4, 8, TUESDAY, "created", 1, 2.0));

    PCollection<Row> sales =
        pipeline
            .apply(Create.of(orders).withRowSchema(SILVER_ORDERS.schema()))
            .apply(BuildDailySales.of());

    PAssert.that(sales)
        .containsInAnyOrder(sales(MONDAY, 3, 6, 30.0, 2, 10.0), sales(TUESDAY, 1, 1, 2.0, 1, 2.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void excludesCancelledOrders(TestPipeline pipeline) {
    List<Row> orders =
        List.of(
            order(1, 7, MONDAY, "delivered", 2, 10.5),
            order(2, 8, MONDAY, "cancelled", 9, 500.0),
            order(3, 9, TUESDAY, "cancelled", 1, 20.0));

    PCollection<Row> sales =
        pipeline
            .apply(Create.of(orders).withRowSchema(SILVER_ORDERS.schema()))
            .apply(BuildDailySales.of());

    PAssert.that(sales).containsInAnyOrder(sales(MONDAY, 1, 2, 10.5, 1, 10.5));
    pipeline.run().waitUntilFinish();
  }

  private static Row order(
      long orderId, long customerId, LocalDate date, String status, int units, double total) {
    return row(
        SILVER_ORDERS,
        "order_id",
        orderId,
        "customer_id",
        customerId,
        "order_date",
        date,
        "status",
        status,
        "units",
        units,
        "total_amount",
        total);
  }

  private static Row sales(
      LocalDate date, long orders, long units, double revenue, long customers, double average) {
    return Row.withSchema(GOLD_DAILY_SALES.schema())
        .addValues(date, orders, units, revenue, customers, average)
        .build();
  }
}
