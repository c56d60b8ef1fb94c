package dev.fakelake.transforms.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Groups values by key like {@link GroupByKey}, but shuffles a fixed number of buckets of keys
 * instead of every key on its own, and groups within each bucket in memory. The result is the same;
 * the difference is cost where each key would otherwise be a unit of work: the Direct runner makes
 * one bundle per key and pays about a millisecond per bundle and step, minutes for a hundred
 * thousand keys. A bucket must fit in a worker's memory: with 128 buckets that holds to tens of
 * millions of values.
 */
public class GroupByBucket<K, V>
    extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, Iterable<V>>>> {

  public static final int DEFAULT_BUCKETS = 128;

  private final int buckets;

  private GroupByBucket(int buckets) {
    this.buckets = buckets;
  }

  public static <K, V> GroupByBucket<K, V> create() {
    return new GroupByBucket<>(DEFAULT_BUCKETS);
  }

  /** The bucket of a key: from its encoded bytes, so it is the same in every JVM. */
  public static <K> int bucketOf(Coder<K> keyCoder, K key, int buckets) {
    try {
      return Math.floorMod(Arrays.hashCode(CoderUtils.encodeToByteArray(keyCoder, key)), buckets);
    } catch (CoderException e) {
      throw new IllegalArgumentException("Cannot encode key " + key, e);
    }
  }

  @Override
  public PCollection<KV<K, Iterable<V>>> expand(PCollection<KV<K, V>> input) {
    KvCoder<K, V> coder = (KvCoder<K, V>) input.getCoder();
    Coder<K> keyCoder = coder.getKeyCoder();
    int count = buckets;
    return input
        .apply("AssignBuckets", ParDo.of(new AssignFn<>(keyCoder, count)))
        .setCoder(KvCoder.of(VarIntCoder.of(), coder))
        .apply("GroupBuckets", GroupByKey.create())
        .apply("GroupKeysInBucket", ParDo.of(new SplitFn<>(keyCoder)))
        .setCoder(KvCoder.of(keyCoder, IterableCoder.of(coder.getValueCoder())));
  }

  private static class AssignFn<K, V> extends DoFn<KV<K, V>, KV<Integer, KV<K, V>>> {
    private final Coder<K> keyCoder;
    private final int buckets;

    AssignFn(Coder<K> keyCoder, int buckets) {
      this.keyCoder = keyCoder;
      this.buckets = buckets;
    }

    @ProcessElement
    public void process(@Element KV<K, V> element, OutputReceiver<KV<Integer, KV<K, V>>> out) {
      out.output(KV.of(bucketOf(keyCoder, element.getKey(), buckets), element));
    }
  }

  private static class SplitFn<K, V>
      extends DoFn<KV<Integer, Iterable<KV<K, V>>>, KV<K, Iterable<V>>> {
    private final Coder<K> keyCoder;

    SplitFn(Coder<K> keyCoder) {
      this.keyCoder = keyCoder;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<K, V>>> bucket, OutputReceiver<KV<K, Iterable<V>>> out) {
      Map<Object, KV<K, List<V>>> groups = new LinkedHashMap<>();
      for (KV<K, V> element : bucket.getValue()) {
        groups
            .computeIfAbsent(
                keyCoder.structuralValue(element.getKey()),
                k -> KV.of(element.getKey(), new ArrayList<>()))
            .getValue()
            .add(element.getValue());
      }
      for (KV<K, List<V>> group : groups.values()) {
        out.output(KV.of(group.getKey(), group.getValue()));
      }
    }
  }
}
