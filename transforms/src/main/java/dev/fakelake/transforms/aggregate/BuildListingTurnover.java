package dev.fakelake.transforms.aggregate;

import static org.apache.beam.sdk.values.TypeDescriptors.kvs;
import static org.apache.beam.sdk.values.TypeDescriptors.strings;

import dev.fakelake.schemas.WarehouseTable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.ReadableInstant;

/**
 * Builds {@code gold.listing_turnover} from {@code silver.car_listings}: per make and model, how
 * many cars were listed and sold, how many days a sold car stayed listed (mean and median), and the
 * mean price and mileage.
 */
public class BuildListingTurnover extends PTransform<PCollection<Row>, PCollection<Row>> {

  private static final Schema SCHEMA = WarehouseTable.GOLD_LISTING_TURNOVER.schema();
  private static final double MILLIS_PER_DAY = 86_400_000.0;

  private BuildListingTurnover() {}

  public static BuildListingTurnover of() {
    return new BuildListingTurnover();
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> input) {
    // A median needs every value of its group, so the listings are grouped rather than combined;
    // in buckets of models, as there are hundreds of models: see GroupByBucket.
    return Silver.checked(input, WarehouseTable.SILVER_CAR_LISTINGS, getClass().getSimpleName())
        .apply(
            "KeyListingsByModel",
            WithKeys.of(
                    (Row listing) -> KV.of(listing.getString("make"), listing.getString("model")))
                .withKeyType(kvs(strings(), strings())))
        .apply("GroupListingsByModel", GroupByBucket.create())
        .apply("BuildListingTurnoverRows", ParDo.of(new BuildRowFn()))
        .setRowSchema(SCHEMA);
  }

  /** The middle value of sorted values, or the mean of the two middle ones; null when empty. */
  static @Nullable Double median(List<Double> sorted) {
    int n = sorted.size();
    if (n == 0) {
      return null;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Days a sold listing stayed up; curate's column when present, else from the timestamps. */
  private static @Nullable Double turnoverDays(Row listing) {
    ReadableInstant removedAt = listing.getValue("removed_at");
    if (removedAt == null) {
      return null;
    }
    Double days = listing.getDouble("turnover_days");
    if (days != null) {
      return days;
    }
    ReadableInstant listedAt = listing.getValue("listed_at");
    return (removedAt.getMillis() - listedAt.getMillis()) / MILLIS_PER_DAY;
  }

  private static class BuildRowFn extends DoFn<KV<KV<String, String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void processElement(
        @Element KV<KV<String, String>, Iterable<Row>> model, OutputReceiver<Row> out) {
      long listings = 0;
      long kmSum = 0;
      // Exact sums, because the grouped values arrive in no particular order.
      BigDecimal priceSum = BigDecimal.ZERO;
      BigDecimal turnoverSum = BigDecimal.ZERO;
      List<Double> turnovers = new ArrayList<>();
      for (Row listing : model.getValue()) {
        listings++;
        kmSum += listing.getInt32("km");
        priceSum = priceSum.add(new BigDecimal(listing.getDouble("price")));
        Double days = turnoverDays(listing);
        if (days != null) {
          turnovers.add(days);
          turnoverSum = turnoverSum.add(new BigDecimal(days));
        }
      }
      Collections.sort(turnovers);
      out.output(
          Row.withSchema(SCHEMA)
              .withFieldValue("make", model.getKey().getKey())
              .withFieldValue("model", model.getKey().getValue())
              .withFieldValue("listings", listings)
              .withFieldValue("sold", (long) turnovers.size())
              .withFieldValue(
                  "avg_turnover_days", Silver.average(turnoverSum.doubleValue(), turnovers.size()))
              .withFieldValue("median_turnover_days", median(turnovers))
              .withFieldValue("avg_price", priceSum.doubleValue() / listings)
              .withFieldValue("avg_km", (double) kmSum / listings)
              .build());
    }
  }
}
