package dev.fakelake.transforms.enrich;

import static dev.fakelake.transforms.aggregate.StreamRows.fields;

import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.SilverRows;
import dev.fakelake.transforms.ingest.ParseStreamMessages;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stream pageviews enriched with the customer tables: the customer's name and place, day or night
 * there, the calendar of the event time, how late it arrived, the VIP flag from the VIP list and
 * the latency alert; a pageview of an unknown customer is kept with the customer columns empty.
 */
@ExtendWith(TestPipelineExtension.class)
class EnrichPageviewsTest {

  private static final Schema PAGEVIEW = ParseStreamMessages.eventSchema(Entity.PAGEVIEWS);
  private static final int ALERT_MS = 2000;

  /** A winter Monday: in Prague the sun is up from about 07:00 to 15:00 UTC. */
  private static final Instant NOON = Instant.parse("2026-12-21T12:00:00Z");

  private static final Instant TWO_AM = Instant.parse("2026-12-22T02:00:00Z");

  private static final long JANA = 7;
  private static final long PETR = 8;
  private static final long UNKNOWN = 99;

  private static final Row JANA_ROW =
      SilverRows.row(
          WarehouseTable.SILVER_CUSTOMERS,
          "customer_id",
          JANA,
          "full_name",
          "Jana Nováková",
          "city",
          "Praha",
          "region",
          "Hlavní město Praha",
          "latitude",
          50.0755,
          "longitude",
          14.4378,
          // The customer row says no; the VIP list names her: the list wins.
          "is_vip",
          false);

  private static final Row PETR_ROW =
      SilverRows.row(
          WarehouseTable.SILVER_CUSTOMERS,
          "customer_id",
          PETR,
          "full_name",
          "Petr Svoboda",
          "city",
          "Praha",
          "region",
          "Hlavní město Praha",
          "latitude",
          50.0755,
          "longitude",
          14.4378,
          // The customer row says yes; the VIP list does not name him.
          "is_vip",
          true);

  private static Row pageview(String id, long user, Instant eventTime, long lagMs, int latencyMs) {
    return Row.withSchema(PAGEVIEW)
        .withFieldValue("event_id", id)
        .withFieldValue("user_id", user)
        .withFieldValue("session_id", "s-" + user)
        .withFieldValue("url", "/products/" + id)
        .withFieldValue("http_method", "GET")
        .withFieldValue("latency_ms", latencyMs)
        .withFieldValue("event_time", eventTime)
        .withFieldValue(StreamMessage.MESSAGE_ID, "pubsub:" + id)
        .withFieldValue(StreamMessage.PUBLISHED_AT, eventTime.plus(lagMs))
        .build();
  }

  private static PCollection<Row> enrich(TestPipeline pipeline, Row... pageviews) {
    PCollectionView<Map<Long, Row>> customers =
        pipeline
            .apply(
                "CreateCustomers",
                Create.of(KV.of(JANA, JANA_ROW), KV.of(PETR, PETR_ROW))
                    .withCoder(
                        KvCoder.of(
                            VarLongCoder.of(),
                            RowCoder.of(WarehouseTable.SILVER_CUSTOMERS.schema()))))
            .apply("CustomersById", View.asMap());
    PCollectionView<Map<Long, Long>> vips =
        pipeline
            .apply("CreateVipList", Create.of(KV.of(JANA, 2L), KV.of(UNKNOWN + 1, 1L)))
            .apply("VipsById", View.asMap());
    return pipeline
        .apply("CreatePageviews", Create.of(List.of(pageviews)).withRowSchema(PAGEVIEW))
        .apply(EnrichPageviews.with(customers, vips, ALERT_MS));
  }

  @Test
  void addsNamePlaceDaylightCalendarAndLatenessForAKnownCustomer(TestPipeline pipeline) {
    PCollection<Row> enriched =
        enrich(
            pipeline,
            pageview("noon", JANA, NOON, 1_500, 100),
            pageview("night", JANA, TWO_AM, 42_000, 100));

    PAssert.that(
            fields(
                enriched,
                "event_id",
                "url",
                "customer_name",
                "city",
                "region",
                "is_daylight",
                "event_date",
                "day_of_week",
                "hour_band",
                "published_at",
                "lateness_ms"))
        .containsInAnyOrder(
            "event_id=noon, url=/products/noon, customer_name=Jana Nováková, city=Praha,"
                + " region=Hlavní město Praha, is_daylight=true, event_date=2026-12-21,"
                + " day_of_week=Monday, hour_band=afternoon, published_at=12:00:01,"
                + " lateness_ms=1500",
            "event_id=night, url=/products/night, customer_name=Jana Nováková, city=Praha,"
                + " region=Hlavní město Praha, is_daylight=false, event_date=2026-12-22,"
                + " day_of_week=Tuesday, hour_band=night, published_at=02:00:42,"
                + " lateness_ms=42000");
    pipeline.run();
  }

  @Test
  void takesTheVipFlagFromTheVipListNotFromTheCustomerRow(TestPipeline pipeline) {
    PCollection<Row> enriched =
        enrich(
            pipeline, pageview("jana", JANA, NOON, 0, 100), pageview("petr", PETR, NOON, 0, 100));

    PAssert.that(fields(enriched, "event_id", "customer_name", "is_vip"))
        .containsInAnyOrder(
            "event_id=jana, customer_name=Jana Nováková, is_vip=true",
            "event_id=petr, customer_name=Petr Svoboda, is_vip=false");
    pipeline.run();
  }

  @Test
  void raisesTheLatencyAlertOnlyAboveTheThreshold(TestPipeline pipeline) {
    PCollection<Row> enriched =
        enrich(
            pipeline,
            pageview("fast", JANA, NOON, 0, 120),
            pageview("at-threshold", JANA, NOON, 0, ALERT_MS),
            pageview("slow", JANA, NOON, 0, ALERT_MS + 1));

    PAssert.that(fields(enriched, "event_id", "latency_ms", "is_latency_alert"))
        .containsInAnyOrder(
            "event_id=fast, latency_ms=120, is_latency_alert=false",
            "event_id=at-threshold, latency_ms=2000, is_latency_alert=false",
            "event_id=slow, latency_ms=2001, is_latency_alert=true");
    pipeline.run();
  }

  @Test
  void withoutCustomerTablesEveryPageviewKeepsItsRowWithEmptyCustomerColumns(
      TestPipeline pipeline) {
    PCollection<Row> enriched =
        pipeline
            .apply(
                "CreatePageviews",
                Create.of(List.of(pageview("before-curate", JANA, NOON, 250, 3000)))
                    .withRowSchema(PAGEVIEW))
            .apply(EnrichPageviews.with(null, null, ALERT_MS));

    PAssert.that(fields(enriched, "event_id", "customer_name", "city", "is_vip", "day_of_week"))
        .containsInAnyOrder(
            "event_id=before-curate, customer_name=null, city=null, is_vip=false,"
                + " day_of_week=Monday");
    pipeline.run();
  }

  @Test
  void keepsAnUnknownCustomersPageviewWithEmptyCustomerColumns(TestPipeline pipeline) {
    PCollection<Row> enriched = enrich(pipeline, pageview("stranger", UNKNOWN, NOON, 250, 3000));

    PAssert.that(
            fields(
                enriched,
                "event_id",
                "user_id",
                "customer_name",
                "city",
                "region",
                "is_daylight",
                "is_vip",
                "day_of_week",
                "lateness_ms",
                "is_latency_alert"))
        .containsInAnyOrder(
            "event_id=stranger, user_id=99, customer_name=null, city=null, region=null,"
                + " is_daylight=null, is_vip=false, day_of_week=Monday, lateness_ms=250,"
                + " is_latency_alert=true");
    pipeline.run();
  }
}
