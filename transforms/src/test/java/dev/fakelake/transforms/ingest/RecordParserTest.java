package dev.fakelake.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordParserTest {

  private final RecordParser customers = new RecordParser(Entity.CUSTOMERS);
  private final RecordParser products = new RecordParser(Entity.PRODUCTS);

  @Test
  void aValidRecordBecomesARowAndMissingFieldsAreNull() {
    RecordParser.Result result =
        customers.parse(
            "{\"customer_id\":7,\"first_name\":\"Eva\",\"latitude\":50,"
                + "\"registered_at\":\"2024-02-03T04:05:06.007Z\",\"email\":null}");

    assertTrue(result.ok(), String.valueOf(result.reason()));
    Row row = result.row();
    assertEquals(7L, row.getInt64("customer_id"));
    assertEquals("Eva", row.getString("first_name"));
    assertEquals(50.0, row.getDouble("latitude"));
    assertEquals(Instant.parse("2024-02-03T04:05:06.007Z"), row.getDateTime("registered_at"));
    assertNull(row.getString("email"));
    assertNull(row.getString("city"));
    assertEquals("7", result.key());
  }

  /**
   * A clean record is read in one pass without a tree; the tree still reads the rest. Every record
   * here, clean or not, must come out exactly as the tree alone reads it.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"event_id\":\"e-1\",\"user_id\":7,\"url\":\"/p/3\",\"latency_ms\":120,"
            + "\"event_time\":\"2024-02-03T04:05:06.007Z\",\"client_ip\":null}",
        " { \"user_id\" : -0 , \"event_id\" : \"\\u0065-2\" , \"latency_ms\" : 2147483647 } ",
        "{\"event_id\":\"e-3\",\"latency_ms\":2147483648}",
        "{\"event_id\":\"e-4\",\"user_id\":99999999999999999999}",
        "{\"event_id\":\"e-5\",\"latency_ms\":1.0}",
        "{\"event_id\":\"e-6\",\"event_time\":\"yesterday\"}",
        "{\"event_id\":\"e-7\",\"event_time\":17}",
        "{\"event_id\":7}",
        "{\"event_id\":\"\"}",
        "{\"event_id\":null,\"user_id\":1}",
        "{\"event_id\":\"e-8\",\"user_id\":1,\"user_id\":2}",
        "{\"event_id\":\"e-9\",\"shoe_size\":44}",
        "{\"event_id\":\"e-10\"} trailing",
        "{\"event_id\":\"e-11\",\"url\":[\"/p/1\"]}",
        "{\"event_id\":\"e-12\",\"url\":{\"path\":\"/p/1\"}}",
        "{\"event_id\":\"e-13\"",
        "[{\"event_id\":\"e-14\"}]",
        "",
        "null",
      })
  void aCleanRecordReadInOnePassComesOutAsTheTreeReadsIt(String json) {
    RecordParser pageviews = new RecordParser(Entity.PAGEVIEWS);

    assertEquals(pageviews.parseTree(json), pageviews.parse(json));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "PAGEVIEWS|{\"event_id\":\"e-1\",\"user_id\":7,\"latency_ms\":120,\"client_ip\":null}|e-1",
        "CUSTOMERS|{\"customer_id\":7,\"latitude\":49.19,\"registered_at\":\"2024-02-03T04:05:06Z\"}|7",
        "ORDER_ITEMS|{\"order_id\":5,\"line_no\":2}|5,2",
      })
  void aCleanRecordIsReadInOnePass(Entity entity, String json, String key) {
    RecordParser parser = new RecordParser(entity);

    RecordParser.Result clean = parser.parseClean(json);

    assertTrue(clean != null && clean.ok(), json);
    assertEquals(key, clean.key());
    assertEquals(parser.parseTree(json), clean);
  }

  @Test
  void everyTypeOfFieldComesOutAsTheTreeReadsIt() {
    String json = "{\"product_id\":12,\"name\":\"Kolo\",\"price\":604,\"pages\":[\"/p/12\"]}";
    String customer =
        "{\"customer_id\":7,\"latitude\":49.19,\"longitude\":-16.6e0,"
            + "\"registered_at\":\"2024-02-03T04:05:06Z\"}";

    assertEquals(products.parseTree(json), products.parse(json));
    assertEquals(customers.parseTree(customer), customers.parse(customer));
    assertTrue(customers.parse(customer).ok());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"product_id\":1.5}|field 'product_id' should be an integer, got 1.5",
        "{\"product_id\":\"1\"}|field 'product_id' should be an integer, got \"1\"",
        "{\"product_id\":1,\"price\":\"604 Kč\"}|field 'price' should be a number, got \"604 Kč\"",
        "{\"product_id\":1,\"name\":true}|field 'name' should be a string, got true",
        "{\"product_id\":1,\"pages\":\"/p/1\"}|field 'pages' should be an array of a string,"
            + " got \"/p/1\"",
        "{\"product_id\":1,\"pages\":[\"/p/1\",2]}|field 'pages' should be an array of a string,"
            + " got [\"/p/1\",2]",
        "{\"product_id\":99999999999999999999}|field 'product_id' should be an integer,"
            + " got 99999999999999999999",
      })
  void aValueOfTheWrongTypeNamesTheFieldAndWhatItShouldBe(String json, String reason) {
    RecordParser.Result result = products.parse(json);

    assertEquals(DeadLetter.Error.WRONG_TYPE, result.error());
    assertEquals(reason, result.reason());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"first_name\":\"Eva\"}",
        "{\"customer_id\":null}",
        "{\"customer_id\":\"\"}",
      })
  void aMissingKeyIsMissingKey(String json) {
    RecordParser.Result result = customers.parse(json);

    assertEquals(DeadLetter.Error.MISSING_KEY, result.error());
    assertEquals("key field 'customer_id' missing", result.reason());
  }

  @Test
  void aCompositeKeyNeedsEveryPart() {
    RecordParser items = new RecordParser(Entity.ORDER_ITEMS);

    RecordParser.Result result = items.parse("{\"order_id\":5}");

    assertEquals(DeadLetter.Error.MISSING_KEY, result.error());
    assertEquals("key field 'line_no' missing", result.reason());
  }

  @Test
  void anUnknownFieldIsNamed() {
    RecordParser.Result result = customers.parse("{\"customer_id\":7,\"nickname\":\"E\"}");

    assertEquals(DeadLetter.Error.UNKNOWN_FIELD, result.error());
    assertEquals("unknown field 'nickname' (not in the customers schema)", result.reason());
    assertEquals("7", result.key());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"[1,2]|ARRAY", "42|NUMBER", "\"text\"|STRING", "null|NULL"})
  void aRecordThatIsNotAnObjectSaysWhatItIs(String json, String got) {
    RecordParser.Result result = customers.parse(json);

    assertEquals(DeadLetter.Error.NOT_AN_OBJECT, result.error());
    assertEquals("expected a JSON object, got " + got, result.reason());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"customer_id\":7,\"city\":\"Brno\"",
        "{\"customer_id\":7} {\"customer_id\":8}",
        "{\"customer_id\":7,\"customer_id\":8}",
        "{customer_id:7}",
      })
  void brokenOrAmbiguousJsonIsMalformedAndKeepsTheKeyItShows(String json) {
    RecordParser.Result result = customers.parse(json);

    assertEquals(DeadLetter.Error.MALFORMED_JSON, result.error());
    assertTrue(result.reason().startsWith("malformed JSON: "), result.reason());
    assertEquals(json.startsWith("{customer_id") ? null : "7", result.key());
  }
}
