package dev.fakelake.pipelines.dataform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A Dataform project as {@code dataform compile --json} describes it: declarations, tables, views,
 * incremental tables, operations, assertions and unit tests, each with its target, source file, SQL
 * and dependencies. Only what running the project needs is read; the rest of the JSON is left
 * alone.
 */
public final class CompiledGraph {

  /** What an action does when it runs. */
  public enum Kind {
    DECLARATION,
    TABLE,
    VIEW,
    INCREMENTAL,
    OPERATION,
    ASSERTION
  }

  /** A warehouse object: {@code database} is the BigQuery project, {@code schema} the dataset. */
  public record Target(String database, String schema, String name) {

    /** The name as Dataform prints it into compiled SQL, between backticks. */
    public String bigQueryName() {
      return database + "." + schema + "." + name;
    }

    /** {@code schema.name}, the way the local warehouse and the reports name it. */
    public String qualifiedName() {
      return schema + "." + name;
    }

    @Override
    public String toString() {
      return qualifiedName();
    }
  }

  /** A column of an action, as its {@code columns} block describes it. */
  public record Column(String name, String description) {}

  /**
   * One action of the graph. {@code queries} holds an operation's statements; {@code
   * incrementalQuery} is what an incremental table runs once it exists; {@code parent} is the table
   * an automatic assertion (uniqueKey, nonNull, rowConditions) checks, or null.
   */
  public record Action(
      Kind kind,
      Target target,
      String fileName,
      String query,
      String incrementalQuery,
      List<String> queries,
      List<String> preOps,
      List<String> postOps,
      List<String> incrementalPreOps,
      List<String> incrementalPostOps,
      List<Target> dependencies,
      List<String> uniqueKey,
      boolean disabled,
      boolean isProtected,
      boolean hasOutput,
      List<String> tags,
      String description,
      List<Column> columns,
      Target parent) {}

  /**
   * A Dataform unit test ({@code type: "test"}): the model's query with its inputs replaced by the
   * test's rows, and the rows it must return.
   */
  public record UnitTest(String name, String fileName, String testQuery, String expectedQuery) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Action> actions;
  private final List<UnitTest> tests;
  private final Map<String, String> vars;

  private CompiledGraph(List<Action> actions, List<UnitTest> tests, Map<String, String> vars) {
    this.actions = List.copyOf(actions);
    this.tests = List.copyOf(tests);
    this.vars = Map.copyOf(vars);
  }

  /** Reads the JSON that {@code dataform compile --json} printed. */
  public static CompiledGraph parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("The Dataform CLI printed no valid JSON: " + e, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("The Dataform CLI printed no compiled graph");
    }
    List<Action> actions = new ArrayList<>();
    for (JsonNode node : root.path("declarations")) {
      actions.add(action(Kind.DECLARATION, node));
    }
    for (JsonNode node : root.path("tables")) {
      actions.add(action(tableKind(node), node));
    }
    for (JsonNode node : root.path("operations")) {
      actions.add(action(Kind.OPERATION, node));
    }
    for (JsonNode node : root.path("assertions")) {
      actions.add(action(Kind.ASSERTION, node));
    }
    List<UnitTest> tests = new ArrayList<>();
    for (JsonNode node : root.path("tests")) {
      tests.add(
          new UnitTest(
              node.path("name").asText(),
              node.path("fileName").asText(),
              node.path("testQuery").asText(""),
              node.path("expectedOutputQuery").asText("")));
    }
    Map<String, String> vars =
        JSON.convertValue(
            root.path("projectConfig").path("vars"),
            JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    return new CompiledGraph(actions, tests, vars == null ? Map.of() : vars);
  }

  /** Reads a compiled graph from a file, e.g. {@code dataform/target/dataform-bigquery.json}. */
  public static CompiledGraph read(Path file) {
    try {
      return parse(java.nio.file.Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** Every action, declarations included, in the order the compiler listed them. */
  public List<Action> actions() {
    return actions;
  }

  /** The actions of one kind. */
  public List<Action> actions(Kind kind) {
    return actions.stream().filter(a -> a.kind() == kind).collect(Collectors.toList());
  }

  public List<UnitTest> tests() {
    return tests;
  }

  /** The compile variables, e.g. {@code engine}. */
  public Map<String, String> vars() {
    return vars;
  }

  /** Every action by its BigQuery name ({@code project.dataset.table}). */
  public Map<String, Action> byBigQueryName() {
    return actions.stream()
        .collect(
            Collectors.toMap(
                a -> a.target().bigQueryName(),
                Function.identity(),
                (a, b) -> {
                  throw new IllegalArgumentException(
                      "Two actions write "
                          + a.target()
                          + ": "
                          + a.fileName()
                          + " and "
                          + b.fileName());
                },
                java.util.LinkedHashMap::new));
  }

  private static Kind tableKind(JsonNode node) {
    String type = node.path("type").asText("table");
    switch (type) {
      case "table":
        return Kind.TABLE;
      case "view":
        return Kind.VIEW;
      case "incremental":
        return Kind.INCREMENTAL;
      default:
        throw new IllegalArgumentException(
            "Unsupported Dataform table type '"
                + type
                + "' in "
                + node.path("fileName").asText()
                + ": fakelake runs table, view and incremental");
    }
  }

  private static Action action(Kind kind, JsonNode node) {
    List<Column> columns = new ArrayList<>();
    for (JsonNode column : node.path("actionDescriptor").path("columns")) {
      List<String> path = strings(column.path("path"));
      columns.add(new Column(String.join(".", path), column.path("description").asText("")));
    }
    JsonNode parent = node.path("parentAction");
    return new Action(
        kind,
        target(node.path("target")),
        node.path("fileName").asText(""),
        node.path("query").asText(""),
        node.hasNonNull("incrementalQuery") ? node.path("incrementalQuery").asText() : null,
        strings(node.path("queries")),
        strings(node.path("preOps")),
        strings(node.path("postOps")),
        strings(node.path("incrementalPreOps")),
        strings(node.path("incrementalPostOps")),
        node.path("dependencyTargets").isArray()
            ? toTargets(node.path("dependencyTargets"))
            : List.of(),
        strings(node.path("uniqueKey")),
        node.path("disabled").asBoolean(false),
        node.path("protected").asBoolean(false),
        node.path("hasOutput").asBoolean(false),
        strings(node.path("tags")),
        node.path("actionDescriptor").path("description").asText(""),
        columns,
        parent.isObject() ? target(parent) : null);
  }

  private static List<Target> toTargets(JsonNode array) {
    List<Target> targets = new ArrayList<>();
    for (JsonNode node : array) {
      targets.add(target(node));
    }
    return targets;
  }

  private static Target target(JsonNode node) {
    return new Target(
        node.path("database").asText(""),
        node.path("schema").asText(""),
        Objects.requireNonNull(node.path("name").asText(null), "target without a name"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    for (JsonNode node : array) {
      values.add(node.asText());
    }
    return values;
  }
}
