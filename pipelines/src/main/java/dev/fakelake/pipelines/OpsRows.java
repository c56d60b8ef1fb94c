package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.io.JsonRecords;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The ops area's tables as files: {@code ops/<table>/<batch>.jsonl}, one JSON object per row, the
 * warehouse's {@code ops.*} tables are loaded from them.
 */
final class OpsRows {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OpsRows() {}

  static String folder(String lake, WarehouseTable table) {
    return lake + "/ops/" + table.tableName();
  }

  /** Writes (or replaces) the rows one batch or run produced. */
  static void write(String lake, WarehouseTable table, String name, List<Row> rows) {
    StringBuilder text = new StringBuilder();
    for (Row row : rows) {
      text.append(JsonRecords.toJson(row, MAPPER)).append('\n');
    }
    LakeFiles.write(folder(lake, table) + "/" + name + ".jsonl", text.toString());
  }

  /** Every row of an ops table in the lake. */
  static List<Row> read(String lake, WarehouseTable table) {
    return readMatching(table, folder(lake, table) + "/*.jsonl");
  }

  /** The rows one batch or run wrote with {@link #write} (or a pipeline, to the same name). */
  static List<Row> read(String lake, WarehouseTable table, String name) {
    return readMatching(table, folder(lake, table) + "/" + name + ".jsonl");
  }

  private static List<Row> readMatching(WarehouseTable table, String glob) {
    Schema schema = table.schema();
    List<Row> rows = new ArrayList<>();
    for (String path : LakeFiles.match(glob)) {
      for (String line : LakeFiles.read(path).split("\n")) {
        if (!line.isBlank()) {
          rows.add(parse(schema, line, path));
        }
      }
    }
    return rows;
  }

  private static Row parse(Schema schema, String line, String path) {
    try {
      JsonNode json = MAPPER.readTree(line);
      Row.Builder row = Row.withSchema(schema);
      for (Schema.Field field : schema.getFields()) {
        JsonNode value = json.get(field.getName());
        if (value == null || value.isNull()) {
          row.addValue(null);
          continue;
        }
        row.addValue(
            switch (field.getType().getTypeName()) {
              case INT64 -> value.asLong();
              case INT32 -> value.asInt();
              case DOUBLE -> value.asDouble();
              case BOOLEAN -> value.asBoolean();
              case DATETIME -> Instant.parse(value.asText());
              default -> value.asText();
            });
      }
      return row.build();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot read ops record in " + path + ": " + e.getMessage(), e);
    }
  }
}
