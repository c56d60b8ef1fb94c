package dev.fakelake.transforms.quality;

import static dev.fakelake.schemas.DefectKind.LATENCY_OUTLIER;
import static dev.fakelake.schemas.DefectKind.MISSING_FIELD;
import static dev.fakelake.schemas.Entity.CUSTOMERS;
import static dev.fakelake.schemas.Entity.ORDERS;
import static dev.fakelake.schemas.Entity.PAGEVIEWS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.WarehouseTable;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ScoreQualityTest {

  private static final Instant SCORED_AT = Instant.parse("2024-03-15T12:00:00Z");

  @Test
  void countsRepeatedRecordsOfOneDefectOnceAndIgnoresTheField(TestPipeline pipeline) {
    List<Defect> truth =
        List.of(
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER, "latency_ms"),
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER, "latency_ms"),
            Defect.of(PAGEVIEWS, "e2", LATENCY_OUTLIER, "latency_ms"));
    List<Defect> detected =
        List.of(
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER, "raw_latency_ms"),
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e2", LATENCY_OUTLIER, null));

    PCollection<Row> scores = score(pipeline, truth, detected);

    PAssert.that(scores)
        .containsInAnyOrder(
            score("pageviews", "latency_outlier", 2, 2, 2, 1.0, 1.0),
            score("all", "latency_outlier", 2, 2, 2, 1.0, 1.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void scoresFalsePositivesAndMissesInPrecisionAndRecall(TestPipeline pipeline) {
    List<Defect> truth =
        List.of(
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e2", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e3", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e4", LATENCY_OUTLIER));
    List<Defect> detected =
        List.of(
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e2", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e3", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e9", LATENCY_OUTLIER),
            Defect.of(PAGEVIEWS, "e4", MISSING_FIELD));

    PCollection<Row> scores =
        score(pipeline, truth, detected)
            .apply(Filter.by((Row row) -> row.getString("entity").equals("pageviews")));

    PAssert.that(scores)
        .containsInAnyOrder(
            score("pageviews", "latency_outlier", 4, 4, 3, 0.75, 0.75),
            score("pageviews", "missing_field", 0, 1, 0, 0.0, null));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void leavesPrecisionEmptyWhenNothingWasDetected(TestPipeline pipeline) {
    List<Defect> truth = List.of(Defect.of(ORDERS, "5", MISSING_FIELD, "payment_method"));

    PCollection<Row> scores = score(pipeline, truth, List.of());

    PAssert.that(scores)
        .containsInAnyOrder(
            score("orders", "missing_field", 1, 0, 0, null, 0.0),
            score("all", "missing_field", 1, 0, 0, null, 0.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void sumsEachDefectKindOverAllEntities(TestPipeline pipeline) {
    List<Defect> truth =
        List.of(
            Defect.of(CUSTOMERS, "1", MISSING_FIELD, "email"),
            Defect.of(CUSTOMERS, "2", MISSING_FIELD, "phone"),
            Defect.of(ORDERS, "1", MISSING_FIELD, "payment_method"),
            Defect.of(PAGEVIEWS, "e1", LATENCY_OUTLIER));
    List<Defect> detected =
        List.of(
            Defect.of(CUSTOMERS, "1", MISSING_FIELD, "email"),
            Defect.of(ORDERS, "1", MISSING_FIELD, "payment_method"),
            Defect.of(ORDERS, "2", MISSING_FIELD, "payment_method"));

    PCollection<Row> scores =
        score(pipeline, truth, detected)
            .apply(Filter.by((Row row) -> row.getString("entity").equals("all")));

    PAssert.that(scores)
        .containsInAnyOrder(
            score("all", "missing_field", 3, 3, 2, 2.0 / 3, 2.0 / 3),
            score("all", "latency_outlier", 1, 0, 0, null, 0.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void formatsScoresAsATableByKindWithTheAllRowLast() {
    List<Row> scores =
        List.of(
            score("all", "missing_field", 3, 2, 2, 1.0, 2.0 / 3),
            score("orders", "missing_field", 1, 0, 0, null, 0.0),
            score("customers", "missing_field", 2, 2, 2, 1.0, 1.0),
            score("all", "duplicate", 1, 1, 1, 1.0, 1.0));

    String table = ScoreQuality.formatTable(scores);

    assertEquals(
        List.of(
            "defect_kind      entity          injected  detected  true_pos  precision   recall",
            "duplicate        all                    1         1         1     100.0%   100.0%",
            "missing_field    customers              2         2         2     100.0%   100.0%",
            "missing_field    orders                 1         0         0          -     0.0%",
            "missing_field    all                    3         2         2     100.0%    66.7%"),
        table.lines().toList());
  }

  private static PCollection<Row> score(
      TestPipeline pipeline, List<Defect> truth, List<Defect> detected) {
    return PCollectionTuple.of(
            ScoreQuality.TRUTH,
            pipeline.apply(
                "CreateTruth", Create.of(truth).withType(TypeDescriptor.of(Defect.class))))
        .and(
            ScoreQuality.DETECTED,
            pipeline.apply(
                "CreateDetected", Create.of(detected).withType(TypeDescriptor.of(Defect.class))))
        .apply(ScoreQuality.of(SCORED_AT));
  }

  private static Row score(
      String entity,
      String kind,
      long injected,
      long detected,
      long truePositives,
      Double precision,
      Double recall) {
    return Row.withSchema(WarehouseTable.OPS_QUALITY_SCORES.schema())
        .addValues(SCORED_AT, entity, kind, injected, detected, truePositives, precision, recall)
        .build();
  }
}
