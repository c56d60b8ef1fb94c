package dev.fakelake.transforms.aggregate;

import static dev.fakelake.schemas.WarehouseTable.GOLD_CUSTOMER_ENGAGEMENT;
import static dev.fakelake.schemas.WarehouseTable.GOLD_DAILY_SALES;
import static dev.fakelake.schemas.WarehouseTable.GOLD_LISTING_TURNOVER;
import static dev.fakelake.schemas.WarehouseTable.GOLD_PRODUCT_PERFORMANCE;
import static dev.fakelake.schemas.WarehouseTable.SILVER_CAR_LISTINGS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_CUSTOMERS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_ORDERS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_ORDER_ITEMS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_PAGEVIEWS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_PRODUCTS;
import static dev.fakelake.schemas.WarehouseTable.SILVER_RATINGS;
import static dev.fakelake.transforms.aggregate.SilverRows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fakelake.schemas.WarehouseTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class BuildGoldTablesTest {

  private static final List<WarehouseTable> SILVER =
      List.of(
          SILVER_CUSTOMERS,
          SILVER_PRODUCTS,
          SILVER_ORDERS,
          SILVER_ORDER_ITEMS,
          SILVER_PAGEVIEWS,
          SILVER_RATINGS,
          SILVER_CAR_LISTINGS);

  private static final List<WarehouseTable> GOLD =
      List.of(
          GOLD_CUSTOMER_ENGAGEMENT,
          GOLD_DAILY_SALES,
          GOLD_PRODUCT_PERFORMANCE,
          GOLD_LISTING_TURNOVER);

  @Test
  void tagsEachGoldTableWithItsTableAndSchema(TestPipeline pipeline) {
    PCollectionTuple silver = PCollectionTuple.empty(pipeline);
    for (WarehouseTable table : SILVER) {
      silver =
          silver.and(
              BuildGoldTables.tag(table),
              pipeline.apply(
                  "Create" + table.tableName(),
                  Create.of(List.of(row(table))).withRowSchema(table.schema())));
    }

    PCollectionTuple gold = silver.apply(BuildGoldTables.of());

    Map<String, Schema> expected = new LinkedHashMap<>();
    Map<String, Schema> actual = new LinkedHashMap<>();
    for (WarehouseTable table : GOLD) {
      expected.put(table.qualifiedName(), table.schema());
      actual.put(table.qualifiedName(), gold.get(BuildGoldTables.tag(table)).getSchema());
    }
    assertEquals(expected, actual);
    assertEquals(GOLD.size(), gold.getAll().size());
    pipeline.run().waitUntilFinish();
  }
}
