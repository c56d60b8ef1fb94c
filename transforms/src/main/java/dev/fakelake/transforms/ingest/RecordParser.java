package dev.fakelake.transforms.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.io.JsonRecords;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.Schema.TypeName;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Turns one JSON record into a bronze row of its entity's schema, or says precisely why it cannot:
 * the JSON is broken, it is not an object, it has a field the schema does not know, a value has the
 * wrong type, or the key is missing. Missing non-key fields are allowed: bronze keeps what arrived
 * and silver decides what to do about it.
 */
public final class RecordParser implements Serializable {

  /** The outcome for one record: a row, or an error with its reason. */
  public record Result(
      @Nullable Row row,
      DeadLetter.@Nullable Error error,
      @Nullable String reason,
      @Nullable String key) {

    public boolean ok() {
      return row != null;
    }
  }

  private final Entity entity;
  private final Schema schema;
  private final List<String> keyFields;
  private final Pattern keyPattern;
  // For the one-pass read of a clean record: each field's position and type, the keys' positions.
  private final HashMap<String, Integer> positions = new HashMap<>();
  private final TypeName[] types;
  private final int[] keyPositions;
  // ObjectMapper is thread-safe once configured, but not worth serializing with the parser.
  private transient @Nullable ObjectMapper mapper;

  public RecordParser(Entity entity) {
    this.entity = entity;
    this.schema = Bronze.fields(entity);
    this.keyFields = List.of(entity.key().split(","));
    this.keyPattern =
        Pattern.compile("\"" + Pattern.quote(keyFields.get(0)) + "\"\\s*:\\s*\"?([^\",}]+)");
    this.types = new TypeName[schema.getFieldCount()];
    for (int i = 0; i < types.length; i++) {
      positions.put(schema.getField(i).getName(), i);
      types[i] = schema.getField(i).getType().getTypeName();
    }
    this.keyPositions = keyFields.stream().mapToInt(schema::indexOf).toArray();
  }

  public Entity entity() {
    return entity;
  }

  /**
   * Parses a record into a row of the entity's {@link Bronze#fields}. A clean record is read in one
   * pass over its tokens; anything else is read again as a tree, which tells what is wrong with it.
   */
  public Result parse(String text) {
    Result clean = parseClean(text);
    return clean != null ? clean : parseTree(text);
  }

  /**
   * The row of a record with nothing wrong with it, read token by token without building a tree;
   * null for anything else, and for arrays and numbers beyond a long, which {@link #parseTree}
   * reads: given a record this returns a row for, it returns the same row and key.
   */
  @Nullable Result parseClean(String text) {
    Object[] values = new Object[types.length];
    boolean[] seen = new boolean[types.length];
    try (JsonParser json = mapper().getFactory().createParser(text)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken token = json.nextToken();
          token != JsonToken.END_OBJECT;
          token = json.nextToken()) {
        Integer position = token == JsonToken.FIELD_NAME ? positions.get(json.currentName()) : null;
        if (position == null || seen[position]) {
          return null;
        }
        seen[position] = true;
        if (json.nextToken() != JsonToken.VALUE_NULL) {
          values[position] = scalar(types[position], json);
          if (values[position] == null) {
            return null;
          }
        }
      }
      if (json.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    String[] keyParts = new String[keyPositions.length];
    for (int i = 0; i < keyPositions.length; i++) {
      Object value = values[keyPositions[i]];
      keyParts[i] =
          value instanceof String || value instanceof Long || value instanceof Integer
              ? value.toString()
              : "";
      if (keyParts[i].isEmpty()) {
        return null;
      }
    }
    return new Result(
        Row.withSchema(schema).attachValues(Arrays.asList(values)),
        null,
        null,
        String.join(",", keyParts));
  }

  /**
   * The value at the parser's current token as a field of {@code type} holds it, exactly as {@link
   * #convert} gives it from a tree; null if it does not fit or is read only from a tree.
   */
  private static @Nullable Object scalar(TypeName type, JsonParser json) throws IOException {
    JsonToken token = json.currentToken();
    boolean integer =
        token == JsonToken.VALUE_NUMBER_INT
            && (json.getNumberType() == JsonParser.NumberType.INT
                || json.getNumberType() == JsonParser.NumberType.LONG);
    return switch (type) {
      case INT64 -> integer ? json.getLongValue() : null;
      case INT32 ->
          integer && json.getNumberType() == JsonParser.NumberType.INT ? json.getIntValue() : null;
      case DOUBLE ->
          integer || token == JsonToken.VALUE_NUMBER_FLOAT ? json.getDoubleValue() : null;
      case BOOLEAN ->
          token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE
              ? token == JsonToken.VALUE_TRUE
              : null;
      case STRING -> token == JsonToken.VALUE_STRING ? json.getText() : null;
      case DATETIME -> {
        if (token != JsonToken.VALUE_STRING) {
          yield null;
        }
        try {
          yield JsonRecords.parseInstant(json.getText());
        } catch (IllegalArgumentException e) {
          yield null;
        }
      }
      default -> null;
    };
  }

  /** Parses a record through a tree of it, naming precisely what is wrong with it if anything. */
  Result parseTree(String text) {
    JsonNode json;
    try {
      json = mapper().readTree(text);
    } catch (JsonProcessingException e) {
      return failure(
          DeadLetter.Error.MALFORMED_JSON,
          "malformed JSON: " + e.getOriginalMessage(),
          keyFromText(text));
    }
    if (json == null || !json.isObject()) {
      return failure(
          DeadLetter.Error.NOT_AN_OBJECT,
          "expected a JSON object, got " + (json == null ? "nothing" : json.getNodeType()),
          null);
    }
    String key = keyOf(json);
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!schema.hasField(name)) {
        return failure(
            DeadLetter.Error.UNKNOWN_FIELD,
            "unknown field '" + name + "' (not in the " + entity.tableName() + " schema)",
            key);
      }
    }
    for (String keyField : keyFields) {
      JsonNode value = json.get(keyField);
      if (value == null || value.isNull() || value.asText().isEmpty()) {
        return failure(DeadLetter.Error.MISSING_KEY, "key field '" + keyField + "' missing", key);
      }
    }
    List<Object> values = new ArrayList<>(schema.getFieldCount());
    for (Field field : schema.getFields()) {
      JsonNode value = json.get(field.getName());
      if (value == null || value.isNull()) {
        values.add(null);
        continue;
      }
      Object converted = convert(field.getType(), value);
      if (converted == null) {
        return failure(
            DeadLetter.Error.WRONG_TYPE,
            "field '"
                + field.getName()
                + "' should be "
                + describe(field.getType())
                + ", got "
                + abbreviate(value.toString()),
            key);
      }
      values.add(converted);
    }
    // convert() yields each field's own Java type, so the values need no second check.
    return new Result(Row.withSchema(schema).attachValues(values), null, null, key);
  }

  /** A bronze row: the parsed fields followed by the metadata columns. */
  public static Row withMetadata(
      Schema bronze,
      Row fields,
      String source,
      String location,
      String record,
      String batchId,
      Instant at) {
    List<Object> values = new ArrayList<>(bronze.getFieldCount());
    values.addAll(fields.getValues());
    Collections.addAll(values, source, location, record, batchId, at);
    return Row.withSchema(bronze).attachValues(values);
  }

  private Result failure(DeadLetter.Error error, String reason, @Nullable String key) {
    return new Result(null, error, reason, key);
  }

  private @Nullable String keyOf(JsonNode json) {
    List<String> parts = new ArrayList<>();
    for (String field : keyFields) {
      JsonNode value = json.get(field);
      if (value == null || value.isNull()) {
        return null;
      }
      parts.add(value.asText());
    }
    return String.join(",", parts);
  }

  /** A broken record usually still shows its first key field; the quality score needs it. */
  private @Nullable String keyFromText(String text) {
    Matcher matcher = keyPattern.matcher(text);
    return keyFields.size() == 1 && matcher.find() ? matcher.group(1).trim() : null;
  }

  private static @Nullable Object convert(FieldType type, JsonNode value) {
    TypeName typeName = type.getTypeName();
    switch (typeName) {
      case INT64:
        return value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : null;
      case INT32:
        return value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
      case DOUBLE:
        return value.isNumber() ? value.doubleValue() : null;
      case BOOLEAN:
        return value.isBoolean() ? value.booleanValue() : null;
      case STRING:
        return value.isTextual() ? value.textValue() : null;
      case DATETIME:
        if (!value.isTextual()) {
          return null;
        }
        try {
          return JsonRecords.parseInstant(value.textValue());
        } catch (IllegalArgumentException e) {
          return null;
        }
      case ARRAY:
        if (!value.isArray()) {
          return null;
        }
        List<Object> items = new ArrayList<>();
        for (JsonNode item : value) {
          Object converted = convert(type.getCollectionElementType(), item);
          if (converted == null) {
            return null;
          }
          items.add(converted);
        }
        return items;
      default:
        throw new IllegalArgumentException("Unsupported bronze type " + type);
    }
  }

  private static String describe(FieldType type) {
    return switch (type.getTypeName()) {
      case INT64, INT32 -> "an integer";
      case DOUBLE -> "a number";
      case BOOLEAN -> "true or false";
      case STRING -> "a string";
      case DATETIME -> "an ISO-8601 timestamp";
      case ARRAY -> "an array of " + describe(type.getCollectionElementType());
      default -> type.toString();
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }

  private ObjectMapper mapper() {
    if (mapper == null) {
      // Trailing text after the object, or a field given twice, make a record ambiguous.
      mapper =
          new ObjectMapper()
              .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
    return mapper;
  }
}
