package dev.fakelake.transforms.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.YearMonth;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * Writes schema rows as JSON objects whose field names and order are the schema's, so that the
 * landing files follow the entity declarations in {@code schemas/}. Timestamps are ISO-8601 UTC,
 * dates ISO-8601 days.
 */
public final class JsonRecords {

  private JsonRecords() {}

  /** The function that turns a schema-aware object (AutoValue, POJO) into its row. */
  public static <T> SerializableFunction<T, Row> toRowFunction(Class<T> type) {
    try {
      return SchemaRegistry.createDefault().getToRowFunction(type);
    } catch (NoSuchSchemaException e) {
      throw new IllegalArgumentException(type.getName() + " has no Beam schema", e);
    }
  }

  /**
   * Reads an ISO-8601 instant, such as the timestamps these records are written with. The usual UTC
   * form ({@code 2026-11-22T10:05:00.123Z}, 0 to 9 fraction digits) is read digit by digit, an
   * order of magnitude faster than a general parser; Joda's reads every other form (offsets, no
   * seconds, a date alone) and rejects what is no instant.
   *
   * @throws IllegalArgumentException if the text is no instant
   */
  public static Instant parseInstant(String text) {
    long millis = utcMillis(text);
    return millis == NOT_THE_UTC_FORM ? Instant.parse(text) : new Instant(millis);
  }

  private static final long NOT_THE_UTC_FORM = Long.MIN_VALUE;

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} as epoch milliseconds (a finer fraction truncated), or
   * {@link #NOT_THE_UTC_FORM} for any other text, an impossible date included.
   */
  private static long utcMillis(String text) {
    int length = text.length();
    if (length < 20
        || length == 21
        || length > 30
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(length - 1) != 'Z'
        || (length > 20 && text.charAt(19) != '.')) {
      return NOT_THE_UTC_FORM;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    int millis = 0;
    for (int i = 20; i < 23; i++) {
      int digit = i < length - 1 ? digits(text, i, 1) : 0;
      millis = millis * 10 + digit;
      if (digit < 0) {
        return NOT_THE_UTC_FORM;
      }
    }
    if (length > 24 && digits(text, 23, length - 24) < 0) {
      return NOT_THE_UTC_FORM;
    }
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > YearMonth.of(year, month).lengthOfMonth()
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return NOT_THE_UTC_FORM;
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    return (((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + millis;
  }

  /** The decimal number of {@code count} digits at {@code start}, or -1 if one is no digit. */
  private static int digits(String text, int start, int count) {
    int value = 0;
    for (int i = start; i < start + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** Formats objects of a schema-aware type as one JSON line each, e.g. for TextIO. */
  public static <T> SerializableFunction<T, String> formatter(Class<T> type) {
    return new Formatter<>(type);
  }

  /** Formats rows as one JSON line each. */
  public static SerializableFunction<Row, String> rowFormatter() {
    return new RowFormatter();
  }

  private static final class RowFormatter implements SerializableFunction<Row, String> {
    // Not serializable; made once per deserialized instance.
    private transient ObjectMapper mapper;

    @Override
    public String apply(Row row) {
      if (mapper == null) {
        mapper = new ObjectMapper();
      }
      return toJson(row, mapper).toString();
    }
  }

  private static final class Formatter<T> implements SerializableFunction<T, String> {
    private final Class<T> type;
    // Neither is serializable; both are made once per deserialized instance.
    private transient SerializableFunction<T, Row> toRow;
    private transient ObjectMapper mapper;

    Formatter(Class<T> type) {
      this.type = type;
    }

    @Override
    public String apply(T value) {
      if (toRow == null) {
        toRow = toRowFunction(type);
        mapper = new ObjectMapper();
      }
      return toJson(toRow.apply(value), mapper).toString();
    }
  }

  public static ObjectNode toJson(Row row, ObjectMapper mapper) {
    ObjectNode node = mapper.createObjectNode();
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Schema.Field field = schema.getField(i);
      Object value = row.getValue(i);
      String name = field.getName();
      if (value == null) {
        node.putNull(name);
      } else if (value instanceof Long v) {
        node.put(name, v);
      } else if (value instanceof Integer v) {
        node.put(name, v);
      } else if (value instanceof Double v) {
        node.put(name, v);
      } else if (value instanceof Boolean v) {
        node.put(name, v);
      } else if (value instanceof Iterable<?> values) {
        ArrayNode array = node.putArray(name);
        values.forEach(v -> array.add(String.valueOf(v)));
      } else if (value instanceof ReadableInstant v) {
        node.put(name, v.toInstant().toString());
      } else {
        node.put(name, value.toString());
      }
    }
    return node;
  }
}
