package dev.fakelake.transforms.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
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
   * form ({@code 2026-11-22T10:05:00.123Z}) takes the JDK's strict parser, several times faster
   * than Joda's general one, which still reads every other form (offsets, no seconds, a date
   * alone).
   *
   * @throws IllegalArgumentException if the text is no instant
   */
  public static Instant parseInstant(String text) {
    try {
      return new Instant(java.time.Instant.parse(text).toEpochMilli());
    } catch (DateTimeException | ArithmeticException notTheUsualForm) {
      return Instant.parse(text);
    }
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
