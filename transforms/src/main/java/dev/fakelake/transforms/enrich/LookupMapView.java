package dev.fakelake.transforms.enrich;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A lookup table (customers by id, the VIP list) as a map side input held in one element: each
 * bundle gathers its entries into a map, and the bundles' maps are merged into one.
 *
 * <p>It answers what {@code View.asMap()} answers, but Flink's streaming runner builds that view by
 * grouping the table entry by entry, at the cost of a windowed grouping's state and timers per
 * entry, and then rebuilds the map from the entries for every worker: for 200,000 customers, some
 * twenty seconds in which enrichment waits. A key given twice keeps one of its values (lookup
 * tables have one row per key).
 *
 * <p>Input: the entries, in the global window (a table read from files). An empty table gives an
 * empty map.
 */
public final class LookupMapView<K, V>
    extends PTransform<PCollection<KV<K, V>>, PCollectionView<Map<K, V>>> {

  private LookupMapView() {}

  public static <K, V> LookupMapView<K, V> of() {
    return new LookupMapView<>();
  }

  @Override
  public PCollectionView<Map<K, V>> expand(PCollection<KV<K, V>> entries) {
    if (!(entries.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      throw new IllegalArgumentException(
          "A lookup table is read whole, in the global window; got "
              + entries.getWindowingStrategy().getWindowFn());
    }
    if (!(entries.getCoder() instanceof KvCoder<K, V> entryCoder)) {
      throw new IllegalArgumentException("Expected a KvCoder, got " + entries.getCoder());
    }
    Coder<Map<K, V>> mapCoder = MapCoder.of(entryCoder.getKeyCoder(), entryCoder.getValueCoder());
    return entries
        .apply("GatherBundles", ParDo.of(new GatherBundleFn<K, V>()))
        .setCoder(mapCoder)
        .apply("MergeMaps", Combine.globally(new MergeMapsFn<K, V>(mapCoder)).asSingletonView());
  }

  /** A bundle's entries as one map, passed on when the bundle ends. */
  private static final class GatherBundleFn<K, V> extends DoFn<KV<K, V>, Map<K, V>> {
    private transient Map<K, V> entries;

    @StartBundle
    public void start() {
      entries = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<K, V> entry) {
      entries.put(entry.getKey(), entry.getValue());
    }

    @FinishBundle
    public void finish(FinishBundleContext context) {
      if (!entries.isEmpty()) {
        context.output(entries, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }
  }

  /** Merges the bundles' maps into one. */
  private static final class MergeMapsFn<K, V> extends CombineFn<Map<K, V>, Map<K, V>, Map<K, V>> {
    private final Coder<Map<K, V>> mapCoder;

    MergeMapsFn(Coder<Map<K, V>> mapCoder) {
      this.mapCoder = mapCoder;
    }

    @Override
    public Map<K, V> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<K, V> addInput(Map<K, V> merged, Map<K, V> bundle) {
      merged.putAll(bundle);
      return merged;
    }

    @Override
    public Map<K, V> mergeAccumulators(Iterable<Map<K, V>> accumulators) {
      Map<K, V> merged = new HashMap<>();
      for (Map<K, V> accumulator : accumulators) {
        merged.putAll(accumulator);
      }
      return merged;
    }

    @Override
    public Map<K, V> extractOutput(Map<K, V> merged) {
      return merged;
    }

    @Override
    public Coder<Map<K, V>> getAccumulatorCoder(CoderRegistry registry, Coder<Map<K, V>> input) {
      return mapCoder;
    }

    @Override
    public Coder<Map<K, V>> getDefaultOutputCoder(CoderRegistry registry, Coder<Map<K, V>> input) {
      return mapCoder;
    }
  }
}
