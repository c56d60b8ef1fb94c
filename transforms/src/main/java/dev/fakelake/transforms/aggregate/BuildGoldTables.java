package dev.fakelake.transforms.aggregate;

import dev.fakelake.schemas.WarehouseTable;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Builds the gold aggregates {@code customer_engagement}, {@code daily_sales}, {@code
 * product_performance} and {@code listing_turnover} from the silver tables. Every table, in and
 * out, is tagged {@link #tag(WarehouseTable)}:
 *
 * <pre>{@code
 * PCollectionTuple gold =
 *     PCollectionTuple.of(BuildGoldTables.tag(SILVER_CUSTOMERS), customers)
 *         .and(BuildGoldTables.tag(SILVER_ORDERS), orders)
 *         ...
 *         .apply("BuildGoldTables", BuildGoldTables.of());
 * PCollection<Row> dailySales = gold.get(BuildGoldTables.tag(GOLD_DAILY_SALES));
 * }</pre>
 */
public class BuildGoldTables extends PTransform<PCollectionTuple, PCollectionTuple> {

  private BuildGoldTables() {}

  public static BuildGoldTables of() {
    return new BuildGoldTables();
  }

  /** The tag of a table's rows; tags are equal by table, so callers can build them in a loop. */
  public static TupleTag<Row> tag(WarehouseTable table) {
    return new TupleTag<>(table.qualifiedName());
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple silver) {
    String name = getClass().getSimpleName();
    return PCollectionTuple.of(
            tag(WarehouseTable.GOLD_CUSTOMER_ENGAGEMENT),
            silver.apply("BuildCustomerEngagement", BuildCustomerEngagement.of()))
        .and(
            tag(WarehouseTable.GOLD_DAILY_SALES),
            Silver.table(silver, WarehouseTable.SILVER_ORDERS, name)
                .apply("BuildDailySales", BuildDailySales.of()))
        .and(
            tag(WarehouseTable.GOLD_PRODUCT_PERFORMANCE),
            silver.apply("BuildProductPerformance", BuildProductPerformance.of()))
        .and(
            tag(WarehouseTable.GOLD_LISTING_TURNOVER),
            Silver.table(silver, WarehouseTable.SILVER_CAR_LISTINGS, name)
                .apply("BuildListingTurnover", BuildListingTurnover.of()));
  }
}
