package dev.fakelake.transforms.aggregate;

import static org.apache.beam.sdk.values.TypeDescriptors.doubles;
import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;

import dev.fakelake.schemas.WarehouseTable;
import java.time.LocalDate;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Builds {@code gold.daily_sales} from {@code silver.orders}: per order date, the non-cancelled
 * orders, their units and revenue, and how many distinct customers placed them.
 */
public class BuildDailySales extends PTransform<PCollection<Row>, PCollection<Row>> {

  private static final Schema SCHEMA = WarehouseTable.GOLD_DAILY_SALES.schema();

  private static final TupleTag<Long> ORDERS = new TupleTag<>() {};
  private static final TupleTag<Long> UNITS = new TupleTag<>() {};
  private static final TupleTag<Double> REVENUE = new TupleTag<>() {};
  private static final TupleTag<Long> CUSTOMERS = new TupleTag<>() {};

  private BuildDailySales() {}

  public static BuildDailySales of() {
    return new BuildDailySales();
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> input) {
    PCollection<Row> placed =
        Silver.checked(input, WarehouseTable.SILVER_ORDERS, getClass().getSimpleName())
            .apply(
                "DropCancelledOrders",
                Filter.by((Row order) -> !Silver.isCancelled(order.getString("status"))));

    // Days are keyed by epoch day: a grouping key needs a deterministic coder, LocalDate has none.
    PCollection<KV<Long, Long>> unitsByDay =
        placed.apply(
            "KeyUnitsByDay",
            MapElements.into(kvs(longs(), longs()))
                .via(order -> KV.of(epochDay(order), (long) order.getInt32("units"))));
    PCollection<KV<Long, Long>> orderCounts = unitsByDay.apply("CountOrdersPerDay", Count.perKey());
    PCollection<KV<Long, Long>> unitSums = unitsByDay.apply("SumUnitsPerDay", Sum.longsPerKey());
    PCollection<KV<Long, Double>> revenues =
        placed
            .apply(
                "KeyRevenueByDay",
                MapElements.into(kvs(longs(), doubles()))
                    .via(order -> KV.of(epochDay(order), order.getDouble("total_amount"))))
            .apply("SumRevenuePerDay", ExactSum.perKey());
    // Distinct would group by every (day, customer) pair, and many small groups are costly (see
    // GroupByBucket); a day has few customers, so they are counted within the day's group.
    PCollection<KV<Long, Long>> customerCounts =
        placed
            .apply(
                "KeyCustomersByDay",
                MapElements.into(kvs(longs(), longs()))
                    .via(order -> KV.of(epochDay(order), order.getInt64("customer_id"))))
            .apply("GroupCustomersByDay", GroupByKey.create())
            .apply(
                "CountDistinctCustomersPerDay",
                MapElements.into(kvs(longs(), longs()))
                    .via(day -> KV.of(day.getKey(), distinctCount(day.getValue()))));

    return KeyedPCollectionTuple.of(ORDERS, orderCounts)
        .and(UNITS, unitSums)
        .and(REVENUE, revenues)
        .and(CUSTOMERS, customerCounts)
        .apply("JoinDailyTotals", CoGroupByKey.create())
        .apply("BuildDailySalesRows", ParDo.of(new BuildRowFn()))
        .setRowSchema(SCHEMA);
  }

  private static long distinctCount(Iterable<Long> values) {
    return StreamSupport.stream(values.spliterator(), false).distinct().count();
  }

  private static long epochDay(Row order) {
    return order.getLogicalTypeValue("order_date", LocalDate.class).toEpochDay();
  }

  private static class BuildRowFn extends DoFn<KV<Long, CoGbkResult>, Row> {
    @ProcessElement
    public void processElement(@Element KV<Long, CoGbkResult> day, OutputReceiver<Row> out) {
      CoGbkResult totals = day.getValue();
      long orders = totals.getOnly(ORDERS);
      double revenue = totals.getOnly(REVENUE);
      out.output(
          Row.withSchema(SCHEMA)
              .withFieldValue("sales_date", LocalDate.ofEpochDay(day.getKey()))
              .withFieldValue("orders", orders)
              .withFieldValue("units", totals.getOnly(UNITS))
              .withFieldValue("revenue", revenue)
              .withFieldValue("customers", totals.getOnly(CUSTOMERS))
              .withFieldValue("avg_order_value", revenue / orders)
              .build());
    }
  }
}
