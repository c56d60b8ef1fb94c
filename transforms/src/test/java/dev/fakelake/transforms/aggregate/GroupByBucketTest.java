package dev.fakelake.transforms.aggregate;

import static org.apache.beam.sdk.values.TypeDescriptors.integers;
import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.lists;
import static org.apache.beam.sdk.values.TypeDescriptors.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class GroupByBucketTest {

  private static final KvCoder<String, Integer> CODER =
      KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of());

  @Test
  void groupsTheValuesOfEachOfManyKeys(TestPipeline pipeline) {
    // Key i gets the values 0 to i % 7, and value 0 twice, so groups differ in size and repeat.
    List<KV<String, Integer>> input = new ArrayList<>();
    TreeMap<String, List<Integer>> expected = new TreeMap<>();
    for (int i = 0; i < 2_000; i++) {
      String key = "key-" + i;
      for (int value = 0; value <= i % 7; value++) {
        input.add(KV.of(key, value));
        expected.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      }
      input.add(KV.of(key, 0));
      expected.get(key).add(0);
      expected.get(key).sort(null);
    }

    PCollection<KV<String, List<Integer>>> groups =
        sorted(pipeline.apply(Create.of(input).withCoder(CODER)).apply(GroupByBucket.create()));

    PAssert.that(groups).containsInAnyOrder(asKvs(expected));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void keepsKeysOfOneBucketApart(TestPipeline pipeline) {
    List<String> sameBucket = new ArrayList<>();
    int bucket = bucket("key-0");
    for (int i = 0; sameBucket.size() < 3; i++) {
      if (bucket("key-" + i) == bucket) {
        sameBucket.add("key-" + i);
      }
    }
    List<KV<String, Integer>> input =
        List.of(
            KV.of(sameBucket.get(0), 1),
            KV.of(sameBucket.get(1), 2),
            KV.of(sameBucket.get(2), 3),
            KV.of(sameBucket.get(0), 4),
            KV.of(sameBucket.get(1), 2));

    PCollection<KV<String, List<Integer>>> groups =
        sorted(pipeline.apply(Create.of(input).withCoder(CODER)).apply(GroupByBucket.create()));

    PAssert.that(groups)
        .containsInAnyOrder(
            KV.of(sameBucket.get(0), List.of(1, 4)),
            KV.of(sameBucket.get(1), List.of(2, 2)),
            KV.of(sameBucket.get(2), List.of(3)));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void bucketsAKeyByItsEncodingIntoTheGivenNumberOfBuckets() {
    // VarLongCoder encodes 1 as the single byte 1, whose Arrays.hashCode is 31 + 1.
    assertEquals(32, GroupByBucket.bucketOf(VarLongCoder.of(), 1L, 128));
    Set<Integer> buckets = new HashSet<>();
    for (long id = -1_000; id < 10_000; id++) {
      int bucket = GroupByBucket.bucketOf(VarLongCoder.of(), id, GroupByBucket.DEFAULT_BUCKETS);
      assertTrue(bucket >= 0 && bucket < GroupByBucket.DEFAULT_BUCKETS, "bucket " + bucket);
      buckets.add(bucket);
    }
    assertEquals(GroupByBucket.DEFAULT_BUCKETS, buckets.size());
  }

  private static int bucket(String key) {
    return GroupByBucket.bucketOf(StringUtf8Coder.of(), key, GroupByBucket.DEFAULT_BUCKETS);
  }

  /** Each group with its values sorted, as a grouping gives them in no particular order. */
  private static PCollection<KV<String, List<Integer>>> sorted(
      PCollection<KV<String, Iterable<Integer>>> groups) {
    return groups.apply(
        MapElements.into(kvs(strings(), lists(integers())))
            .via(
                group -> {
                  List<Integer> values = new ArrayList<>();
                  group.getValue().forEach(values::add);
                  values.sort(null);
                  return KV.of(group.getKey(), values);
                }));
  }

  private static List<KV<String, List<Integer>>> asKvs(TreeMap<String, List<Integer>> groups) {
    List<KV<String, List<Integer>>> kvs = new ArrayList<>();
    groups.forEach((key, values) -> kvs.add(KV.of(key, values)));
    return kvs;
  }
}
