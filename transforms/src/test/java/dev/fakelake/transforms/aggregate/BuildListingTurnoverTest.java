package dev.fakelake.transforms.aggregate;

import static dev.fakelake.schemas.WarehouseTable.GOLD_LISTING_TURNOVER;
import static dev.fakelake.schemas.WarehouseTable.SILVER_CAR_LISTINGS;
import static dev.fakelake.transforms.aggregate.SilverRows.row;

import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class BuildListingTurnoverTest {

  private static final Instant LISTED = Instant.parse("2024-03-01T08:00:00Z");

  @Test
  void takesTheMiddleValueAsMedianOfAnOddCount(TestPipeline pipeline) {
    List<Row> listings =
        List.of(
            sold(1, "Škoda", "Octavia", 1.0),
            sold(2, "Škoda", "Octavia", 9.0),
            sold(3, "Škoda", "Octavia", 2.0));

    PCollection<Row> turnover = turnover(pipeline, listings);

    PAssert.that(turnover).containsInAnyOrder(turnover("Škoda", "Octavia", 3, 3, 4.0, 2.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void takesTheMeanOfTheTwoMiddleValuesAsMedianOfAnEvenCount(TestPipeline pipeline) {
    List<Row> listings =
        List.of(
            sold(1, "Škoda", "Octavia", 10.0),
            sold(2, "Škoda", "Octavia", 1.0),
            sold(3, "Škoda", "Octavia", 4.0),
            sold(4, "Škoda", "Octavia", 2.0));

    PCollection<Row> turnover = turnover(pipeline, listings);

    PAssert.that(turnover).containsInAnyOrder(turnover("Škoda", "Octavia", 4, 4, 4.25, 3.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void takesTurnoverOnlyFromSoldListingsPerMakeAndModel(TestPipeline pipeline) {
    List<Row> listings =
        List.of(
            sold(1, "Škoda", "Octavia", 3.0),
            unsold(2, "Škoda", "Octavia"),
            unsold(3, "Škoda", "Fabia"),
            sold(4, "Kia", "Ceed", 5.0));

    PCollection<Row> turnover = turnover(pipeline, listings);

    PAssert.that(turnover)
        .containsInAnyOrder(
            turnover("Škoda", "Octavia", 2, 1, 3.0, 3.0),
            turnover("Škoda", "Fabia", 1, 0, null, null),
            turnover("Kia", "Ceed", 1, 1, 5.0, 5.0));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void computesTurnoverFromTheTimestampsWhenCurateLeftItEmpty(TestPipeline pipeline) {
    Row soldInThirtySixHours =
        row(
            SILVER_CAR_LISTINGS,
            "listing_id",
            1L,
            "make",
            "Kia",
            "model",
            "Ceed",
            "price",
            200_000.0,
            "km",
            50_000,
            "listed_at",
            LISTED,
            "removed_at",
            LISTED.plus(Duration.standardHours(36)));

    PCollection<Row> turnover = turnover(pipeline, List.of(soldInThirtySixHours));

    PAssert.that(turnover).containsInAnyOrder(turnover("Kia", "Ceed", 1, 1, 1.5, 1.5));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void averagesPriceAndMileageOverAllListings(TestPipeline pipeline) {
    List<Row> listings =
        List.of(
            listing(1, "Kia", "Ceed", 100_000.5, 10_000, null),
            listing(2, "Kia", "Ceed", 300_000.0, 25_000, 1.0));

    PCollection<Row> turnover = turnover(pipeline, listings);

    PAssert.that(turnover)
        .containsInAnyOrder(
            Row.withSchema(GOLD_LISTING_TURNOVER.schema())
                .addValues("Kia", "Ceed", 2L, 1L, 1.0, 1.0, 200_000.25, 17_500.0)
                .build());
    pipeline.run().waitUntilFinish();
  }

  private static PCollection<Row> turnover(TestPipeline pipeline, List<Row> listings) {
    return pipeline
        .apply(Create.of(listings).withRowSchema(SILVER_CAR_LISTINGS.schema()))
        .apply(BuildListingTurnover.of());
  }

  private static Row sold(long id, String make, String model, double days) {
    return listing(id, make, model, 200_000.0, 50_000, days);
  }

  private static Row unsold(long id, String make, String model) {
    return listing(id, make, model, 200_000.0, 50_000, null);
  }

  private static Row listing(
      long id, String make, String model, double price, int km, Double turnoverDays) {
    Instant removedAt =
        turnoverDays == null
            ? null
            : LISTED.plus(Duration.millis(Math.round(turnoverDays * 86_400_000)));
    return row(
        SILVER_CAR_LISTINGS,
        "listing_id",
        id,
        "make",
        make,
        "model",
        model,
        "price",
        price,
        "km",
        km,
        "listed_at",
        LISTED,
        "removed_at",
        removedAt,
        "turnover_days",
        turnoverDays);
  }

  private static Row turnover(
      String make, String model, long listings, long sold, Double average, Double median) {
    return Row.withSchema(GOLD_LISTING_TURNOVER.schema())
        .addValues(make, model, listings, sold, average, median, 200_000.0, 50_000.0)
        .build();
  }
}
