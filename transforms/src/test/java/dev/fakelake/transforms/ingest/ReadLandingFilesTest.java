package dev.fakelake.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input in landing files: each bad record becomes one dead letter with its error code, a
 * reason, its location and its original payload, while the good records of the same file still
 * reach bronze.
 */
@ExtendWith(TestPipelineExtension.class)
class ReadLandingFilesTest {

  private static final SourceSpec CUSTOMERS =
      new SourceSpec(
          "customers",
          SourceSpec.Kind.JSONL,
          "landing/customers/*.jsonl",
          Entity.CUSTOMERS,
          Map.of());
  private static final SourceSpec PRODUCTS =
      new SourceSpec(
          "products",
          SourceSpec.Kind.JSON_FILE,
          "landing/products/*.json",
          Entity.PRODUCTS,
          Map.of());
  private static final String BATCH = "b20260301T120000Z";
  private static final Instant INGESTED_AT = Instant.parse("2026-03-01T12:00:00Z");
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir Path landing;

  /**
   * A valid customer line; {@code city} is the last field, so a stray CR would end up next to it.
   */
  private static String customer(long id, String city) {
    return "{\"customer_id\":"
        + id
        + ",\"first_name\":\"Jana\",\"last_name\":\"Nováková\",\"latitude\":49.19,"
        + "\"longitude\":16.61,\"birth_date\":\"1990-05-01\","
        + "\"registered_at\":\"2024-02-03T04:05:06.007Z\",\"city\":\""
        + city
        + "\"}";
  }

  private String write(String name, byte[]... parts) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      bytes.write(part);
    }
    Path file = landing.resolve(name);
    Files.write(file, bytes.toByteArray());
    return file.toString();
  }

  private String write(String name, String text) throws Exception {
    return write(name, utf8(text));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static PCollectionTuple read(
      TestPipeline pipeline, ReadLandingFiles read, String... paths) {
    return pipeline
        .apply(Create.of(Arrays.asList(paths)).withCoder(StringUtf8Coder.of()))
        .apply(read);
  }

  private static PCollectionTuple read(TestPipeline pipeline, SourceSpec source, String... paths) {
    return read(pipeline, ReadLandingFiles.of(source, BATCH, INGESTED_AT), paths);
  }

  /** A dead letter as {@code location | record | error | record_key | payload}. */
  private static PCollection<String> deadLetters(PCollectionTuple out) {
    return out.get(ReadLandingFiles.DEAD_LETTERS)
        .apply(
            "DescribeDeadLetters",
            MapElements.into(TypeDescriptors.strings()).via(ReadLandingFilesTest::describe));
  }

  private static String describe(DeadLetter letter) {
    return String.join(
        " | ",
        letter.getLocation(),
        letter.getRecord(),
        letter.getError(),
        String.valueOf(letter.getRecordKey()),
        letter.getPayload());
  }

  private static String deadLetter(
      String path, String record, DeadLetter.Error error, String key, String payload) {
    return String.join(" | ", path, record, error.code(), key, payload);
  }

  /** A customer bronze row as {@code customer_id | city | _source_location | _source_record}. */
  private static PCollection<String> customers(PCollectionTuple out) {
    return out.get(ReadLandingFiles.BRONZE)
        .apply(
            "DescribeCustomers",
            MapElements.into(TypeDescriptors.strings())
                .via(
                    (Row row) ->
                        String.join(
                            " | ",
                            String.valueOf(row.getInt64("customer_id")),
                            row.getString("city"),
                            row.getString(Bronze.SOURCE_LOCATION),
                            row.getString(Bronze.SOURCE_RECORD))));
  }

  private static String customerRow(long id, String city, String path, String record) {
    return String.join(" | ", String.valueOf(id), city, path, record);
  }

  /** Every dead letter's reason must say something, and contain {@code words}. */
  private static void reasonsSay(PCollectionTuple out, String... words) {
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS))
        .satisfies(
            letters -> {
              for (DeadLetter letter : letters) {
                assertFalse(letter.getReason().isBlank(), describe(letter));
                for (String word : words) {
                  assertTrue(
                      letter.getReason().contains(word),
                      "reason '" + letter.getReason() + "' should mention '" + word + "'");
                }
                assertEquals(CUSTOMERS.name(), letter.getSource());
                assertEquals(BATCH, letter.getBatchId());
                assertEquals(INGESTED_AT, letter.getFailedAt());
              }
              return null;
            });
  }

  @Test
  void goodRecordsLandInBronzeWithWhereTheyCameFrom(TestPipeline pipeline) throws Exception {
    String path = write("customers-00000.jsonl", customer(1, "Brno") + "\n" + customer(2, "Praha"));

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(out.get(ReadLandingFiles.BRONZE))
        .satisfies(
            rows -> {
              List<Row> all = new ArrayList<>();
              rows.forEach(all::add);
              assertEquals(2, all.size());
              for (Row row : all) {
                assertEquals("Jana", row.getString("first_name"));
                assertEquals("Nováková", row.getString("last_name"));
                assertEquals(49.19, row.getDouble("latitude"));
                assertEquals(
                    Instant.parse("2024-02-03T04:05:06.007Z"), row.getDateTime("registered_at"));
                assertNull(row.getString("email"));
                assertEquals("customers", row.getString(Bronze.SOURCE));
                assertEquals(BATCH, row.getString(Bronze.BATCH_ID));
                assertEquals(INGESTED_AT, row.getDateTime(Bronze.INGESTED_AT));
              }
              return null;
            });
    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", path, "line 1"), customerRow(2, "Praha", path, "line 2"));
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void malformedJsonIsDeadLetteredAndTheOtherLinesLand(TestPipeline pipeline) throws Exception {
    String broken = "{\"customer_id\":2,\"first_name\":\"Jan\",\"city\" \"Brno\"}";
    String path =
        write(
            "customers-00000.jsonl",
            customer(1, "Brno") + "\n" + broken + "\n" + customer(3, "Olomouc") + "\n");

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(path, "line 2", DeadLetter.Error.MALFORMED_JSON, "2", broken));
    reasonsSay(out, "malformed JSON");
    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", path, "line 1"), customerRow(3, "Olomouc", path, "line 3"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aTruncatedLastLineIsDeadLetteredAndTheLinesBeforeItLand(TestPipeline pipeline)
      throws Exception {
    String cut = customer(3, "Olomouc").substring(0, 60);
    String path =
        write(
            "customers-00000.jsonl",
            customer(1, "Brno") + "\n" + customer(2, "Praha") + "\n" + cut);

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(deadLetter(path, "line 3", DeadLetter.Error.MALFORMED_JSON, "3", cut));
    reasonsSay(out, "malformed JSON");
    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", path, "line 1"), customerRow(2, "Praha", path, "line 2"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void valuesOfTheWrongTypeAreDeadLetteredNamingTheField(TestPipeline pipeline) throws Exception {
    String latitude = customer(2, "Brno").replace("49.19", "\"49,19\"");
    String registered = customer(3, "Brno").replace("2024-02-03T04:05:06.007Z", "yesterday");
    String name = customer(4, "Brno").replace("\"Jana\"", "42");
    String path =
        write(
            "customers-00000.jsonl",
            String.join("\n", customer(1, "Brno"), latitude, registered, name) + "\n");

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(path, "line 2", DeadLetter.Error.WRONG_TYPE, "2", latitude),
            deadLetter(path, "line 3", DeadLetter.Error.WRONG_TYPE, "3", registered),
            deadLetter(path, "line 4", DeadLetter.Error.WRONG_TYPE, "4", name));
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS))
        .satisfies(
            letters -> {
              List<String> reasons = new ArrayList<>();
              letters.forEach(letter -> reasons.add(letter.getReason()));
              reasons.sort(null);
              assertEquals(
                  List.of(
                      "field 'first_name' should be a string, got 42",
                      "field 'latitude' should be a number, got \"49,19\"",
                      "field 'registered_at' should be an ISO-8601 timestamp, got \"yesterday\""),
                  reasons);
              return null;
            });
    PAssert.that(customers(out)).containsInAnyOrder(customerRow(1, "Brno", path, "line 1"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void unknownFieldsAreDeadLettered(TestPipeline pipeline) throws Exception {
    String extra = customer(2, "Brno").replace("}", ",\"nickname\":\"JN\"}");
    String path = write("customers-00000.jsonl", customer(1, "Brno") + "\n" + extra + "\n");

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(deadLetter(path, "line 2", DeadLetter.Error.UNKNOWN_FIELD, "2", extra));
    reasonsSay(out, "'nickname'");
    PAssert.that(customers(out)).containsInAnyOrder(customerRow(1, "Brno", path, "line 1"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void invalidUtf8IsDeadLetteredWithReplacementCharactersInThePayload(TestPipeline pipeline)
      throws Exception {
    String path =
        write(
            "customers-00000.jsonl",
            utf8(customer(1, "Brno") + "\n{\"customer_id\":2,\"city\":\"Br"),
            new byte[] {(byte) 0xC3, (byte) 0x28},
            utf8("o\"}\n" + customer(3, "Plzeň") + "\n"));

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(
                path,
                "line 2",
                DeadLetter.Error.INVALID_UTF8,
                "null",
                "{\"customer_id\":2,\"city\":\"Br\uFFFD(o\"}"));
    reasonsSay(out, "UTF-8");
    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", path, "line 1"), customerRow(3, "Plzeň", path, "line 3"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEmptyLinesFileIsOneDeadLetter(TestPipeline pipeline) throws Exception {
    String empty = write("customers-00000.jsonl", "");
    String blank = write("customers-00001.jsonl", "\n  \r\n\n");

    PCollectionTuple out = read(pipeline, CUSTOMERS, empty, blank);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(empty, "file", DeadLetter.Error.EMPTY_FILE, "null", ""),
            deadLetter(blank, "file", DeadLetter.Error.EMPTY_FILE, "null", ""));
    reasonsSay(out, "empty");
    PAssert.that(out.get(ReadLandingFiles.BRONZE)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEmptyJsonFileIsOneDeadLetter(TestPipeline pipeline) throws Exception {
    String empty = write("product-000001.json", "");
    String good = write("product-000002.json", "{\"product_id\":2,\"name\":\"Lamp\"}");

    PCollectionTuple out = read(pipeline, PRODUCTS, empty, good);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(deadLetter(empty, "file", DeadLetter.Error.EMPTY_FILE, "null", ""));
    PAssert.that(out.get(ReadLandingFiles.BRONZE))
        .satisfies(
            rows -> {
              Row row = rows.iterator().next();
              assertEquals(2L, row.getInt64("product_id"));
              assertEquals("file", row.getString(Bronze.SOURCE_RECORD));
              assertEquals(good, row.getString(Bronze.SOURCE_LOCATION));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aByteOrderMarkIsDroppedFromTheFirstLine(TestPipeline pipeline) throws Exception {
    String good =
        write("customers-00000.jsonl", BOM, utf8(customer(1, "Brno") + "\n" + customer(2, "Ústí")));
    String broken = write("customers-00001.jsonl", BOM, utf8("{\"customer_id\":3,"));

    PCollectionTuple out = read(pipeline, CUSTOMERS, good, broken);

    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", good, "line 1"), customerRow(2, "Ústí", good, "line 2"));
    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(
                broken, "line 1", DeadLetter.Error.MALFORMED_JSON, "3", "{\"customer_id\":3,"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aByteOrderMarkIsDroppedFromAJsonFile(TestPipeline pipeline) throws Exception {
    String path = write("product-000001.json", BOM, utf8("{\"product_id\":1,\"name\":\"Lamp\"}"));

    PCollectionTuple out = read(pipeline, PRODUCTS, path);

    PAssert.that(out.get(ReadLandingFiles.BRONZE))
        .satisfies(
            rows -> {
              Row row = rows.iterator().next();
              assertEquals(1L, row.getInt64("product_id"));
              assertEquals("Lamp", row.getString("name"));
              return null;
            });
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void crlfLineEndsLeaveNoCarriageReturnInValuesOrPayloads(TestPipeline pipeline) throws Exception {
    String broken = "{\"customer_id\":2,\"city\":\"Brno";
    String path =
        write(
            "customers-00000.jsonl",
            customer(1, "Brno") + "\r\n" + broken + "\r\n" + customer(3, "Zlín") + "\r\n");

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", path, "line 1"), customerRow(3, "Zlín", path, "line 3"));
    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(path, "line 2", DeadLetter.Error.MALFORMED_JSON, "2", broken));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPrettyPrintedJsonFileWithCrlfIsOneRecord(TestPipeline pipeline) throws Exception {
    String path =
        write(
            "product-000001.json",
            "{\r\n  \"product_id\": 1,\r\n  \"name\": \"Lamp\",\r\n"
                + "  \"pages\": [\"/product/1\"]\r\n}\r\n");

    PCollectionTuple out = read(pipeline, PRODUCTS, path);

    PAssert.that(out.get(ReadLandingFiles.BRONZE))
        .satisfies(
            rows -> {
              Row row = rows.iterator().next();
              assertEquals("Lamp", row.getString("name"));
              assertEquals(List.of("/product/1"), List.copyOf(row.getArray("pages")));
              return null;
            });
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLineLongerThanTheLimitIsDeadLetteredWithItsFirstBytes(TestPipeline pipeline)
      throws Exception {
    String long2 = customer(2, "B".repeat(300));
    String path =
        write(
            "customers-00000.jsonl",
            customer(1, "Brno") + "\n" + long2 + "\n" + customer(3, "Zlín") + "\n");

    PCollectionTuple out =
        read(
            pipeline,
            ReadLandingFiles.of(CUSTOMERS, BATCH, INGESTED_AT).withMaxRecordBytes(256),
            path);

    PAssert.that(deadLetters(out))
        .containsInAnyOrder(
            deadLetter(
                path,
                "line 2",
                DeadLetter.Error.LINE_TOO_LONG,
                "null",
                new String(Arrays.copyOf(utf8(long2), 256), StandardCharsets.UTF_8)));
    reasonsSay(out, "256 bytes");
    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", path, "line 1"), customerRow(3, "Zlín", path, "line 3"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLineOfExactlyTheLimitIsKeptWhateverItsLineEnd(TestPipeline pipeline) throws Exception {
    String line = customer(1, "Brno");
    int limit = line.getBytes(StandardCharsets.UTF_8).length;
    String lf = write("customers-00000.jsonl", line + "\n");
    String crlf = write("customers-00001.jsonl", line + "\r\n");

    PCollectionTuple out =
        read(
            pipeline,
            ReadLandingFiles.of(CUSTOMERS, BATCH, INGESTED_AT).withMaxRecordBytes(limit),
            lf,
            crlf);

    PAssert.that(customers(out))
        .containsInAnyOrder(
            customerRow(1, "Brno", lf, "line 1"), customerRow(1, "Brno", crlf, "line 1"));
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLineLongerThanTheReadBufferIsReadWhole(TestPipeline pipeline) throws Exception {
    String street = "x".repeat(200_000);
    String line = customer(1, "Brno").replace("}", ",\"street\":\"" + street + "\"}");
    String path = write("customers-00000.jsonl", line + "\r\n" + customer(2, "Zlín") + "\r\n");

    PCollectionTuple out = read(pipeline, CUSTOMERS, path);

    PAssert.that(out.get(ReadLandingFiles.BRONZE))
        .satisfies(
            rows -> {
              List<String> streets = new ArrayList<>();
              rows.forEach(row -> streets.add(String.valueOf(row.getString("street"))));
              streets.sort(null);
              assertEquals(List.of("null", street), streets);
              return null;
            });
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void everyRecordReadIsCountedOnceAsWrittenOrDeadLettered(TestPipeline pipeline) throws Exception {
    String mixed =
        write(
            "customers-00000.jsonl",
            utf8(
                String.join(
                        "\r\n",
                        customer(1, "Brno"),
                        "{\"customer_id\":2,",
                        "[1, 2]",
                        "{\"first_name\":\"Jan\"}",
                        customer(5, "Brno").replace("49.19", "true"),
                        customer(6, "B".repeat(2_000)),
                        "")
                    + "\n\n"),
            new byte[] {'{', (byte) 0xFF, '}', '\n'},
            utf8(customer(9, "Zlín")));
    String empty = write("customers-00001.jsonl", "");
    String good = write("customers-00002.jsonl", customer(10, "Brno") + "\n");

    PCollectionTuple out =
        read(
            pipeline,
            ReadLandingFiles.of(CUSTOMERS, BATCH, INGESTED_AT).withMaxRecordBytes(1_024),
            mixed,
            empty,
            good);
    PAssert.thatSingleton(out.get(ReadLandingFiles.BRONZE).apply("CountBronze", Count.globally()))
        .isEqualTo(3L);
    PAssert.thatSingleton(
            out.get(ReadLandingFiles.DEAD_LETTERS).apply("CountDeadLetters", Count.globally()))
        .isEqualTo(7L);
    PAssert.that(out.get(ReadLandingFiles.DEAD_LETTERS))
        .satisfies(
            letters -> {
              List<String> errors = new ArrayList<>();
              letters.forEach(letter -> errors.add(letter.getError()));
              errors.sort(null);
              assertEquals(
                  List.of(
                      "empty_file",
                      "invalid_utf8",
                      "line_too_long",
                      "malformed_json",
                      "missing_key",
                      "not_an_object",
                      "wrong_type"),
                  errors);
              return null;
            });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    assertEquals(10L, counter(result, IngestCounters.read("customers")));
    assertEquals(3L, counter(result, IngestCounters.written("customers")));
    assertEquals(7L, counter(result, IngestCounters.deadLettered("customers")));
  }

  private static long counter(PipelineResult result, String name) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(IngestCounters.NAMESPACE, name))
                    .build());
    long total = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
