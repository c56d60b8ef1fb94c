package dev.fakelake.transforms.enrich;

import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.clean.SplitLateEvents;
import dev.fakelake.transforms.quality.LatencyAlerts;
import java.util.Arrays;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Enriches stream pageviews into {@code silver.pageviews_enriched} rows: the customer's name, city
 * and region from the customer table, the VIP flag from the VIP list (both side inputs), the
 * calendar of the event time, whether it was day or night at the customer's city, how late the
 * event arrived and whether its latency calls for an alert. A pageview of a customer the tables do
 * not know keeps its row, with the customer columns empty, and is counted.
 */
public class EnrichPageviews extends PTransform<PCollection<Row>, PCollection<Row>> {

  private final @Nullable PCollectionView<Map<Long, Row>> customers;
  private final @Nullable PCollectionView<Map<Long, Long>> vipCustomers;
  private final int latencyAlertMs;

  private EnrichPageviews(
      @Nullable PCollectionView<Map<Long, Row>> customers,
      @Nullable PCollectionView<Map<Long, Long>> vipCustomers,
      int latencyAlertMs) {
    this.customers = customers;
    this.vipCustomers = vipCustomers;
    this.latencyAlertMs = latencyAlertMs;
  }

  /**
   * {@code customers}: silver customer rows by customer id; {@code vipCustomers}: the VIP list, as
   * customer id to the number of times the list names them. Either is null when there is no such
   * table yet: every pageview then lacks those columns. (A side input made from no elements would
   * not do: Flink's streaming runner holds every element back until such a side input's sources
   * end.)
   */
  public static EnrichPageviews with(
      @Nullable PCollectionView<Map<Long, Row>> customers,
      @Nullable PCollectionView<Map<Long, Long>> vipCustomers,
      int latencyAlertMs) {
    return new EnrichPageviews(customers, vipCustomers, latencyAlertMs);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> pageviews) {
    return pageviews
        .apply(
            "EnrichWithCustomers",
            ParDo.of(new EnrichFn(customers, vipCustomers, latencyAlertMs, pageviews.getSchema()))
                .withSideInputs(
                    java.util.stream.Stream.of(customers, vipCustomers)
                        .filter(java.util.Objects::nonNull)
                        .toList()))
        .setRowSchema(WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema());
  }

  private static class EnrichFn extends DoFn<Row, Row> {
    private final @Nullable PCollectionView<Map<Long, Row>> customersView;
    private final @Nullable PCollectionView<Map<Long, Long>> vipView;
    private final int latencyAlertMs;
    private final Schema schema = WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema();
    // For each output field, the input field it is copied from, or -1: resolved once, by name.
    private final int[] copiedFrom;
    private final Counter unknownCustomers =
        Metrics.counter("stream", "pageviews_unknown_customer");
    private final Counter enriched = Metrics.counter("stream", "pageviews_enriched");
    // Caches sunrise and sunset per city and day; rebuilt per DoFn instance.
    private transient Daylight daylight;
    // The side inputs, fetched once per DoFn instance: both are read once, in the global window,
    // before the first pageview is processed, and never change. A runner may build the whole map
    // anew on each sideInput() call (Flink does), which per bundle cost more than the enrichment.
    private transient @Nullable Map<Long, Row> customers;
    private transient @Nullable Map<Long, Long> vips;

    EnrichFn(
        @Nullable PCollectionView<Map<Long, Row>> customersView,
        @Nullable PCollectionView<Map<Long, Long>> vipView,
        int latencyAlertMs,
        Schema input) {
      this.customersView = customersView;
      this.vipView = vipView;
      this.latencyAlertMs = latencyAlertMs;
      this.copiedFrom = new int[schema.getFieldCount()];
      for (int i = 0; i < copiedFrom.length; i++) {
        String name = schema.getField(i).getName();
        copiedFrom[i] = input.hasField(name) ? input.indexOf(name) : -1;
      }
    }

    @Setup
    public void setup() {
      daylight = new Daylight();
    }

    @ProcessElement
    public void process(@Element Row pageview, ProcessContext context) {
      if (customers == null) {
        customers = customersView == null ? Map.of() : context.sideInput(customersView);
        vips = vipView == null ? Map.of() : context.sideInput(vipView);
      }
      Object[] values = new Object[copiedFrom.length];
      for (int i = 0; i < copiedFrom.length; i++) {
        if (copiedFrom[i] >= 0) {
          values[i] = pageview.getValue(copiedFrom[i]);
        }
      }
      long userId = pageview.getInt64("user_id");
      Instant time = pageview.getDateTime("event_time").toInstant();
      set(values, StreamMessage.PUBLISHED_AT, pageview.getValue(StreamMessage.PUBLISHED_AT));
      set(values, "lateness_ms", SplitLateEvents.latenessMillis(pageview));
      set(values, "event_date", Calendar.date(time));
      set(values, "day_of_week", Calendar.dayOfWeek(time));
      set(values, "hour_band", Calendar.hourBand(time));
      Row customer = customers.get(userId);
      if (customer == null) {
        unknownCustomers.inc();
      } else {
        set(values, "customer_name", customer.getString("full_name"));
        set(values, "city", customer.getString("city"));
        set(values, "region", customer.getString("region"));
        set(
            values,
            "is_daylight",
            daylight.isDaylight(
                customer.getDouble("latitude"), customer.getDouble("longitude"), time));
      }
      set(values, "is_vip", vips.containsKey(userId));
      Integer latency = pageview.getInt32("latency_ms");
      set(values, "is_latency_alert", LatencyAlerts.isAlert(latency, latencyAlertMs));
      // Every value is already of the type a row keeps (copied from the pageview, Instant, Long,
      // LocalDate, Boolean, String): attached as they are, without a check per field per row.
      context.output(Row.withSchema(schema).attachValues(Arrays.asList(values)));
      enriched.inc();
    }

    private void set(Object[] values, String field, @Nullable Object value) {
      values[schema.indexOf(field)] = value;
    }
  }
}
