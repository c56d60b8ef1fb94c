package dev.fakelake.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.StreamMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture keeps exactly the messages that arrived, good or bad, in Avro and in Parquet, in the
 * file of their arrival minute, and counts them.
 */
@ExtendWith(TestPipelineExtension.class)
class CaptureRawMessagesTest {

  private static final Instant TEN = Instant.parse("2026-11-22T10:00:00Z");

  private static Row message(String id, String entity, String key, String payload, Instant at) {
    return Row.withSchema(StreamMessage.SCHEMA).addValues(id, entity, key, payload, at).build();
  }

  private static TimestampedValue<Row> arrived(Row message) {
    return TimestampedValue.of(
        message, message.getDateTime(StreamMessage.PUBLISHED_AT).toInstant());
  }

  private static Instant minute(int minute, int second) {
    return TEN.plus(Duration.standardMinutes(minute)).plus(Duration.standardSeconds(second));
  }

  @Test
  void capturesEveryMessageInAvroAndParquetByArrivalMinute(
      TestPipeline pipeline, @TempDir Path folder) {
    Row pageview =
        message(
            "kafka:fakelake-events/0@0",
            "pageviews",
            "12",
            "{\"event_id\":\"e1\",\"user_id\":12,\"event_time\":\"2026-11-22T09:59:58.000Z\"}",
            minute(0, 5));
    Row malformed =
        message("kafka:fakelake-events/0@1", "ratings", "7", "{\"event_id\":", minute(0, 40));
    Row noEntity =
        message("kafka:fakelake-events/1@0", null, null, "{\"user_id\":3}", minute(1, 2));
    Row duplicate =
        message(
            "kafka:fakelake-events/0@2",
            "pageviews",
            "12",
            "{\"event_id\":\"e1\",\"user_id\":12,\"event_time\":\"2026-11-22T09:59:58.000Z\"}",
            minute(1, 20));
    // Arrives behind the watermark (a slow partition): still captured, as a later pane.
    Row behindWatermark =
        message("kafka:fakelake-events/2@0", "ratings", "5", "not json", minute(0, 55));
    TestStream<Row> messages =
        TestStream.create(RowCoder.of(StreamMessage.SCHEMA))
            .advanceWatermarkTo(TEN)
            .addElements(arrived(pageview), arrived(malformed), arrived(noEntity))
            .advanceWatermarkTo(minute(1, 10))
            .addElements(arrived(duplicate), arrived(behindWatermark))
            .advanceProcessingTime(Duration.standardMinutes(1))
            .advanceWatermarkToInfinity();

    pipeline
        .apply("Messages", messages)
        .setRowSchema(StreamMessage.SCHEMA)
        .apply("CaptureMessages", CaptureRawMessages.to(folder.toString()));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    Map<String, List<Row>> expected =
        Map.of(
            "2026/11/22/10/00-00-events-p0-00000-of-00001", List.of(pageview, malformed),
            "2026/11/22/10/00-00-events-p1-00000-of-00001", List.of(behindWatermark),
            "2026/11/22/10/01-00-events-p0-00000-of-00001", List.of(noEntity, duplicate));
    assertEquals(
        withExtension(expected, ".avro"),
        sorted(WrittenFiles.rows(folder.resolve("avro"), StreamMessage.SCHEMA)));
    assertEquals(
        withExtension(expected, ".parquet"),
        sorted(WrittenFiles.rows(folder.resolve("parquet"), StreamMessage.SCHEMA)));
    assertEquals(
        5, WrittenFiles.counter(result, CaptureRawMessages.class, CaptureRawMessages.CAPTURED));
    assertEquals(
        10,
        WrittenFiles.counter(result, WriteWindowedFiles.class, WriteWindowedFiles.ROWS_WRITTEN));
  }

  @Test
  void refusesRowsThatAreNotStreamMessages(TestPipeline pipeline) {
    Schema other = Schema.builder().addStringField("payload").build();
    TestStream<Row> rows =
        TestStream.create(RowCoder.of(other))
            .addElements(Row.withSchema(other).addValue("{}").build())
            .advanceWatermarkToInfinity();

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                pipeline
                    .apply("Rows", rows)
                    .setRowSchema(other)
                    .apply("CaptureMessages", CaptureRawMessages.to("unused")));

    assertTrue(
        error.getMessage().startsWith("Expected rows of StreamMessage.SCHEMA"), error.getMessage());
    pipeline.enableAbandonedNodeEnforcement(false);
  }

  private static Map<String, List<Row>> withExtension(
      Map<String, List<Row>> files, String extension) {
    Map<String, List<Row>> named = new TreeMap<>();
    files.forEach((name, rows) -> named.put(name + extension, sortedRows(rows)));
    return named;
  }

  private static Map<String, List<Row>> sorted(Map<String, List<Row>> files) {
    files.replaceAll((name, rows) -> sortedRows(rows));
    return files;
  }

  private static List<Row> sortedRows(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(row -> row.getString(StreamMessage.MESSAGE_ID)));
    return sorted;
  }
}
