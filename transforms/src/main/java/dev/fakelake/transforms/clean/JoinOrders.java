package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.GroupByBucket;
import dev.fakelake.transforms.enrich.Calendar;
import dev.fakelake.transforms.enrich.Daylight;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Joins orders with their items, the products and the customers: {@code silver.orders} gets one row
 * per order with its totals and the customer's region, VIP flag and daylight at the customer's
 * city; {@code silver.order_items} one row per item with its product. Items whose order does not
 * exist are quarantined and reported as orphans.
 */
public class JoinOrders extends PTransform<PCollectionTuple, PCollectionTuple> {

  /** Inputs: deduplicated bronze orders and order items. */
  public static final TupleTag<Row> ORDERS = new TupleTag<>() {};

  public static final TupleTag<Row> ITEMS = new TupleTag<>() {};

  /** Outputs. */
  public static final TupleTag<Row> SILVER_ORDERS = new TupleTag<>() {};

  public static final TupleTag<Row> SILVER_ORDER_ITEMS = new TupleTag<>() {};

  private final PCollectionView<Map<Long, Row>> customers;
  private final PCollectionView<Map<Long, Row>> products;

  private JoinOrders(
      PCollectionView<Map<Long, Row>> customers, PCollectionView<Map<Long, Row>> products) {
    this.customers = customers;
    this.products = products;
  }

  public static JoinOrders with(
      PCollectionView<Map<Long, Row>> customers, PCollectionView<Map<Long, Row>> products) {
    return new JoinOrders(customers, products);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    // Joined per bucket of order ids rather than per order: see GroupByBucket.
    PCollection<KV<Integer, Row>> orders =
        input
            .get(ORDERS)
            .apply(
                "KeyOrders",
                WithKeys.of((Row row) -> bucketOf(row)).withKeyType(TypeDescriptors.integers()));
    PCollection<KV<Integer, Row>> items =
        input
            .get(ITEMS)
            .apply(
                "KeyItems",
                WithKeys.of((Row row) -> bucketOf(row)).withKeyType(TypeDescriptors.integers()));
    PCollectionTuple out =
        KeyedPCollectionTuple.of(ORDERS, orders)
            .and(ITEMS, items)
            .apply("GroupItemsWithOrders", CoGroupByKey.create())
            .apply(
                "JoinOrderItemsProductsCustomers",
                ParDo.of(new JoinFn(customers, products))
                    .withSideInputs(customers, products)
                    .withOutputTags(
                        SILVER_ORDERS,
                        TupleTagList.of(
                            List.of(
                                SILVER_ORDER_ITEMS,
                                ConformRecords.DETECTIONS,
                                ConformRecords.QUARANTINE))));
    out.get(SILVER_ORDERS).setRowSchema(WarehouseTable.SILVER_ORDERS.schema());
    out.get(SILVER_ORDER_ITEMS).setRowSchema(WarehouseTable.SILVER_ORDER_ITEMS.schema());
    return out;
  }

  private static int bucketOf(Row row) {
    return GroupByBucket.bucketOf(
        VarLongCoder.of(), row.getInt64("order_id"), GroupByBucket.DEFAULT_BUCKETS);
  }

  private static class JoinFn extends DoFn<KV<Integer, CoGbkResult>, Row> {
    private final PCollectionView<Map<Long, Row>> customers;
    private final PCollectionView<Map<Long, Row>> products;
    private final Counter orphans = Metrics.counter("curate", "order_items.orphans");
    // Caches sunrise and sunset per city and day; rebuilt per DoFn instance.
    private transient Daylight daylight;

    JoinFn(PCollectionView<Map<Long, Row>> customers, PCollectionView<Map<Long, Row>> products) {
      this.customers = customers;
      this.products = products;
    }

    @Setup
    public void setup() {
      daylight = new Daylight();
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, CoGbkResult> bucket, MultiOutputReceiver out, ProcessContext context) {
      Map<Long, Row> orders = new TreeMap<>();
      for (Row order : bucket.getValue().getAll(ORDERS)) {
        orders.put(order.getInt64("order_id"), order);
      }
      Map<Long, List<Row>> items = new TreeMap<>();
      for (Row item : bucket.getValue().getAll(ITEMS)) {
        items.computeIfAbsent(item.getInt64("order_id"), id -> new ArrayList<>()).add(item);
      }
      Set<Long> ids = new TreeSet<>(orders.keySet());
      ids.addAll(items.keySet());
      // Once per bucket: each sideInput() call costs more than the lookup it serves.
      Map<Long, Row> customerById = context.sideInput(customers);
      Map<Long, Row> productById = context.sideInput(products);
      for (Long id : ids) {
        join(
            id,
            orders.get(id),
            items.getOrDefault(id, new ArrayList<>()),
            out,
            customerById,
            productById);
      }
    }

    private void join(
        Long orderId,
        @Nullable Row order,
        List<Row> items,
        MultiOutputReceiver out,
        Map<Long, Row> customerById,
        Map<Long, Row> productById) {
      items.sort(Comparator.comparing((Row row) -> row.getInt32("line_no")));
      if (order == null) {
        for (Row item : items) {
          String key = item.getInt64("order_id") + "," + item.getInt32("line_no");
          out.get(ConformRecords.DETECTIONS)
              .output(Defect.of(Entity.ORDER_ITEMS, key, DefectKind.ORPHAN, "order_id"));
          DeadLetter quarantined =
              Quarantine.of(Entity.ORDER_ITEMS, item, key, "order " + orderId + " not found");
          out.get(ConformRecords.QUARANTINE).output(quarantined);
          orphans.inc();
        }
        return;
      }
      Row customer = customerById.get(order.getInt64("customer_id"));
      int units = 0;
      double total = 0;
      double biggestLine = -1;
      String mainCategory = null;
      for (Row item : items) {
        Row product = productById.get(item.getInt64("product_id"));
        int quantity = item.getInt32("quantity") == null ? 0 : item.getInt32("quantity");
        double price = item.getDouble("unit_price") == null ? 0 : item.getDouble("unit_price");
        double amount = quantity * price;
        units += quantity;
        total += amount;
        String categoryGroup = product == null ? null : product.getString("category_group");
        if (amount > biggestLine) {
          biggestLine = amount;
          mainCategory = categoryGroup;
        }
        SilverRow silverItem = SilverRow.from(WarehouseTable.SILVER_ORDER_ITEMS.schema(), item);
        silverItem
            .set("customer_id", order.getInt64("customer_id"))
            .set("order_status", order.getString("status"))
            .set("created_at", ConformRecords.toInstant(order.getDateTime("created_at")))
            .set("product_name", product == null ? null : product.getString("name"))
            .set("category_group", categoryGroup)
            .set("line_amount", amount);
        if (silverItem.missingRequired() == null) {
          out.get(SILVER_ORDER_ITEMS).output(silverItem.build());
        } else {
          String key = item.getInt64("order_id") + "," + item.getInt32("line_no");
          out.get(ConformRecords.QUARANTINE)
              .output(
                  Quarantine.of(
                      Entity.ORDER_ITEMS,
                      item,
                      key,
                      "required field '" + silverItem.missingRequired() + "' has no value"));
        }
      }
      String orderKey = String.valueOf(order.getInt64("order_id"));
      SilverRow silver = SilverRow.from(WarehouseTable.SILVER_ORDERS.schema(), order);
      Instant created = ConformRecords.toInstant(order.getDateTime("created_at"));
      if (order.getString("payment_method") == null) {
        out.get(ConformRecords.DETECTIONS)
            .output(Defect.of(Entity.ORDERS, orderKey, DefectKind.MISSING_FIELD, "payment_method"));
        silver.set("missing_fields", "payment_method");
      }
      silver
          .set("item_count", items.size())
          .set("units", units)
          .set("total_amount", Math.round(total * 100) / 100.0)
          .set("main_category", mainCategory)
          .set("is_vip", customer != null && customer.getBoolean("is_vip"));
      if (customer != null) {
        silver
            .set("customer_city", customer.getString("city"))
            .set("customer_region", customer.getString("region"))
            .set("customer_age_band", customer.getString("age_band"));
      }
      if (created != null) {
        silver
            .set("order_date", Calendar.date(created))
            .set("day_of_week", Calendar.dayOfWeek(created))
            .set("hour_band", Calendar.hourBand(created));
        if (customer != null) {
          silver.set(
              "is_daylight",
              daylight.isDaylight(
                  customer.getDouble("latitude"), customer.getDouble("longitude"), created));
        }
      }
      String unset = silver.missingRequired();
      if (unset == null) {
        out.get(SILVER_ORDERS).output(silver.build());
      } else {
        out.get(ConformRecords.QUARANTINE)
            .output(
                Quarantine.of(
                    Entity.ORDERS, order, orderKey, "required field '" + unset + "' has no value"));
      }
    }
  }
}
