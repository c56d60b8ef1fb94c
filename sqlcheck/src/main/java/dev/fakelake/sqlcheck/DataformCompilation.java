package dev.fakelake.sqlcheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a compiled Dataform project ({@code dataform compile --json}) that the BigQuery
 * check needs: declarations, the actions with every query BigQuery would run for them, and the unit
 * tests.
 */
public record DataformCompilation(
    List<Target> declarations, List<Action> actions, List<UnitTest> tests) {

  /** A table or view as Dataform names it; {@link #reference()} is what compiled SQL quotes. */
  public record Target(String database, String schema, String name) {

    /** The text between the backticks of a compiled ref, e.g. {@code project.silver.orders}. */
    public String reference() {
      return database.isEmpty() ? schema + "." + name : database + "." + schema + "." + name;
    }

    /** {@code dataset.table}, how a person names the table. */
    public String shortName() {
      return schema + "." + name;
    }

    @Override
    public String toString() {
      return shortName();
    }
  }

  /** What Dataform makes of an action, which decides the statements it runs on BigQuery. */
  public enum Kind {
    TABLE,
    VIEW,
    INCREMENTAL,
    OPERATIONS,
    ASSERTION
  }

  /**
   * One action: a table, view, incremental table, operations file or assertion. Lists are empty
   * rather than absent; {@code partitionBy} is empty for unpartitioned tables.
   */
  public record Action(
      Kind kind,
      Target target,
      String fileName,
      List<Target> dependencies,
      String query,
      String incrementalQuery,
      List<String> preOps,
      List<String> postOps,
      List<String> incrementalPreOps,
      List<String> incrementalPostOps,
      List<String> operations,
      List<String> uniqueKey,
      String partitionBy,
      List<String> clusterBy,
      boolean materialized) {

    /** How reports name the action: {@code dataset.table (definitions/file.sqlx)}. */
    public String describe() {
      return target.shortName() + " (" + fileName + ")";
    }
  }

  /** A Dataform unit test: the model's query over the test's input rows, and the expected rows. */
  public record UnitTest(String name, String fileName, String testQuery, String expectedQuery) {}

  /**
   * Reads a compilation. A compilation with errors is refused with Dataform's messages, since its
   * actions are incomplete.
   */
  public static DataformCompilation read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("No compiled Dataform project at " + file);
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + " is not a Dataform JSON compilation: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.has("projectConfig")) {
      throw new IOException(file + " is not a Dataform JSON compilation (no projectConfig)");
    }
    List<String> errors = new ArrayList<>();
    for (JsonNode error : root.path("graphErrors").path("compilationErrors")) {
      errors.add(error.path("fileName").asText("?") + ": " + error.path("message").asText());
    }
    if (!errors.isEmpty()) {
      throw new IOException(
          file + " has Dataform compilation errors:\n  " + String.join("\n  ", errors));
    }

    List<Target> declarations = new ArrayList<>();
    for (JsonNode declaration : root.path("declarations")) {
      declarations.add(target(declaration.path("target")));
    }
    List<Action> actions = new ArrayList<>();
    for (JsonNode table : root.path("tables")) {
      actions.add(action(tableKind(table), table));
    }
    for (JsonNode operation : root.path("operations")) {
      actions.add(action(Kind.OPERATIONS, operation));
    }
    for (JsonNode assertion : root.path("assertions")) {
      actions.add(action(Kind.ASSERTION, assertion));
    }
    List<UnitTest> tests = new ArrayList<>();
    for (JsonNode test : root.path("tests")) {
      tests.add(
          new UnitTest(
              test.path("name").asText(),
              test.path("fileName").asText(),
              test.path("testQuery").asText(),
              test.path("expectedOutputQuery").asText()));
    }
    return new DataformCompilation(declarations, actions, tests);
  }

  private static Kind tableKind(JsonNode table) {
    String type = table.path("type").asText(table.path("enumType").asText());
    switch (type.toLowerCase()) {
      case "table":
        return Kind.TABLE;
      case "view":
        return Kind.VIEW;
      case "incremental":
        return Kind.INCREMENTAL;
      default:
        throw new IllegalArgumentException(
            "Unknown table type '" + type + "' in " + table.path("fileName").asText());
    }
  }

  private static Action action(Kind kind, JsonNode node) {
    JsonNode bigquery = node.path("bigquery");
    List<Target> dependencies = new ArrayList<>();
    for (JsonNode dependency : node.path("dependencyTargets")) {
      dependencies.add(target(dependency));
    }
    return new Action(
        kind,
        target(node.path("target")),
        node.path("fileName").asText(),
        dependencies,
        node.path("query").asText(""),
        node.path("incrementalQuery").asText(""),
        strings(node.path("preOps")),
        strings(node.path("postOps")),
        strings(node.path("incrementalPreOps")),
        strings(node.path("incrementalPostOps")),
        strings(node.path("queries")),
        strings(node.path("uniqueKey")),
        bigquery.path("partitionBy").asText(""),
        strings(bigquery.path("clusterBy")),
        node.path("materialized").asBoolean(false));
  }

  private static Target target(JsonNode target) {
    if (!target.has("name")) {
      throw new IllegalArgumentException("An action has no target name: " + target);
    }
    return new Target(
        target.path("database").asText(""),
        target.path("schema").asText(""),
        target.path("name").asText());
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    for (JsonNode value : array) {
      values.add(value.asText());
    }
    return values;
  }
}
