package dev.fakelake.transforms.aggregate;

import dev.fakelake.schemas.WarehouseTable;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/** Enriched pageviews for stream tests, and outputs reduced to the fields a test checks. */
public final class StreamRows {

  private StreamRows() {}

  /** A pageview of {@code user} at {@code eventTime}, published {@code lagMs} later. */
  public static Row pageview(String id, long user, String method, Instant eventTime, long lagMs) {
    return pageview(id, user, method, "/", eventTime, lagMs);
  }

  public static Row pageview(
      String id, long user, String method, String url, Instant eventTime, long lagMs) {
    return SilverRows.row(
        WarehouseTable.SILVER_PAGEVIEWS_ENRICHED,
        "event_id",
        id,
        "user_id",
        user,
        "http_method",
        method,
        "url",
        url,
        "event_time",
        eventTime,
        "published_at",
        eventTime.plus(lagMs),
        "lateness_ms",
        lagMs);
  }

  /** The attempted value of a counter of the {@code stream} namespace, summed over steps. */
  public static long streamCounter(PipelineResult result, String name) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("stream", name))
                    .build());
    long total = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  /**
   * The row timestamped with its event time: an event that arrived at once, or one whose arrival
   * time has been replaced with its event time ({@code StampEventTime}).
   */
  public static TimestampedValue<Row> atEventTime(Row row) {
    return TimestampedValue.of(row, row.getDateTime("event_time").toInstant());
  }

  /** Each row as {@code name=value, ...} of the given fields. */
  public static PCollection<String> fields(PCollection<Row> rows, String... names) {
    List<String> fields = List.of(names);
    return rows.apply(
        "Fields" + String.join("_", names),
        MapElements.into(TypeDescriptors.strings())
            .via(
                (Row row) ->
                    fields.stream()
                        .map(name -> name + "=" + value(row.getValue(name)))
                        .collect(Collectors.joining(", "))));
  }

  private static String value(Object value) {
    if (value instanceof org.joda.time.ReadableInstant instant) {
      return instant.toInstant().toString().substring(11, 19);
    }
    if (value instanceof Iterable<?> values) {
      return StreamSupport.stream(values.spliterator(), false)
          .map(String::valueOf)
          .collect(Collectors.joining("|"));
    }
    return String.valueOf(value);
  }
}
