package dev.fakelake.transforms.aggregate;

import static org.apache.beam.sdk.values.TypeDescriptors.integers;
import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;

import dev.fakelake.schemas.Order;
import dev.fakelake.schemas.WarehouseTable;
import java.util.Locale;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Access to the silver tables the gold transforms read, checked when the graph is built. */
final class Silver {

  /** Silver keeps the source's lower-case status names. */
  static final String CANCELLED = Order.Status.CANCELLED.name().toLowerCase(Locale.ROOT);

  private Silver() {}

  /** The silver table tagged {@link BuildGoldTables#tag(WarehouseTable)} in a tuple. */
  static PCollection<Row> table(PCollectionTuple input, WarehouseTable table, String consumer) {
    TupleTag<Row> tag = BuildGoldTables.tag(table);
    if (!input.has(tag)) {
      throw new IllegalArgumentException(
          consumer
              + " needs "
              + table.qualifiedName()
              + ", tagged BuildGoldTables.tag("
              + table
              + ")");
    }
    return checked(input.get(tag), table, consumer);
  }

  /**
   * Fails at construction rather than mid-run when a silver collection does not carry its table's
   * schema.
   */
  static PCollection<Row> checked(PCollection<Row> rows, WarehouseTable table, String consumer) {
    if (!rows.hasSchema() || !rows.getSchema().equivalent(table.schema())) {
      throw new IllegalArgumentException(
          consumer
              + " expects rows of "
              + table.qualifiedName()
              + " with schema "
              + table.schema()
              + " but got "
              + (rows.hasSchema() ? rows.getSchema() : "no schema"));
    }
    return rows;
  }

  static boolean isCancelled(@Nullable String status) {
    return CANCELLED.equals(status);
  }

  static @Nullable Double average(double sum, long count) {
    return count == 0 ? null : sum / count;
  }

  /**
   * An (id, value) pair keyed by the {@link GroupByBucket} bucket of its id, to join by id in
   * buckets of ids rather than one id at a time.
   */
  static <V> KV<Integer, KV<Long, V>> inBucket(long id, V value) {
    return KV.of(bucketOf(id), KV.of(id, value));
  }

  /** The type of {@link #inBucket} pairs with values of the given type. */
  static <V> TypeDescriptor<KV<Integer, KV<Long, V>>> inBuckets(TypeDescriptor<V> valueType) {
    return kvs(integers(), kvs(longs(), valueType));
  }

  /** The {@link GroupByBucket} bucket of an id. */
  static int bucketOf(long id) {
    return GroupByBucket.bucketOf(VarLongCoder.of(), id, GroupByBucket.DEFAULT_BUCKETS);
  }
}
