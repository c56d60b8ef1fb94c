package dev.fakelake.transforms.io;

import dev.fakelake.schemas.WarehouseTable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * PostgreSQL tables derived from an entity's Beam schema: the DDL, an idempotent upsert, and the
 * {@link JdbcIO} write that uses them. The schema in {@code schemas/} stays the one declaration.
 */
public final class JdbcTables {

  private JdbcTables() {}

  /** {@code CREATE TABLE IF NOT EXISTS} with the schema's columns and the given primary key. */
  public static String createTableSql(String table, Schema schema, List<String> primaryKey) {
    String columns =
        schema.getFields().stream()
            .map(
                f ->
                    f.getName()
                        + " "
                        + sqlType(f.getType())
                        + (f.getType().getNullable() ? "" : " NOT NULL"))
            .collect(Collectors.joining(", "));
    return "CREATE TABLE IF NOT EXISTS "
        + table
        + " ("
        + columns
        + ", PRIMARY KEY ("
        + String.join(", ", primaryKey)
        + "))";
  }

  /** An insert that replaces the row with the same key, so a retried bundle changes nothing. */
  public static String upsertSql(String table, Schema schema, List<String> primaryKey) {
    List<String> names = schema.getFieldNames();
    String updates =
        names.stream()
            .filter(n -> !primaryKey.contains(n))
            .map(n -> n + " = EXCLUDED." + n)
            .collect(Collectors.joining(", "));
    return "INSERT INTO "
        + table
        + " ("
        + String.join(", ", names)
        + ") VALUES ("
        + names.stream().map(n -> "?").collect(Collectors.joining(", "))
        + ") ON CONFLICT ("
        + String.join(", ", primaryKey)
        + ") DO UPDATE SET "
        + updates;
  }

  /**
   * Writes schema-aware records into {@code table} in batches, with upserts, through the data
   * source that {@code dataSource} provides on the worker.
   */
  public static <T> JdbcIO.Write<T> write(
      SerializableFunction<Void, DataSource> dataSource,
      Class<T> recordClass,
      String table,
      List<String> primaryKey) {
    Schema schema = WarehouseTable.entitySchema(recordClass);
    SerializableFunction<T, Row> rows = JsonRecords.toRowFunction(recordClass);
    return JdbcIO.<T>write()
        .withDataSourceProviderFn(dataSource)
        .withStatement(upsertSql(table, schema, primaryKey))
        .withBatchSize(1_000)
        .withPreparedStatementSetter((element, statement) -> bind(rows.apply(element), statement));
  }

  static void bind(Row row, PreparedStatement statement) throws SQLException {
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Object value = row.getValue(i);
      Schema.FieldType type = schema.getField(i).getType();
      if (value == null) {
        statement.setNull(i + 1, jdbcType(type));
      } else if (value instanceof ReadableInstant instant) {
        statement.setObject(
            i + 1,
            OffsetDateTime.ofInstant(
                java.time.Instant.ofEpochMilli(instant.getMillis()), ZoneOffset.UTC));
      } else {
        statement.setObject(i + 1, value);
      }
    }
  }

  private static String sqlType(Schema.FieldType type) {
    return switch (type.getTypeName()) {
      case INT64 -> "BIGINT";
      case INT32 -> "INTEGER";
      case DOUBLE -> "DOUBLE PRECISION";
      case BOOLEAN -> "BOOLEAN";
      case DATETIME -> "TIMESTAMPTZ";
      case STRING -> "TEXT";
      default -> throw new IllegalArgumentException("No SQL column type for " + type);
    };
  }

  private static int jdbcType(Schema.FieldType type) {
    return switch (type.getTypeName()) {
      case INT64 -> Types.BIGINT;
      case INT32 -> Types.INTEGER;
      case DOUBLE -> Types.DOUBLE;
      case BOOLEAN -> Types.BOOLEAN;
      case DATETIME -> Types.TIMESTAMP_WITH_TIMEZONE;
      default -> Types.VARCHAR;
    };
  }
}
