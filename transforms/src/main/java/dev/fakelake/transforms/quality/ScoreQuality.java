package dev.fakelake.transforms.quality;

import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.longs;
import static org.apache.beam.sdk.values.TypeDescriptors.strings;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.WarehouseTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    return KeyedPCollectionTuple.of(TRUTH, keyByDefect(input.get(TRUTH), "KeyTruthByDefect"))
        .and(DETECTED, keyByDefect(input.get(DETECTED), "KeyDetectionsByDefect"))
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
   * Keys each record by ((entity, defect kind), key), which is what makes two records one defect.
   */
  private static PCollection<KV<KV<KV<String, String>, String>, Defect>> keyByDefect(
      PCollection<Defect> defects, String stepName) {
    return defects.apply(
        stepName,
        WithKeys.of(
                (Defect defect) ->
                    KV.of(KV.of(defect.getEntity(), defect.getDefect()), defect.getKey()))
            .withKeyType(kvs(kvs(strings(), strings()), strings())));
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

  /**
   * Emits, for one distinct defect, the outcomes it counts towards, once for its entity and once
   * for {@value #ALL_ENTITIES}.
   */
  private static class ClassifyFn
      extends DoFn<
          KV<KV<KV<String, String>, String>, CoGbkResult>, KV<KV<String, String>, String>> {
    @ProcessElement
    public void processElement(
        @Element KV<KV<KV<String, String>, String>, CoGbkResult> defect,
        OutputReceiver<KV<KV<String, String>, String>> out) {
      boolean injected = defect.getValue().getAll(TRUTH).iterator().hasNext();
      boolean detected = defect.getValue().getAll(DETECTED).iterator().hasNext();
      String entity = defect.getKey().getKey().getKey();
      String kind = defect.getKey().getKey().getValue();
      for (String scope : List.of(entity, ALL_ENTITIES)) {
        KV<String, String> scoreKey = KV.of(scope, kind);
        if (injected) {
          out.output(KV.of(scoreKey, INJECTED));
        }
        if (detected) {
          out.output(KV.of(scoreKey, DETECTED_OUTCOME));
        }
        if (injected && detected) {
          out.output(KV.of(scoreKey, TRUE_POSITIVES));
        }
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
