package dev.fakelake.transforms.features;

import static dev.fakelake.schemas.WarehouseTable.GOLD_ML_FEATURES;
import static dev.fakelake.schemas.WarehouseTable.SILVER_ORDERS;
import static dev.fakelake.transforms.aggregate.SilverRows.row;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class BuildMlFeaturesTest {

  /** A Friday in March. */
  private static final LocalDate FRIDAY = LocalDate.of(2024, 3, 15);

  @Test
  void setsOneDummyPerGroupFromTheOrder(TestPipeline pipeline) {
    Row order = order(1, "paid", "Books", "Hlavní město Praha", "25-34");

    PCollection<Row> features = features(pipeline, List.of(order));

    PAssert.that(features)
        .containsInAnyOrder(
            expected(
                1,
                "dow_friday",
                "month_03",
                "category_books",
                "region_hlavni_mesto_praha",
                "age_25_34"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void setsTheOtherDummyForValuesOutsideTheVocabularyOrMissing(TestPipeline pipeline) {
    Row order = order(1, "paid", null, "Bavaria", "unknown");

    PCollection<Row> features = features(pipeline, List.of(order));

    PAssert.that(features)
        .containsInAnyOrder(
            expected(1, "dow_friday", "month_03", "category_other", "region_other", "age_other"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void leavesOutCancelledOrders(TestPipeline pipeline) {
    List<Row> orders =
        List.of(
            order(1, "delivered", "Books", "Zlínský", "65+"),
            order(2, "cancelled", "Books", "Zlínský", "65+"));

    PCollection<Row> features = features(pipeline, orders);

    PAssert.that(features)
        .containsInAnyOrder(
            expected(1, "dow_friday", "month_03", "category_books", "region_zlinsky", "age_65"));
    pipeline.run().waitUntilFinish();
  }

  private static PCollection<Row> features(TestPipeline pipeline, List<Row> orders) {
    return pipeline
        .apply(Create.of(orders).withRowSchema(SILVER_ORDERS.schema()))
        .apply(BuildMlFeatures.of());
  }

  private static Row order(
      long orderId, String status, String category, String region, String ageBand) {
    return row(
        SILVER_ORDERS,
        "order_id",
        orderId,
        "customer_id",
        40L,
        "status",
        status,
        "order_date",
        FRIDAY,
        "item_count",
        2,
        "units",
        3,
        "total_amount",
        99.5,
        "main_category",
        category,
        "customer_region",
        region,
        "customer_age_band",
        ageBand,
        "is_vip",
        true);
  }

  /** The features of an order built by {@link #order}, with exactly the named dummies set. */
  private static Row expected(long orderId, String... setDummies) {
    Schema schema = GOLD_ML_FEATURES.schema();
    Map<String, Object> values = new HashMap<>();
    for (String column : schema.getFieldNames()) {
      values.put(column, 0);
    }
    values.put("order_id", orderId);
    values.put("customer_id", 40L);
    values.put("order_date", FRIDAY);
    values.put("total_amount", 99.5);
    values.put("item_count", 2);
    values.put("units", 3);
    values.put("is_vip", 1);
    for (String dummy : setDummies) {
      if (!schema.hasField(dummy)) {
        throw new IllegalArgumentException("gold.ml_features has no column " + dummy);
      }
      values.put(dummy, 1);
    }
    return Row.withSchema(schema).withFieldValues(values).build();
  }
}
