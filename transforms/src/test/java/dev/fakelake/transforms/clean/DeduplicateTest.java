package dev.fakelake.transforms.clean;

import static dev.fakelake.transforms.clean.BronzeRows.defects;
import static dev.fakelake.transforms.clean.BronzeRows.fields;
import static dev.fakelake.transforms.clean.BronzeRows.row;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.Entity;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One row per natural key, the newest version: by {@code updated_at} where the entity has it, then
 * by ingestion, then by where in the landing it came; repeats within a batch reported on request.
 */
@ExtendWith(TestPipelineExtension.class)
class DeduplicateTest {

  private static final Instant EARLY = Instant.parse("2026-03-01T08:00:00Z");
  private static final Instant LATE = Instant.parse("2026-03-02T08:00:00Z");

  private static PCollectionTuple deduplicate(
      TestPipeline pipeline, Entity entity, boolean reportDuplicates, Row... rows) {
    return pipeline
        .apply(Create.of(List.of(rows)).withRowSchema(Bronze.schema(entity)))
        .apply(Deduplicate.of(entity, reportDuplicates));
  }

  private static Row customer(long id, String city, Object... metadata) {
    Object[] values = new Object[4 + metadata.length];
    values[0] = "customer_id";
    values[1] = id;
    values[2] = "city";
    values[3] = city;
    System.arraycopy(metadata, 0, values, 4, metadata.length);
    return row(Entity.CUSTOMERS, values);
  }

  @Test
  void keepsTheVersionUpdatedLastEvenWhenAnOlderOneWasIngestedLater(TestPipeline pipeline) {
    Row shipped =
        row(
            Entity.ORDERS,
            "order_id",
            1L,
            "status",
            "shipped",
            "updated_at",
            LATE,
            Bronze.INGESTED_AT,
            EARLY);
    Row created =
        row(
            Entity.ORDERS,
            "order_id",
            1L,
            "status",
            "created",
            "updated_at",
            EARLY,
            Bronze.INGESTED_AT,
            LATE);

    PCollectionTuple out = deduplicate(pipeline, Entity.ORDERS, false, created, shipped);

    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "order_id", "status"))
        .containsInAnyOrder("order_id=1, status=shipped");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aVersionWithoutUpdatedAtCountsAsOlderThanAnyWithIt(TestPipeline pipeline) {
    Row dated =
        row(
            Entity.ORDERS,
            "order_id",
            1L,
            "status",
            "shipped",
            "updated_at",
            EARLY,
            Bronze.INGESTED_AT,
            EARLY);
    Row undated = row(Entity.ORDERS, "order_id", 1L, "status", "created", Bronze.INGESTED_AT, LATE);

    PCollectionTuple out = deduplicate(pipeline, Entity.ORDERS, false, undated, dated);

    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "order_id", "status"))
        .containsInAnyOrder("order_id=1, status=shipped");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void keepsTheVersionIngestedLastWhenTheEntityHasNoUpdatedAt(TestPipeline pipeline) {
    Row first = customer(1, "Brno", Bronze.INGESTED_AT, LATE);
    Row second = customer(1, "Praha", Bronze.INGESTED_AT, EARLY);

    PCollectionTuple out = deduplicate(pipeline, Entity.CUSTOMERS, false, first, second);

    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "customer_id", "city"))
        .containsInAnyOrder("customer_id=1, city=Brno");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void keepsTheLaterLineOfOneFileCountingLinesAsNumbers(TestPipeline pipeline) {
    Row lineNine = customer(1, "Brno", Bronze.SOURCE_RECORD, "line 9");
    Row lineTen = customer(1, "Praha", Bronze.SOURCE_RECORD, "line 10");

    PCollectionTuple out = deduplicate(pipeline, Entity.CUSTOMERS, false, lineTen, lineNine);

    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "customer_id", "city"))
        .containsInAnyOrder("customer_id=1, city=Praha");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void keepsEveryKeyOnceComparingAllFieldsOfAKey(TestPipeline pipeline) {
    Row item11 = row(Entity.ORDER_ITEMS, "order_id", 1L, "line_no", 1, "quantity", 1);
    Row item11Again = row(Entity.ORDER_ITEMS, "order_id", 1L, "line_no", 1, "quantity", 1);
    Row item12 = row(Entity.ORDER_ITEMS, "order_id", 1L, "line_no", 2, "quantity", 2);
    Row item21 = row(Entity.ORDER_ITEMS, "order_id", 2L, "line_no", 1, "quantity", 3);

    PCollectionTuple out =
        deduplicate(pipeline, Entity.ORDER_ITEMS, false, item11, item11Again, item12, item21);

    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "order_id", "line_no", "quantity"))
        .containsInAnyOrder(
            "order_id=1, line_no=1, quantity=1",
            "order_id=1, line_no=2, quantity=2",
            "order_id=2, line_no=1, quantity=3");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void reportsAKeyDeliveredMoreThanOnceInOneBatchOnce(TestPipeline pipeline) {
    Row[] rows = {
      customer(1, "Brno", Bronze.SOURCE_RECORD, "line 1"),
      customer(1, "Brno", Bronze.SOURCE_RECORD, "line 2"),
      customer(1, "Brno", Bronze.SOURCE_RECORD, "line 3"),
      customer(2, "Zlín", Bronze.SOURCE_RECORD, "line 4")
    };

    PCollectionTuple out = deduplicate(pipeline, Entity.CUSTOMERS, true, rows);

    PAssert.that(defects(out.get(Deduplicate.DUPLICATES)))
        .containsInAnyOrder("customers 1 duplicate null");
    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "customer_id"))
        .containsInAnyOrder("customer_id=1", "customer_id=2");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void doesNotReportAKeyDeliveredOnceInEachOfTwoBatches(TestPipeline pipeline) {
    Row old = customer(1, "Brno", Bronze.BATCH_ID, "b1", Bronze.INGESTED_AT, EARLY);
    Row changed = customer(1, "Praha", Bronze.BATCH_ID, "b2", Bronze.INGESTED_AT, LATE);

    PCollectionTuple out = deduplicate(pipeline, Entity.CUSTOMERS, true, old, changed);

    PAssert.that(out.get(Deduplicate.DUPLICATES)).empty();
    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "customer_id", "city"))
        .containsInAnyOrder("customer_id=1, city=Praha");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void reportsNothingWhenNotAskedButStillKeepsOneRow(TestPipeline pipeline) {
    Row first = customer(1, "Brno", Bronze.SOURCE_RECORD, "line 1");
    Row again = customer(1, "Brno", Bronze.SOURCE_RECORD, "line 2");

    PCollectionTuple out = deduplicate(pipeline, Entity.CUSTOMERS, false, first, again);

    PAssert.that(out.get(Deduplicate.DUPLICATES)).empty();
    PAssert.that(fields(out.get(Deduplicate.UNIQUE), "customer_id", Bronze.SOURCE_RECORD))
        .containsInAnyOrder("customer_id=1, _source_record=line 2");
    pipeline.run().waitUntilFinish();
  }
}
