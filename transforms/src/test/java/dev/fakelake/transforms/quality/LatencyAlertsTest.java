package dev.fakelake.transforms.quality;

import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.SilverRows;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pageviews slower than the threshold become ops.alerts rows naming the event and customer. */
@ExtendWith(TestPipelineExtension.class)
class LatencyAlertsTest {

  private static final Instant RAISED = Instant.parse("2026-11-22T12:00:00Z");

  private static Row pageview(String id, Integer latencyMs, String name, String city) {
    return SilverRows.row(
        WarehouseTable.SILVER_PAGEVIEWS_ENRICHED,
        "event_id",
        id,
        "user_id",
        12L,
        "url",
        "/product/12",
        "latency_ms",
        latencyMs,
        "customer_name",
        name,
        "city",
        city);
  }

  private static PCollection<String> alerts(
      TestPipeline pipeline, LatencyAlerts check, Row... rows) {
    return pipeline
        .apply(
            Create.of(List.of(rows))
                .withRowSchema(WarehouseTable.SILVER_PAGEVIEWS_ENRICHED.schema()))
        .apply(check.withClock(() -> RAISED))
        .apply(
            MapElements.into(TypeDescriptors.strings())
                .via(
                    (Row a) ->
                        String.join(
                            " | ",
                            a.getDateTime("raised_at").toString(),
                            a.getString("origin"),
                            String.valueOf(a.getString("batch_id")),
                            a.getString("source"),
                            a.getString("check_name"),
                            String.valueOf(a.getDouble("observed")),
                            String.valueOf(a.getDouble("threshold")),
                            a.getString("message"))));
  }

  @Test
  void raisesOneAlertPerPageviewOverTheThresholdInWords(TestPipeline pipeline) {
    PCollection<String> alerts =
        alerts(
            pipeline,
            LatencyAlerts.of(),
            pageview("abc", 12_345, "Jana Nováková", "Brno"),
            pageview("at-threshold", 2_000, "Jana Nováková", "Brno"),
            pageview("fast", 120, "Jana Nováková", "Brno"),
            pageview("no-latency", null, "Jana Nováková", "Brno"));

    PAssert.that(alerts)
        .containsInAnyOrder(
            "2026-11-22T12:00:00.000Z | stream-ingest | null | pageviews | pageview_latency"
                + " | 12345.0 | 2000.0"
                + " | Pageview abc took 12,345 ms for Jana Nováková (Brno) on /product/12");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void saysPlainlyWhenTheCustomerOrTheCityIsUnknown(TestPipeline pipeline) {
    PCollection<String> alerts =
        alerts(
            pipeline,
            LatencyAlerts.of().withThresholdMs(500),
            pageview("x", 501, null, null),
            pageview("y", 900, "Petr Svoboda", null));

    PAssert.that(alerts)
        .containsInAnyOrder(
            "2026-11-22T12:00:00.000Z | stream-ingest | null | pageviews | pageview_latency"
                + " | 501.0 | 500.0"
                + " | Pageview x took 501 ms for an unknown customer (user 12) on /product/12",
            "2026-11-22T12:00:00.000Z | stream-ingest | null | pageviews | pageview_latency"
                + " | 900.0 | 500.0"
                + " | Pageview y took 900 ms for Petr Svoboda (city unknown) on /product/12");
    pipeline.run().waitUntilFinish();
  }
}
