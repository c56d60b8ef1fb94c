package dev.fakelake.transforms.quality;

import static org.apache.beam.sdk.values.TypeDescriptors.integers;
import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;
import static org.apache.beam.sdk.values.TypeDescriptors.strings;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.GroupByBucket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Scores what ingest and curate detected against the ground truth the generator recorded, as rows
 * of {@code ops.quality_scores}: per entity and defect kind, and per defect kind over all entities
 * (entity {@value #ALL_ENTITIES}). A defect is one (entity, key, defect kind); its field is
 * ignored, and repeated records of one defect count once.
 *
 * <pre>{@code
 * PCollection<Row> scores =
 *     PCollectionTuple.of(ScoreQuality.TRUTH, truth)
 *         .and(ScoreQuality.DETECTED, detected)
 *         .apply("ScoreQuality", ScoreQuality.of(scoredAt));
 * }</pre>
 */
public class ScoreQuality extends PTransform<PCollectionTuple, PCollection<Row>> {

  /** What the generator injected. */
  public static final TupleTag<Defect> TRUTH = new TupleTag<>() {};

  /** What ingest and curate flagged. */
  public static final TupleTag<Defect> DETECTED = new TupleTag<>() {};

  /** The entity of the rows that sum a defect kind over every entity. */
  public static final String ALL_ENTITIES = "all";

  private static final Schema SCHEMA = WarehouseTable.OPS_QUALITY_SCORES.schema();

  // The outcomes are named after the columns they are counted in.
  private static final String INJECTED = "injected";
  private static final String DETECTED_OUTCOME = "detected";
  private static final String TRUE_POSITIVES = "true_positives";

  private final Instant scoredAt;

  private ScoreQuality(Instant scoredAt) {
    this.scoredAt = scoredAt;
  }

  public static ScoreQuality of(Instant scoredAt) {
    return new ScoreQuality(scoredAt);
  }

  @Override
  public PCollection<Row> expand(PCollectionTuple input) {
    if (!input.has(TRUTH) || !input.has(DETECTED)) {
      throw new IllegalArgumentException(
          "ScoreQuality needs defects tagged ScoreQuality.TRUTH and ScoreQuality.DETECTED");
    }
    // Records are matched in buckets of defects, not one defect at a time: see GroupByBucket.
    return KeyedPCollectionTuple.of(TRUTH, keyByBucket(input.get(TRUTH), "KeyTruthByBucket"))
        .and(DETECTED, keyByBucket(input.get(DETECTED), "KeyDetectionsByBucket"))
        .apply("MatchDetectionsToTruth", CoGroupByKey.create())
        .apply("ClassifyDefects", ParDo.of(new ClassifyFn()))
        .apply("CountOutcomes", Count.perElement())
        .apply(
            "KeyCountsByScope",
            MapElements.into(kvs(kvs(strings(), strings()), kvs(strings(), longs())))
                .via(
                    (KV<KV<KV<String, String>, String>, Long> count) ->
                        KV.of(
                            count.getKey().getKey(),
                            KV.of(count.getKey().getValue(), count.getValue()))))
        .apply("GroupCountsByScope", GroupByKey.create())
        .apply("BuildScoreRows", ParDo.of(new BuildRowFn(scoredAt)))
        .setRowSchema(SCHEMA);
  }

  /**
   * Keys each record by the bucket of its key: the records of one defect share their key, so they
   * land in one bucket.
   */
  private static PCollection<KV<Integer, Defect>> keyByBucket(
      PCollection<Defect> defects, String stepName) {
    return defects.apply(
        stepName,
        WithKeys.of(
                (Defect defect) ->
                    GroupByBucket.bucketOf(
                        StringUtf8Coder.of(), defect.getKey(), GroupByBucket.DEFAULT_BUCKETS))
            .withKeyType(integers()));
  }

  /**
   * The scores as a fixed-width text table, by defect kind and entity with each kind's {@value
   * #ALL_ENTITIES} row last; a ratio without a denominator shows as {@code -}.
   */
  public static String formatTable(List<Row> scores) {
    List<Row> sorted = new ArrayList<>(scores);
    sorted.sort(
        Comparator.comparing((Row row) -> row.getString("defect_kind"))
            .thenComparing(row -> ALL_ENTITIES.equals(row.getString("entity")))
            .thenComparing(row -> row.getString("entity")));
    String format = "%-16s %-14s %9s %9s %9s %10s %8s%n";
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            format,
            "defect_kind",
            "entity",
            "injected",
            "detected",
            "true_pos",
            "precision",
            "recall"));
    for (Row row : sorted) {
      table.append(
          String.format(
              Locale.ROOT,
              format,
              row.getString("defect_kind"),
              row.getString("entity"),
              row.getInt64("injected"),
              row.getInt64("detected"),
              row.getInt64("true_positives"),
              percent(row.getDouble("precision")),
              percent(row.getDouble("recall"))));
    }
    return table.toString();
  }

  private static String percent(@Nullable Double ratio) {
    return ratio == null ? "-" : String.format(Locale.ROOT, "%.1f%%", ratio * 100);
  }

  /** What makes two records one defect: its entity, key and kind, but not its field. */
  private record DefectId(String entity, String key, String kind) {
    static DefectId of(Defect defect) {
      return new DefectId(defect.getEntity(), defect.getKey(), defect.getDefect());
    }
  }

  /**
   * Emits, for each distinct defect of a bucket, the outcomes it counts towards, once for its
   * entity and once for {@value #ALL_ENTITIES}.
   */
  private static class ClassifyFn
      extends DoFn<KV<Integer, CoGbkResult>, KV<KV<String, String>, String>> {
    @ProcessElement
    public void processElement(
        @Element KV<Integer, CoGbkResult> bucket,
        OutputReceiver<KV<KV<String, String>, String>> out) {
      Set<DefectId> injected = distinct(bucket.getValue().getAll(TRUTH));
      Set<DefectId> detected = distinct(bucket.getValue().getAll(DETECTED));
      for (DefectId defect : injected) {
        emit(defect, INJECTED, out);
        if (detected.contains(defect)) {
          emit(defect, TRUE_POSITIVES, out);
        }
      }
      for (DefectId defect : detected) {
        emit(defect, DETECTED_OUTCOME, out);
      }
    }

    private static Set<DefectId> distinct(Iterable<Defect> records) {
      Set<DefectId> defects = new HashSet<>();
      for (Defect defect : records) {
        defects.add(DefectId.of(defect));
      }
      return defects;
    }

    private static void emit(
        DefectId defect, String outcome, OutputReceiver<KV<KV<String, String>, String>> out) {
      for (String scope : List.of(defect.entity(), ALL_ENTITIES)) {
        out.output(KV.of(KV.of(scope, defect.kind()), outcome));
      }
    }
  }

  private static class BuildRowFn
      extends DoFn<KV<KV<String, String>, Iterable<KV<String, Long>>>, Row> {
    private final Instant scoredAt;

    BuildRowFn(Instant scoredAt) {
      this.scoredAt = scoredAt;
    }

    @ProcessElement
    public void processElement(
        @Element KV<KV<String, String>, Iterable<KV<String, Long>>> scope,
        OutputReceiver<Row> out) {
      Map<String, Long> counts = new HashMap<>();
      for (KV<String, Long> count : scope.getValue()) {
        counts.put(count.getKey(), count.getValue());
      }
      long injected = counts.getOrDefault(INJECTED, 0L);
      long detected = counts.getOrDefault(DETECTED_OUTCOME, 0L);
      long truePositives = counts.getOrDefault(TRUE_POSITIVES, 0L);
      out.output(
          Row.withSchema(SCHEMA)
              .withFieldValue("scored_at", scoredAt)
              .withFieldValue("entity", scope.getKey().getKey())
              .withFieldValue("defect_kind", scope.getKey().getValue())
              .withFieldValue(INJECTED, injected)
              .withFieldValue(DETECTED_OUTCOME, detected)
              .withFieldValue(TRUE_POSITIVES, truePositives)
              .withFieldValue("precision", ratio(truePositives, detected))
              .withFieldValue("recall", ratio(truePositives, injected))
              .build());
    }

    private static @Nullable Double ratio(long part, long whole) {
      return whole == 0 ? null : (double) part / whole;
    }
  }
}
