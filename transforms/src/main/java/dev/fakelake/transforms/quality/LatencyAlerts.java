package dev.fakelake.transforms.quality;

import dev.fakelake.schemas.WarehouseTable;
import java.util.Locale;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.SerializableSupplier;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Raises an {@code ops.alerts} row for every pageview whose server latency exceeds a threshold, in
 * words an operator can act on: which event, how slow, for whom and on which page. Input: {@code
 * silver.pageviews_enriched} rows; a pageview without a latency raises nothing.
 */
public final class LatencyAlerts extends PTransform<PCollection<Row>, PCollection<Row>> {

  /** The {@code origin} of the alerts. */
  public static final String ORIGIN = "stream-ingest";

  public static final String CHECK_NAME = "pageview_latency";

  /** The default threshold in ms. */
  public static final int DEFAULT_THRESHOLD_MS = 2000;

  private final int thresholdMs;
  private final SerializableSupplier<Instant> clock;

  private LatencyAlerts(int thresholdMs, SerializableSupplier<Instant> clock) {
    this.thresholdMs = thresholdMs;
    this.clock = clock;
  }

  /** Alerts on latencies over {@value #DEFAULT_THRESHOLD_MS} ms, raised at processing time. */
  public static LatencyAlerts of() {
    return new LatencyAlerts(DEFAULT_THRESHOLD_MS, Instant::now);
  }

  /** Alerts on latencies strictly over {@code thresholdMs}. */
  public LatencyAlerts withThresholdMs(int thresholdMs) {
    return new LatencyAlerts(thresholdMs, clock);
  }

  /** The clock that stamps raised_at; tests fix it. */
  public LatencyAlerts withClock(SerializableSupplier<Instant> clock) {
    return new LatencyAlerts(thresholdMs, clock);
  }

  /** Whether a latency is over {@code thresholdMs}: the one rule, shared with the enrichment. */
  public static boolean isAlert(Integer latencyMs, int thresholdMs) {
    return latencyMs != null && latencyMs > thresholdMs;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> pageviews) {
    return pageviews
        .apply("RaiseLatencyAlerts", ParDo.of(new AlertFn(thresholdMs, clock)))
        .setRowSchema(WarehouseTable.OPS_ALERTS.schema());
  }

  /** The alert's message, e.g. {@code Pageview abc took 12,345 ms for Jana Nováková (Brno) ...}. */
  static String message(Row pageview) {
    String name = pageview.getString("customer_name");
    String city = pageview.getString("city");
    String who;
    if (name == null) {
      who = "an unknown customer (user " + pageview.getInt64("user_id") + ")";
    } else if (city == null) {
      who = name + " (city unknown)";
    } else {
      who = name + " (" + city + ")";
    }
    String url = pageview.getString("url");
    return String.format(
        Locale.ROOT,
        "Pageview %s took %,d ms for %s on %s",
        pageview.getString("event_id"),
        pageview.getInt32("latency_ms"),
        who,
        url == null ? "an unknown page" : url);
  }

  private static final class AlertFn extends DoFn<Row, Row> {

    private final int thresholdMs;
    private final SerializableSupplier<Instant> clock;
    private final Counter raised = Metrics.counter("stream", "latency_alerts");

    AlertFn(int thresholdMs, SerializableSupplier<Instant> clock) {
      this.thresholdMs = thresholdMs;
      this.clock = clock;
    }

    @ProcessElement
    public void process(@Element Row pageview, OutputReceiver<Row> out) {
      Integer latency = pageview.getInt32("latency_ms");
      if (!isAlert(latency, thresholdMs)) {
        return;
      }
      raised.inc();
      out.output(
          Row.withSchema(WarehouseTable.OPS_ALERTS.schema())
              .withFieldValue("raised_at", clock.get())
              .withFieldValue("origin", ORIGIN)
              .withFieldValue("batch_id", null)
              .withFieldValue("source", "pageviews")
              .withFieldValue("check_name", CHECK_NAME)
              .withFieldValue("observed", latency.doubleValue())
              .withFieldValue("threshold", (double) thresholdMs)
              .withFieldValue("message", message(pageview))
              .build());
    }
  }
}
