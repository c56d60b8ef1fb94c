package dev.fakelake.transforms.io;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rows survive a trip through Parquet unchanged, and the row/Avro conversion gives what Beam's own
 * converter gives, for every schema the lake stores.
 */
@ExtendWith(TestPipelineExtension.class)
class ParquetRowsTest {

  private static final Schema NESTED =
      Schema.builder()
          .addInt64Field("id")
          .addNullableField("name", FieldType.STRING)
          .addNullableField("born", FieldType.logicalType(SqlTypes.DATE))
          .addNullableField("seen_at", FieldType.DATETIME)
          .addNullableField("tags", FieldType.array(FieldType.STRING))
          .addNullableField(
              "address",
              FieldType.row(
                  Schema.builder()
                      .addStringField("city")
                      .addNullableField("lat", FieldType.DOUBLE)
                      .build()))
          .addNullableField("stars", FieldType.INT32)
          .addNullableField("vip", FieldType.BOOLEAN)
          .build();

  static Stream<Schema> lakeSchemas() {
    Stream<Schema> bronze = Stream.of(Entity.values()).map(Bronze::schema);
    Stream<Schema> warehouse = Stream.of(WarehouseTable.values()).map(WarehouseTable::schema);
    return Stream.concat(Stream.concat(bronze, warehouse), Stream.of(NESTED));
  }

  @ParameterizedTest
  @MethodSource("lakeSchemas")
  void convertsLikeBeamsOwnConverterBothWays(Schema schema) {
    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
    for (Row row : List.of(sample(schema, 1), sample(schema, 2), nullsWherePossible(schema))) {
      GenericRecord expected = AvroUtils.toGenericRecord(row, avro);

      GenericRecord record = AvroRows.toGenericRecord(schema).apply(row);

      for (org.apache.avro.Schema.Field field : avro.getFields()) {
        assertEquals(
            plain(expected.get(field.pos())), plain(record.get(field.pos())), field.name());
      }
      assertEquals(row, AvroRows.toRow(schema).apply(record));
      assertEquals(row, AvroRows.toRow(schema).apply(expected));
    }
  }

  @Test
  void writtenRowsReadBackUnchanged(TestPipeline pipeline, @TempDir Path folder) {
    List<Row> rows = List.of(sample(NESTED, 1), sample(NESTED, 2), nullsWherePossible(NESTED));
    Pipeline writer = Pipeline.create(TestPipeline.testingPipelineOptions());
    writer
        .apply("Rows", Create.of(rows).withRowSchema(NESTED))
        .apply("Write", ParquetRows.write(folder.toString(), "part"));
    writer.run().waitUntilFinish();

    PCollection<Row> read = pipeline.apply("Read", ParquetRows.read(folder + "/*.parquet", NESTED));

    PAssert.that(read).containsInAnyOrder(rows);
    pipeline.run().waitUntilFinish();
  }

  static Stream<Schema> flatLakeSchemas() {
    return lakeSchemas()
        .filter(
            schema ->
                schema.getFields().stream()
                    .noneMatch(
                        field ->
                            field.getType().getTypeName().isCollectionType()
                                || field.getType().getTypeName().isCompositeType()));
  }

  @ParameterizedTest
  @MethodSource("flatLakeSchemas")
  void theStreamSinkWritesTheFileParquetAvroWritesAndItReadsBackUnchanged(
      Schema schema, @TempDir Path folder) throws IOException {
    List<Row> rows = List.of(sample(schema, 1), sample(schema, 2), nullsWherePossible(schema));
    Path file = folder.resolve("pane.parquet");
    FileIO.Sink<Row> sink = ParquetRows.sinkWithoutDictionaries(schema);
    try (WritableByteChannel channel = Files.newByteChannel(file, CREATE_NEW, WRITE)) {
      sink.open(channel);
      for (Row row : rows) {
        sink.write(row);
      }
      sink.flush();
    }

    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
    try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
      assertEquals(new AvroSchemaConverter().convert(avro), footer.getFileMetaData().getSchema());
      assertEquals(
          Map.of("parquet.avro.schema", avro.toString(), "writer.model.name", "avro"),
          footer.getFileMetaData().getKeyValueMetaData());
    }
    List<Row> read = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
      for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
        read.add(AvroRows.toRow(schema).apply(record));
      }
    }
    assertEquals(rows, read);
  }

  @Test
  void theStreamSinkRefusesANullInARequiredField(@TempDir Path folder) throws IOException {
    Schema schema = Schema.builder().addInt64Field("id").build();
    FileIO.Sink<Row> sink = ParquetRows.sinkWithoutDictionaries(schema);
    try (WritableByteChannel channel =
        Files.newByteChannel(folder.resolve("pane.parquet"), CREATE_NEW, WRITE)) {
      sink.open(channel);
      // attachValues skips the row's own checks, as the stream's steps build rows.
      Row unchecked = Row.withSchema(schema).attachValues(java.util.Arrays.asList((Object) null));

      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> sink.write(unchecked));

      assertTrue(
          error.getMessage().startsWith("Cannot write a null into the required field id"),
          error.getMessage());
    }
  }

  @Test
  void theStreamSinkRefusesANestedSchema() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> ParquetRows.sinkWithoutDictionaries(NESTED));

    assertTrue(error.getMessage().startsWith("Cannot write field tags"), error.getMessage());
  }

  @Test
  void readsAFileWrittenWithAnOlderSchemaByFieldName() {
    Schema older =
        Schema.builder()
            .addNullableField("stars", FieldType.INT32)
            .addInt64Field("id")
            .addNullableField("name", FieldType.STRING)
            .build();
    GenericRecord record =
        AvroRows.toGenericRecord(older)
            .apply(Row.withSchema(older).addValues(4, 7L, "Brno").build());

    Row row = AvroRows.toRow(NESTED).apply(record);

    assertEquals(7L, row.getInt64("id"));
    assertEquals("Brno", row.getString("name"));
    assertEquals(4, row.getInt32("stars"));
    assertNull(row.getValue("born"));
  }

  @Test
  void refusesATypeItCannotConvert() {
    Schema bytes = Schema.builder().addByteArrayField("payload").build();

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> AvroRows.toRow(bytes));

    assertTrue(
        error.getMessage().startsWith("Field payload has an unsupported type"), error.getMessage());
  }

  /**
   * Beam's converter gives Avro strings and a date's days as a long where this one gives Java
   * strings and an int; Parquet writes both the same way.
   */
  private static Object plain(Object value) {
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    if (value instanceof Integer number) {
      return number.longValue();
    }
    if (value instanceof List<?> items) {
      return items.stream().map(ParquetRowsTest::plain).toList();
    }
    if (value instanceof GenericRecord nested) {
      return nested.getSchema().getFields().stream()
          .map(field -> String.valueOf(plain(nested.get(field.pos()))))
          .toList();
    }
    return value;
  }

  /** A row with a value of the field's type in every field; {@code seed} varies the values. */
  private static Row sample(Schema schema, int seed) {
    List<Object> values = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      values.add(value(field.getType(), seed));
    }
    return Row.withSchema(schema).addValues(values).build();
  }

  private static Row nullsWherePossible(Schema schema) {
    List<Object> values = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      values.add(field.getType().getNullable() ? null : value(field.getType(), 3));
    }
    return Row.withSchema(schema).addValues(values).build();
  }

  private static Object value(FieldType type, int seed) {
    return switch (type.getTypeName()) {
      case INT32 -> 10 + seed;
      case INT64 -> 1_000_000_000_000L + seed;
      case DOUBLE -> 1.5 * seed;
      case BOOLEAN -> seed % 2 == 0;
      case STRING -> "Plzeň " + seed;
      case DATETIME -> Instant.parse("2026-03-01T08:00:00.123Z").plus(seed * 1000L);
      case LOGICAL_TYPE -> LocalDate.of(1990, 1, 1).plusDays(seed);
      case ARRAY, ITERABLE ->
          List.of(
              value(type.getCollectionElementType(), seed),
              value(type.getCollectionElementType(), seed + 1));
      case ROW -> sample(type.getRowSchema(), seed);
      default -> throw new IllegalArgumentException(type.toString());
    };
  }
}
