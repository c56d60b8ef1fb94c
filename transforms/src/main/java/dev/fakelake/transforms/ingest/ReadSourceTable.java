package dev.fakelake.transforms.ingest;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Reads the rows of a source table changed in a watermark range, {@code from < column <= to}, into
 * bronze rows; the table's primary key becomes the row's record. A row whose key is null becomes a
 * dead letter. Columns are read by the entity's field names, so a table with a missing column fails
 * the run with the column's name.
 */
public class ReadSourceTable extends PTransform<PBegin, PCollectionTuple> {

  private final SourceSpec source;
  private final SerializableFunction<Void, DataSource> dataSource;
  private final @Nullable Instant from;
  private final Instant to;
  private final String batchId;
  private final Instant ingestedAt;

  private ReadSourceTable(
      SourceSpec source,
      SerializableFunction<Void, DataSource> dataSource,
      @Nullable Instant from,
      Instant to,
      String batchId,
      Instant ingestedAt) {
    this.source = source;
    this.dataSource = dataSource;
    this.from = from;
    this.to = to;
    this.batchId = batchId;
    this.ingestedAt = ingestedAt;
  }

  /**
   * Rows changed after {@code from} (everything when null) up to and including {@code to}, read
   * through the data source that {@code dataSource} provides on the worker.
   */
  public static ReadSourceTable of(
      SourceSpec source,
      SerializableFunction<Void, DataSource> dataSource,
      @Nullable Instant from,
      Instant to,
      String batchId,
      Instant ingestedAt) {
    return new ReadSourceTable(source, dataSource, from, to, batchId, ingestedAt);
  }

  /** The extraction query; the bounds are bound as parameters. */
  public static String query(SourceSpec source, boolean hasLowerBound) {
    String column = source.incrementalColumn();
    return "SELECT * FROM "
        + source.location()
        + " WHERE "
        + (hasLowerBound ? column + " > ? AND " : "")
        + column
        + " <= ?";
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    Schema schema = Bronze.fields(source.entity());
    @Nullable Long fromMillis = from == null ? null : from.getMillis();
    long toMillis = to.getMillis();
    PCollection<Row> rows =
        begin.apply(
            "Read" + source.name() + "Rows",
            JdbcIO.<Row>read()
                .withDataSourceProviderFn(dataSource)
                .withQuery(query(source, fromMillis != null))
                .withStatementPreparator(
                    statement -> {
                      int index = 1;
                      if (fromMillis != null) {
                        statement.setObject(index++, utc(fromMillis));
                      }
                      statement.setObject(index, utc(toMillis));
                    })
                .withRowMapper(new ToBronzeRow(schema))
                // Re-parallelizing groups by row: on the Direct runner that is one bundle per row,
                // minutes for a few thousand. The rows of one query come from one reader anyway.
                .withOutputParallelization(false)
                .withCoder(org.apache.beam.sdk.coders.RowCoder.of(schema)));
    PCollectionTuple out =
        rows.apply(
            "AddMetadata",
            ParDo.of(new AddMetadataFn(source, batchId, ingestedAt))
                .withOutputTags(
                    ReadLandingFiles.BRONZE, TupleTagList.of(ReadLandingFiles.DEAD_LETTERS)));
    out.get(ReadLandingFiles.BRONZE).setRowSchema(Bronze.schema(source.entity()));
    return out;
  }

  private static OffsetDateTime utc(long millis) {
    return java.time.Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
  }

  /** Maps a result set row to the entity's bronze fields, by column name. */
  private static class ToBronzeRow implements JdbcIO.RowMapper<Row> {
    private final Schema schema;

    ToBronzeRow(Schema schema) {
      this.schema = schema;
    }

    @Override
    public Row mapRow(ResultSet resultSet) throws SQLException {
      List<Object> values = new ArrayList<>();
      for (Field field : schema.getFields()) {
        String name = field.getName();
        Object value =
            switch (field.getType().getTypeName()) {
              case INT64 -> resultSet.getLong(name);
              case INT32 -> resultSet.getInt(name);
              case DOUBLE -> resultSet.getDouble(name);
              case BOOLEAN -> resultSet.getBoolean(name);
              case STRING -> resultSet.getString(name);
              case DATETIME -> {
                OffsetDateTime time = resultSet.getObject(name, OffsetDateTime.class);
                yield time == null ? null : new Instant(time.toInstant().toEpochMilli());
              }
              default ->
                  throw new SQLException("Column " + name + " has an unsupported type for bronze");
            };
        values.add(resultSet.wasNull() ? null : value);
      }
      return Row.withSchema(schema).attachValues(values);
    }
  }

  private static class AddMetadataFn extends DoFn<Row, Row> {
    private final SourceSpec source;
    private final String batchId;
    private final Instant ingestedAt;
    private final List<String> keyFields;
    private final Schema bronze;
    private final IngestCounters counters;

    AddMetadataFn(SourceSpec source, String batchId, Instant ingestedAt) {
      this.source = source;
      this.batchId = batchId;
      this.ingestedAt = ingestedAt;
      this.keyFields = List.of(source.entity().key().split(","));
      this.bronze = Bronze.schema(source.entity());
      this.counters = IngestCounters.of(source.name());
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      counters.countRead();
      List<String> key = new ArrayList<>();
      for (String field : keyFields) {
        key.add(String.valueOf((Object) row.getValue(field)));
      }
      String record = String.join(",", key);
      if (keyFields.stream().anyMatch(field -> row.getValue(field) == null)) {
        out.get(ReadLandingFiles.DEAD_LETTERS)
            .output(
                DeadLetter.builder()
                    .setSource(source.name())
                    .setLocation(source.location())
                    .setRecord(record)
                    .setRecordKey(null)
                    .setError(DeadLetter.Error.MISSING_KEY.code())
                    .setReason("key column is null")
                    .setPayload(row.toString())
                    .setBatchId(batchId)
                    .setFailedAt(ingestedAt)
                    .build());
        counters.countDeadLettered();
        return;
      }
      out.get(ReadLandingFiles.BRONZE)
          .output(
              RecordParser.withMetadata(
                  bronze, row, source.name(), source.location(), record, batchId, ingestedAt));
      counters.countWritten();
    }
  }
}
