package dev.fakelake.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * Each row lands in the files of its event-time window, named by the window's start and pane; late
 * rows within the allowed lateness land in a later pane's file, rows beyond it are not written but
 * show in the written count; empty windows write nothing.
 */
@ExtendWith(TestPipelineExtension.class)
class WriteWindowedFilesTest {

  private static final Schema SCHEMA =
      Schema.builder()
          .addStringField("event_id")
          .addInt64Field("user_id")
          .addDateTimeField("event_time")
          .build();

  private static final Instant TEN = Instant.parse("2026-11-22T10:00:00Z");

  private static Row event(String id, long user, Instant at) {
    return Row.withSchema(SCHEMA).addValues(id, user, at).build();
  }

  private static TimestampedValue<Row> at(Row row) {
    return TimestampedValue.of(row, row.getDateTime("event_time").toInstant());
  }

  private static TestStream.Builder<Row> stream() {
    return TestStream.create(RowCoder.of(SCHEMA)).advanceWatermarkTo(TEN);
  }

  private static Instant minute(int minute, int second) {
    return TEN.plus(Duration.standardMinutes(minute)).plus(Duration.standardSeconds(second));
  }

  @Test
  void writesEachRowToTheFileOfItsWindowAndNothingForAnEmptyWindow(
      TestPipeline pipeline, @TempDir Path folder) {
    Row first = event("a", 1, minute(0, 10));
    Row second = event("b", 2, minute(0, 50));
    Row third = event("c", 3, minute(2, 5));
    TestStream<Row> events =
        stream().addElements(at(first), at(second), at(third)).advanceWatermarkToInfinity();

    pipeline
        .apply("Events", events)
        .setRowSchema(SCHEMA)
        .apply(
            "WriteEvents",
            WriteWindowedFiles.to(folder.toString(), WriteWindowedFiles.Format.PARQUET)
                .withPrefix("pageviews"));
    pipeline.run().waitUntilFinish();

    assertEquals(
        Map.of(
            "pageviews-2026-11-22T10-00-00Z-p0-00000-of-00001.parquet", List.of(first, second),
            "pageviews-2026-11-22T10-02-00Z-p0-00000-of-00001.parquet", List.of(third)),
        sortedById(WrittenFiles.rows(folder, SCHEMA)));
    assertEquals(List.of(), WrittenFiles.leftovers(folder));
  }

  @Test
  void writesAWindowThatOutgrowsThePaneLimitInEarlyPanesWithEveryRowOnce(
      TestPipeline pipeline, @TempDir Path folder) {
    Row first = event("a", 1, minute(0, 10));
    Row second = event("b", 2, minute(0, 20));
    Row third = event("c", 3, minute(0, 30));
    TestStream<Row> events =
        stream()
            .addElements(at(first), at(second))
            .addElements(at(third))
            .advanceWatermarkToInfinity();

    pipeline
        .apply("Events", events)
        .setRowSchema(SCHEMA)
        .apply(
            "WriteEvents",
            WriteWindowedFiles.to(folder.toString(), WriteWindowedFiles.Format.PARQUET)
                .withPrefix("pageviews")
                .withMaxRowsPerPane(2));
    pipeline.run().waitUntilFinish();

    assertEquals(
        Map.of(
            "pageviews-2026-11-22T10-00-00Z-p0-00000-of-00001.parquet", List.of(first, second),
            "pageviews-2026-11-22T10-00-00Z-p1-00000-of-00001.parquet", List.of(third)),
        sortedById(WrittenFiles.rows(folder, SCHEMA)));
  }

  @Test
  void writesALateRowWithinTheAllowedLatenessToALaterPaneOfItsWindow(
      TestPipeline pipeline, @TempDir Path folder) {
    Row onTime = event("a", 1, minute(0, 10));
    Row late = event("b", 2, minute(0, 30));
    Row next = event("c", 3, minute(1, 30));
    TestStream<Row> events =
        stream()
            .addElements(at(onTime))
            .advanceWatermarkTo(minute(1, 10))
            .addElements(at(late), at(next))
            .advanceProcessingTime(Duration.standardMinutes(1))
            .advanceWatermarkToInfinity();

    pipeline
        .apply("Events", events)
        .setRowSchema(SCHEMA)
        .apply(
            "WriteEvents",
            WriteWindowedFiles.to(folder.toString(), WriteWindowedFiles.Format.PARQUET)
                .withPrefix("pageviews")
                .withAllowedLateness(Duration.standardMinutes(10)));
    pipeline.run().waitUntilFinish();

    assertEquals(
        Map.of(
            "pageviews-2026-11-22T10-00-00Z-p0-00000-of-00001.parquet", List.of(onTime),
            "pageviews-2026-11-22T10-00-00Z-p1-00000-of-00001.parquet", List.of(late),
            "pageviews-2026-11-22T10-01-00Z-p0-00000-of-00001.parquet", List.of(next)),
        WrittenFiles.rows(folder, SCHEMA));
  }

  @Test
  void writesNoRowLaterThanTheAllowedLatenessAndItsCountShowsTheGap(
      TestPipeline pipeline, @TempDir Path folder) {
    Row onTime = event("a", 1, minute(0, 10));
    Row tooLate = event("b", 2, minute(0, 30));
    TestStream<Row> events =
        stream()
            .addElements(at(onTime))
            .advanceWatermarkTo(minute(5, 0))
            .addElements(at(tooLate))
            .advanceWatermarkToInfinity();

    pipeline
        .apply("Events", events)
        .setRowSchema(SCHEMA)
        .apply(
            "WriteEvents",
            WriteWindowedFiles.to(folder.toString(), WriteWindowedFiles.Format.AVRO)
                .withPrefix("pageviews")
                .withAllowedLateness(Duration.standardMinutes(1)));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    assertEquals(
        Map.of("pageviews-2026-11-22T10-00-00Z-p0-00000-of-00001.avro", List.of(onTime)),
        WrittenFiles.rows(folder, SCHEMA));
    assertEquals(
        1, WrittenFiles.counter(result, WriteWindowedFiles.class, WriteWindowedFiles.ROWS_WRITTEN));
  }

  @Test
  void writesJsonLinesAsTheOpsRowsAreWritten(TestPipeline pipeline, @TempDir Path folder) {
    Row first = event("a", 1, minute(0, 10));
    Row second = event("b", 2, minute(3, 0));
    TestStream<Row> events =
        stream().addElements(at(first), at(second)).advanceWatermarkToInfinity();

    pipeline
        .apply("Events", events)
        .setRowSchema(SCHEMA)
        .apply(
            "WriteAlerts",
            WriteWindowedFiles.to(folder.toString(), WriteWindowedFiles.Format.JSON_LINES)
                .withPrefix("alerts")
                .withWindow(Duration.standardMinutes(5)));
    pipeline.run().waitUntilFinish();

    List<String> lines =
        WrittenFiles.lines(folder.resolve("alerts-2026-11-22T10-00-00Z-p0-00000-of-00001.jsonl"));
    assertEquals(
        List.of(
            "{\"event_id\":\"a\",\"user_id\":1,\"event_time\":\"2026-11-22T10:00:10.000Z\"}",
            "{\"event_id\":\"b\",\"user_id\":2,\"event_time\":\"2026-11-22T10:03:00.000Z\"}"),
        lines.stream().sorted().toList());
  }

  @Test
  void namesFilesByWindowStartInUtcUnderDatePathsWhenAsked(
      TestPipeline pipeline, @TempDir Path folder) {
    Row row = event("a", 1, Instant.parse("2026-11-22T23:59:59.999Z"));
    TestStream<Row> events =
        TestStream.create(RowCoder.of(SCHEMA))
            .advanceWatermarkTo(Instant.parse("2026-11-22T23:59:00Z"))
            .addElements(at(row))
            .advanceWatermarkToInfinity();

    pipeline
        .apply("Events", events)
        .setRowSchema(SCHEMA)
        .apply(
            "WriteEvents",
            WriteWindowedFiles.to(folder.toString(), WriteWindowedFiles.Format.AVRO)
                .withLayout(WriteWindowedFiles.Layout.DATE_PATH)
                .withShards(2));
    pipeline.run().waitUntilFinish();

    Map<String, List<Row>> files = WrittenFiles.rows(folder, SCHEMA);
    assertEquals(1, files.size(), files.toString());
    String name = files.keySet().iterator().next();
    assertTrue(name.matches("2026/11/22/23/59-00-part-p0-0000[01]-of-00002\\.avro"), name);
    assertEquals(List.of(row), files.get(name));
  }

  private static Map<String, List<Row>> sortedById(Map<String, List<Row>> files) {
    files.replaceAll(
        (name, rows) ->
            rows.stream()
                .sorted((a, b) -> a.getString("event_id").compareTo(b.getString("event_id")))
                .toList());
    return files;
  }
}
