package dev.fakelake.transforms.io;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.joda.time.ReadableInstant;

/**
 * Writes flat schema rows straight into Parquet's columns. The file is the one parquet-avro writes
 * for the rows' Avro form ({@link AvroRows#toGenericRecord}): the same Parquet schema, converted
 * from the same Avro schema, which it also carries in its metadata, so any reader sees no
 * difference; but no Avro record is built per row, and no Avro schema is looked up per value.
 *
 * <p>Fields may be strings, 32- and 64-bit integers, doubles, booleans, date-times (written as
 * epoch milliseconds) and dates (days since the epoch), the types of the stream's tables; a schema
 * with any other type is refused ({@link #requireWritable}). A null in a field that is not nullable
 * is refused too, as parquet-avro refuses it, rather than written as a file no reader can read.
 */
final class RowWriteSupport extends WriteSupport<Row> {

  /** The key under which parquet-avro keeps the Avro schema in a file's metadata. */
  private static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";

  private final Schema schema;
  private final List<String> names;
  private final MessageType parquet;
  private final String avroSchema;
  private RecordConsumer consumer;

  RowWriteSupport(Schema schema) {
    requireWritable(schema);
    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
    this.schema = schema;
    this.names = schema.getFieldNames();
    this.parquet = new AvroSchemaConverter().convert(avro);
    this.avroSchema = avro.toString();
  }

  /** Refuses a schema with a field of a type this support cannot write. */
  static void requireWritable(Schema schema) {
    for (Schema.Field field : schema.getFields()) {
      if (!isWritable(field.getType())) {
        throw new IllegalArgumentException(
            "Cannot write field "
                + field.getName()
                + " of type "
                + field.getType()
                + " straight into Parquet: only flat fields of simple types are supported");
      }
    }
  }

  private static boolean isWritable(FieldType type) {
    return switch (type.getTypeName()) {
      case STRING, INT32, INT64, DOUBLE, BOOLEAN, DATETIME -> true;
      case LOGICAL_TYPE ->
          SqlTypes.DATE.getIdentifier().equals(type.getLogicalType().getIdentifier());
      default -> false;
    };
  }

  /** The writer model parquet-avro names in a file's metadata. */
  @Override
  public String getName() {
    return "avro";
  }

  @Override
  public WriteContext init(Configuration configuration) {
    return new WriteContext(parquet, Map.of(AVRO_SCHEMA_KEY, avroSchema));
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(Row row) {
    consumer.startMessage();
    for (int i = 0; i < names.size(); i++) {
      Object value = row.getValue(i);
      if (value == null) {
        if (!schema.getField(i).getType().getNullable()) {
          throw new IllegalArgumentException(
              "Cannot write a null into the required field " + names.get(i) + " of " + row);
        }
        continue;
      }
      consumer.startField(names.get(i), i);
      writeValue(schema.getField(i).getType(), value);
      consumer.endField(names.get(i), i);
    }
    consumer.endMessage();
  }

  private void writeValue(FieldType type, Object value) {
    switch (type.getTypeName()) {
      case STRING -> consumer.addBinary(Binary.fromString((String) value));
      case INT32 -> consumer.addInteger((Integer) value);
      case INT64 -> consumer.addLong((Long) value);
      case DOUBLE -> consumer.addDouble((Double) value);
      case BOOLEAN -> consumer.addBoolean((Boolean) value);
      case DATETIME -> consumer.addLong(((ReadableInstant) value).getMillis());
      case LOGICAL_TYPE -> consumer.addInteger((int) ((LocalDate) value).toEpochDay());
      default -> throw new IllegalStateException("Unsupported type " + type);
    }
  }
}
