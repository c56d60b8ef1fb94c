package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What one ingest batch reads: the landing files (with a fingerprint of their content) and the
 * watermark range of each source table. It is written to the ops area before the pipeline runs, so
 * a killed run is resumed with exactly the same input, batch id and ingestion time.
 */
record IngestBatch(
    String batchId, Instant startedAt, List<LandingFile> files, List<TableRange> tables) {

  /** A landing file of a source, identified by its content. */
  record LandingFile(String source, String path, String fingerprint) {}

  /** The rows of a source table with {@code from < updated_at <= to}; from is null at first. */
  record TableRange(String source, @Nullable Instant from, Instant to) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static IngestBatch start(Instant now, List<LandingFile> files, List<TableRange> tables) {
    String id =
        "b"
            + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(ZoneOffset.UTC)
                .format(java.time.Instant.ofEpochMilli(now.getMillis()));
    return new IngestBatch(id, now, List.copyOf(files), List.copyOf(tables));
  }

  boolean isEmpty() {
    return files.isEmpty() && tables.isEmpty();
  }

  /** The bronze partition of this batch: the UTC date it started. */
  String ingestDate() {
    return startedAt.toString().substring(0, 10);
  }

  List<String> paths(String source) {
    return files.stream().filter(f -> f.source().equals(source)).map(LandingFile::path).toList();
  }

  @Nullable TableRange range(String source) {
    return tables.stream().filter(t -> t.source().equals(source)).findFirst().orElse(null);
  }

  String toJson() {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("batch_id", batchId);
    json.put("started_at", startedAt.toString());
    ArrayNode fileArray = json.putArray("files");
    for (LandingFile file : files) {
      fileArray
          .addObject()
          .put("source", file.source())
          .put("path", file.path())
          .put("fingerprint", file.fingerprint());
    }
    ArrayNode tableArray = json.putArray("tables");
    for (TableRange table : tables) {
      ObjectNode range = tableArray.addObject().put("source", table.source());
      range.put("from", table.from() == null ? null : table.from().toString());
      range.put("to", table.to().toString());
    }
    return json.toPrettyString();
  }

  static IngestBatch fromJson(String text) {
    try {
      JsonNode json = MAPPER.readTree(text);
      List<LandingFile> files = new ArrayList<>();
      for (JsonNode file : json.path("files")) {
        files.add(
            new LandingFile(
                file.get("source").asText(),
                file.get("path").asText(),
                file.get("fingerprint").asText()));
      }
      List<TableRange> tables = new ArrayList<>();
      for (JsonNode table : json.path("tables")) {
        JsonNode from = table.get("from");
        tables.add(
            new TableRange(
                table.get("source").asText(),
                from == null || from.isNull() ? null : Instant.parse(from.asText()),
                Instant.parse(table.get("to").asText())));
      }
      return new IngestBatch(
          json.get("batch_id").asText(),
          Instant.parse(json.get("started_at").asText()),
          files,
          tables);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot read an ingest batch record: " + e.getMessage(), e);
    }
  }
}
