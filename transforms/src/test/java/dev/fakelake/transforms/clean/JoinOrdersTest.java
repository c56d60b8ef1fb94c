package dev.fakelake.transforms.clean;

import static dev.fakelake.transforms.clean.BronzeRows.byId;
import static dev.fakelake.transforms.clean.BronzeRows.defects;
import static dev.fakelake.transforms.clean.BronzeRows.fields;
import static dev.fakelake.transforms.clean.BronzeRows.quarantined;
import static dev.fakelake.transforms.clean.BronzeRows.row;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.SilverRows;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Orders joined with their items, products and customers: totals and the customer's attributes on
 * each order, product and order attributes on each item, and items without an order quarantined as
 * orphans.
 */
@ExtendWith(TestPipelineExtension.class)
class JoinOrdersTest {

  private static final Instant MORNING = Instant.parse("2026-06-21T10:00:00Z");
  private static final Instant NIGHT = Instant.parse("2026-06-21T21:30:00Z");
  private static final long PRAGUE_CUSTOMER = 1L;
  private static final long UNKNOWN_CUSTOMER = 99L;
  private static final long LAMP = 5L;
  private static final long NOVEL = 6L;

  private static final Row PRAGUE_VIP =
      SilverRows.row(
          WarehouseTable.SILVER_CUSTOMERS,
          "customer_id",
          PRAGUE_CUSTOMER,
          "city",
          "Praha",
          "region",
          "Hlavní město Praha",
          "latitude",
          50.0755,
          "longitude",
          14.4378,
          "age_band",
          "35-44",
          "is_vip",
          true);

  private static Row order(long orderId, long customerId, Object... overrides) {
    Object[] values = {
      "order_id", orderId,
      "customer_id", customerId,
      "status", "shipped",
      "payment_method", "card",
      "created_at", MORNING,
      "updated_at", MORNING
    };
    return row(Entity.ORDERS, concat(values, overrides));
  }

  private static Row item(long orderId, int lineNo, long productId, int quantity, double price) {
    return row(
        Entity.ORDER_ITEMS,
        "order_id",
        orderId,
        "line_no",
        lineNo,
        "product_id",
        productId,
        "quantity",
        quantity,
        "unit_price",
        price,
        "updated_at",
        MORNING,
        Bronze.SOURCE_LOCATION,
        "jdbc:postgresql://source/shop/order_items",
        Bronze.SOURCE_RECORD,
        orderId + "," + lineNo);
  }

  private static Object[] concat(Object[] first, Object[] second) {
    Object[] all = new Object[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  private static PCollectionTuple join(TestPipeline pipeline, List<Row> orders, List<Row> items) {
    PCollectionView<Map<Long, Row>> customers =
        byId(
            pipeline,
            "Customers",
            WarehouseTable.SILVER_CUSTOMERS.schema(),
            "customer_id",
            PRAGUE_VIP);
    PCollectionView<Map<Long, Row>> products =
        byId(
            pipeline,
            "Products",
            WarehouseTable.SILVER_PRODUCTS.schema(),
            "product_id",
            product(LAMP, "Lamp", "Home"),
            product(NOVEL, "Novel", "Books"));
    return PCollectionTuple.of(
            JoinOrders.ORDERS,
            pipeline.apply(
                "CreateOrders", Create.of(orders).withRowSchema(Bronze.schema(Entity.ORDERS))))
        .and(
            JoinOrders.ITEMS,
            pipeline.apply(
                "CreateItems", Create.of(items).withRowSchema(Bronze.schema(Entity.ORDER_ITEMS))))
        .apply(JoinOrders.with(customers, products));
  }

  private static Row product(long id, String name, String group) {
    return SilverRows.row(
        WarehouseTable.SILVER_PRODUCTS, "product_id", id, "name", name, "category_group", group);
  }

  @Test
  void eachOrderCountsItsOwnItemsUnitsAndRoundedTotal(TestPipeline pipeline) {
    PCollectionTuple out =
        join(
            pipeline,
            List.of(order(1, PRAGUE_CUSTOMER), order(2, PRAGUE_CUSTOMER)),
            List.of(
                item(1, 1, LAMP, 2, 10.0), item(1, 2, NOVEL, 1, 5.5), item(2, 1, NOVEL, 3, 0.1)));

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDERS),
                "order_id",
                "item_count",
                "units",
                "total_amount"))
        .containsInAnyOrder(
            "order_id=1, item_count=2, units=3, total_amount=25.5",
            "order_id=2, item_count=1, units=3, total_amount=0.3");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void theMainCategoryIsTheGroupOfTheLineWithTheLargestAmount(TestPipeline pipeline) {
    PCollectionTuple out =
        join(
            pipeline,
            List.of(order(1, PRAGUE_CUSTOMER)),
            List.of(item(1, 1, LAMP, 1, 10.0), item(1, 2, NOVEL, 3, 5.0)));

    PAssert.that(fields(out.get(JoinOrders.SILVER_ORDERS), "order_id", "main_category"))
        .containsInAnyOrder("order_id=1, main_category=Books");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anOrderWithoutItemsHasZeroTotalsAndNoMainCategory(TestPipeline pipeline) {
    PCollectionTuple out = join(pipeline, List.of(order(1, PRAGUE_CUSTOMER)), List.of());

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDERS),
                "item_count",
                "units",
                "total_amount",
                "main_category"))
        .containsInAnyOrder("item_count=0, units=0, total_amount=0.0, main_category=null");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anOrderTakesItsCustomersCityRegionAgeBandAndVipFlag(TestPipeline pipeline) {
    PCollectionTuple out =
        join(pipeline, List.of(order(1, PRAGUE_CUSTOMER)), List.of(item(1, 1, LAMP, 1, 10.0)));

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDERS),
                "customer_city",
                "customer_region",
                "customer_age_band",
                "is_vip"))
        .containsInAnyOrder(
            "customer_city=Praha, customer_region=Hlavní město Praha, customer_age_band=35-44,"
                + " is_vip=true");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anOrderOfAnUnknownCustomerIsKeptWithoutCustomerAttributes(TestPipeline pipeline) {
    PCollectionTuple out =
        join(pipeline, List.of(order(1, UNKNOWN_CUSTOMER)), List.of(item(1, 1, LAMP, 1, 10.0)));

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDERS),
                "order_id",
                "customer_city",
                "customer_age_band",
                "is_vip",
                "is_daylight"))
        .containsInAnyOrder(
            "order_id=1, customer_city=null, customer_age_band=null, is_vip=false,"
                + " is_daylight=null");
    PAssert.that(out.get(ConformRecords.QUARANTINE)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anOrderGetsTheCalendarAndDaylightOfItsCreationAtItsCustomersCity(TestPipeline pipeline) {
    PCollectionTuple out =
        join(
            pipeline,
            List.of(order(1, PRAGUE_CUSTOMER, "created_at", NIGHT)),
            List.of(item(1, 1, LAMP, 1, 10.0)));

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDERS),
                "order_date",
                "day_of_week",
                "hour_band",
                "is_daylight"))
        .containsInAnyOrder(
            "order_date=2026-06-21, day_of_week=Sunday, hour_band=evening, is_daylight=false");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anOrderWithoutPaymentMethodIsKeptAndReported(TestPipeline pipeline) {
    PCollectionTuple out =
        join(
            pipeline,
            List.of(order(1, PRAGUE_CUSTOMER, "payment_method", null)),
            List.of(item(1, 1, LAMP, 1, 10.0)));

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDERS), "order_id", "payment_method", "missing_fields"))
        .containsInAnyOrder("order_id=1, payment_method=null, missing_fields=payment_method");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("orders 1 missing_field payment_method");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void itemsTakeTheirProductAndTheirOrdersCustomerStatusAndTime(TestPipeline pipeline) {
    PCollectionTuple out =
        join(pipeline, List.of(order(1, PRAGUE_CUSTOMER)), List.of(item(1, 1, LAMP, 2, 10.0)));

    PAssert.that(
            fields(
                out.get(JoinOrders.SILVER_ORDER_ITEMS),
                "order_id",
                "line_no",
                "customer_id",
                "order_status",
                "created_at",
                "product_name",
                "category_group",
                "line_amount"))
        .containsInAnyOrder(
            "order_id=1, line_no=1, customer_id=1, order_status=shipped,"
                + " created_at=2026-06-21T10:00:00.000Z, product_name=Lamp, category_group=Home,"
                + " line_amount=20.0");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void itemsWhoseOrderDoesNotExistAreReportedAsOrphansAndQuarantined(TestPipeline pipeline) {
    PCollectionTuple out =
        join(
            pipeline,
            List.of(order(1, PRAGUE_CUSTOMER)),
            List.of(
                item(1, 1, LAMP, 1, 10.0), item(7, 1, LAMP, 1, 10.0), item(7, 2, NOVEL, 1, 5.0)));

    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("order_items 7,1 orphan order_id", "order_items 7,2 orphan order_id");
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            "order_items | jdbc:postgresql://source/shop/order_items | 7,1 | 7,1 | quarantined"
                + " | order 7 not found",
            "order_items | jdbc:postgresql://source/shop/order_items | 7,2 | 7,2 | quarantined"
                + " | order 7 not found");
    PAssert.that(fields(out.get(JoinOrders.SILVER_ORDER_ITEMS), "order_id", "line_no"))
        .containsInAnyOrder("order_id=1, line_no=1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anOrderWithoutCreationTimeIsQuarantinedWithItsItems(TestPipeline pipeline) {
    PCollectionTuple out =
        join(
            pipeline,
            List.of(order(1, PRAGUE_CUSTOMER, "created_at", null)),
            List.of(item(1, 1, LAMP, 1, 10.0)));

    PAssert.that(out.get(JoinOrders.SILVER_ORDERS)).empty();
    PAssert.that(out.get(JoinOrders.SILVER_ORDER_ITEMS)).empty();
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            "orders | "
                + BronzeRows.file(Entity.ORDERS)
                + " | line 1 | 1 | quarantined | required field 'created_at' has no value",
            "order_items | jdbc:postgresql://source/shop/order_items | 1,1 | 1,1 | quarantined"
                + " | required field 'created_at' has no value");
    pipeline.run().waitUntilFinish();
  }
}
