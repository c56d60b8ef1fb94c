package dev.fakelake.transforms.generate;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Order;
import dev.fakelake.schemas.OrderItem;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Generates the orders and their items that the source database holds, with their dirt: orders with
 * a missing payment method and items whose order does not exist. Outputs are tagged {@link
 * #ORDERS}, {@link #ORDER_ITEMS} and {@link #TRUTH}.
 */
public class GenerateOrders extends PTransform<PBegin, PCollectionTuple> {

  public static final TupleTag<Order> ORDERS = new TupleTag<>() {};
  public static final TupleTag<OrderItem> ORDER_ITEMS = new TupleTag<>() {};
  public static final TupleTag<Defect> TRUTH = new TupleTag<>() {};

  private static final long ORDERS_PER_BLOCK = 1_000;

  private final GenerationSpec spec;

  private GenerateOrders(GenerationSpec spec) {
    this.spec = spec;
  }

  public static GenerateOrders of(GenerationSpec spec) {
    return new GenerateOrders(spec);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    long orders = spec.count(Entity.ORDERS);
    return input
        .apply(
            "Blocks",
            GenerateSequence.from(0).to((orders + ORDERS_PER_BLOCK - 1) / ORDERS_PER_BLOCK))
        // Keyed by block number so each block is its own unit of work, and JDBC batches stay full.
        .apply(
            "KeyByBlock", WithKeys.of((Long block) -> block).withKeyType(TypeDescriptors.longs()))
        .apply("SpreadBlocks", Reshuffle.of())
        .apply("DropKeys", Values.create())
        .apply(
            "GenerateOrderRows",
            ParDo.of(new GenerateOrderFn(spec))
                .withOutputTags(ORDERS, TupleTagList.of(ORDER_ITEMS).and(TRUTH)));
  }

  private static class GenerateOrderFn extends DoFn<Long, Order> {
    private final GenerationSpec spec;
    private final Counter orders = Metrics.counter("generate", "records_orders");
    private final Counter items = Metrics.counter("generate", "records_order_items");
    private final Counter missing =
        Metrics.counter("generate", "defects_" + DefectKind.MISSING_FIELD.label());
    private final Counter orphans =
        Metrics.counter("generate", "defects_" + DefectKind.ORPHAN.label());

    // Built in @Setup: the factory holds a Faker, which is neither cheap nor serializable.
    private transient RecordFactory factory;
    private transient Dirt dirt;

    GenerateOrderFn(GenerationSpec spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      factory = new RecordFactory(spec);
      dirt = new Dirt(spec);
    }

    @ProcessElement
    public void processElement(@Element Long block, MultiOutputReceiver out) {
      long first = block * ORDERS_PER_BLOCK;
      long last = Math.min(spec.count(Entity.ORDERS), first + ORDERS_PER_BLOCK);
      for (long index = first; index < last; index++) {
        generate(index, out);
      }
      LiveProgress.add(Entity.ORDERS.tableName(), last - first);
    }

    private void generate(long index, MultiOutputReceiver out) {
      Order order = factory.order(index);
      if (dirt.missing(Entity.ORDERS, index)) {
        order = order.toBuilder().setPaymentMethod(null).build();
        out.get(TRUTH)
            .output(
                Defect.of(
                    Entity.ORDERS,
                    String.valueOf(order.getOrderId()),
                    DefectKind.MISSING_FIELD,
                    "payment_method"));
        missing.inc();
      }
      out.get(ORDERS).output(order);
      orders.inc();
      long orphanOrderId = spec.count(Entity.ORDERS) + 1 + index;
      for (OrderItem item : factory.orderItems(order)) {
        if (dirt.orphan(index, item.getLineNo())) {
          item = item.toBuilder().setOrderId(orphanOrderId).build();
          out.get(TRUTH)
              .output(
                  Defect.of(
                      Entity.ORDER_ITEMS,
                      item.getOrderId() + "," + item.getLineNo(),
                      DefectKind.ORPHAN,
                      "order_id"));
          orphans.inc();
        }
        out.get(ORDER_ITEMS).output(item);
        items.inc();
      }
    }
  }
}
