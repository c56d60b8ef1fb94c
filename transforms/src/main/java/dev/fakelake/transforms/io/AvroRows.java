package dev.fakelake.transforms.io;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * Converts between schema rows and Avro records of {@link AvroUtils#toAvroSchema(Schema)}, field by
 * position, for the field types fakelake's schemas use. Beam's own converters check and describe
 * every value on the way (several times the cost of the Parquet encoding itself), which made them
 * the largest cost of reading and writing the lake's Parquet files.
 */
final class AvroRows {

  private AvroRows() {}

  /** A function from rows of {@code schema} to Avro records. */
  static SerializableFunction<Row, GenericRecord> toGenericRecord(Schema schema) {
    checkSupported(schema);
    return new ToGenericRecord(schema);
  }

  /** A function from Avro records to rows of {@code schema}. */
  static SerializableFunction<GenericRecord, Row> toRow(Schema schema) {
    checkSupported(schema);
    return new ToRow(schema);
  }

  private static void checkSupported(Schema schema) {
    for (Schema.Field field : schema.getFields()) {
      checkSupported(field.getName(), field.getType());
    }
  }

  private static void checkSupported(String name, FieldType type) {
    switch (type.getTypeName()) {
      case INT32, INT64, DOUBLE, BOOLEAN, STRING, DATETIME -> {}
      case ARRAY, ITERABLE -> checkSupported(name, type.getCollectionElementType());
      case ROW -> checkSupported(type.getRowSchema());
      case LOGICAL_TYPE -> {
        if (!isDate(type)) {
          throw new IllegalArgumentException("Field " + name + " has an unsupported type " + type);
        }
      }
      default ->
          throw new IllegalArgumentException("Field " + name + " has an unsupported type " + type);
    }
  }

  private static boolean isDate(FieldType type) {
    return type.getTypeName() == Schema.TypeName.LOGICAL_TYPE
        && SqlTypes.DATE.getIdentifier().equals(type.getLogicalType().getIdentifier());
  }

  private static final class ToGenericRecord implements SerializableFunction<Row, GenericRecord> {
    private final Schema schema;
    // Avro schemas are not serialisable; derived again after deserialisation.
    private transient org.apache.avro.@Nullable Schema avro;

    ToGenericRecord(Schema schema) {
      this.schema = schema;
    }

    @Override
    public GenericRecord apply(Row row) {
      if (avro == null) {
        avro = AvroUtils.toAvroSchema(schema);
      }
      return record(avro, schema, row);
    }

    private static GenericRecord record(org.apache.avro.Schema avro, Schema schema, Row row) {
      GenericData.Record record = new GenericData.Record(avro);
      List<Schema.Field> fields = schema.getFields();
      for (int i = 0; i < fields.size(); i++) {
        Object value = row.getValue(i);
        if (value != null) {
          record.put(
              i, avroValue(avro.getFields().get(i).schema(), fields.get(i).getType(), value));
        }
      }
      return record;
    }

    private static Object avroValue(org.apache.avro.Schema avro, FieldType type, Object value) {
      org.apache.avro.Schema nonNull = nonNull(avro);
      return switch (type.getTypeName()) {
        case DATETIME -> ((ReadableInstant) value).getMillis();
        case LOGICAL_TYPE -> (int) ((LocalDate) value).toEpochDay();
        case ARRAY, ITERABLE -> {
          List<Object> items = new ArrayList<>();
          for (Object item : (Iterable<?>) value) {
            items.add(
                item == null
                    ? null
                    : avroValue(nonNull.getElementType(), type.getCollectionElementType(), item));
          }
          yield items;
        }
        case ROW -> record(nonNull, type.getRowSchema(), (Row) value);
        default -> value;
      };
    }
  }

  /**
   * Reads records by field name, resolved to positions once per record schema: a Parquet file gives
   * records in the schema it was written with, which can be an older one than {@code schema}. A
   * field the file does not have reads as null.
   */
  private static final class ToRow implements SerializableFunction<GenericRecord, Row> {
    private final Schema schema;
    // The positions of the last record schema seen; files of one schema come in long runs.
    private transient org.apache.avro.@Nullable Schema lastRecordSchema;
    private transient int @Nullable [] lastPositions;

    ToRow(Schema schema) {
      this.schema = schema;
    }

    @Override
    public Row apply(GenericRecord record) {
      if (record.getSchema() != lastRecordSchema) {
        lastPositions = positions(schema, record.getSchema());
        lastRecordSchema = record.getSchema();
      }
      return row(schema, record, lastPositions);
    }

    /** Where each field of {@code schema} is in records of {@code avro}, or -1. */
    private static int[] positions(Schema schema, org.apache.avro.Schema avro) {
      int[] positions = new int[schema.getFieldCount()];
      for (int i = 0; i < positions.length; i++) {
        org.apache.avro.Schema.Field field = avro.getField(schema.getField(i).getName());
        positions[i] = field == null ? -1 : field.pos();
      }
      return positions;
    }

    private static Row row(Schema schema, GenericRecord record, int[] positions) {
      List<Schema.Field> fields = schema.getFields();
      List<Object> values = new ArrayList<>(fields.size());
      for (int i = 0; i < fields.size(); i++) {
        Object value = positions[i] < 0 ? null : record.get(positions[i]);
        values.add(value == null ? null : beamValue(fields.get(i).getType(), value));
      }
      // Every value is converted to its field's own Java type above.
      return Row.withSchema(schema).attachValues(values);
    }

    private static Object beamValue(FieldType type, Object value) {
      return switch (type.getTypeName()) {
        case STRING -> value.toString();
        case DATETIME ->
            value instanceof java.time.Instant time
                ? new Instant(time.toEpochMilli())
                : new Instant(((Number) value).longValue());
        case LOGICAL_TYPE ->
            value instanceof LocalDate date
                ? date
                : LocalDate.ofEpochDay(((Number) value).longValue());
        case ARRAY, ITERABLE -> {
          List<Object> items = new ArrayList<>();
          for (Object item : (Iterable<?>) value) {
            items.add(item == null ? null : beamValue(type.getCollectionElementType(), item));
          }
          yield items;
        }
        case ROW -> {
          GenericRecord nested = (GenericRecord) value;
          yield row(
              type.getRowSchema(), nested, positions(type.getRowSchema(), nested.getSchema()));
        }
        default -> value;
      };
    }
  }

  private static org.apache.avro.Schema nonNull(org.apache.avro.Schema schema) {
    if (schema.getType() != org.apache.avro.Schema.Type.UNION) {
      return schema;
    }
    for (org.apache.avro.Schema branch : schema.getTypes()) {
      if (branch.getType() != org.apache.avro.Schema.Type.NULL) {
        return branch;
      }
    }
    throw new IllegalArgumentException("A union of nulls only: " + schema);
  }
}
