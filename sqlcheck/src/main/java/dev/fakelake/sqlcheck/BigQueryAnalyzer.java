package dev.fakelake.sqlcheck;

import com.google.common.collect.ImmutableList;
import com.google.zetasql.Analyzer;
import com.google.zetasql.AnalyzerOptions;
import com.google.zetasql.Constant;
import com.google.zetasql.LanguageOptions;
import com.google.zetasql.ParseLocationRange;
import com.google.zetasql.Parser;
import com.google.zetasql.SimpleCatalog;
import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SimpleConstantProtos.SimpleConstantProto;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.SqlException;
import com.google.zetasql.Type;
import com.google.zetasql.TypeFactory;
import com.google.zetasql.Value;
import com.google.zetasql.ZetaSQLBuiltinFunctionOptions;
import com.google.zetasql.ZetaSQLOptions.ProductMode;
import com.google.zetasql.parser.ASTNode;
import com.google.zetasql.parser.ASTNodes.ASTIdentifier;
import com.google.zetasql.parser.ASTNodes.ASTScript;
import com.google.zetasql.parser.ASTNodes.ASTScriptStatement;
import com.google.zetasql.parser.ASTNodes.ASTSingleAssignment;
import com.google.zetasql.parser.ASTNodes.ASTStatement;
import com.google.zetasql.parser.ASTNodes.ASTVariableDeclaration;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedColumnDefinition;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateModelStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateTableStmtBase;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateViewBase;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedLiteral;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedOption;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedOutputColumn;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedStatement;
import dev.fakelake.sqlcheck.DataformCompilation.Action;
import dev.fakelake.sqlcheck.DataformCompilation.Kind;
import dev.fakelake.sqlcheck.DataformCompilation.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;

/**
 * Analyses every statement BigQuery would run for a compiled Dataform project with ZetaSQL,
 * BigQuery's own SQL front end, against a catalog of the declared warehouse tables.
 *
 * <p>Actions are analysed in dependency order and each one's output table joins the catalog, so a
 * model is checked against the columns its upstream models really produce. Each query is analysed
 * inside the statement Dataform wraps it in on BigQuery ({@code CREATE OR REPLACE TABLE ...
 * PARTITION BY ... CLUSTER BY ... AS}, {@code CREATE OR REPLACE VIEW}, and for incremental runs a
 * {@code MERGE} on the unique key or an {@code INSERT}), so unnamed or duplicate output columns, a
 * bad partition expression and an incremental query that lacks a column of its table fail too. Pre-
 * and post-operations run in the same script as their query: variables they {@code DECLARE} are
 * visible to it.
 */
public final class BigQueryAnalyzer {

  private static final Pattern LOCATION = Pattern.compile("\\s*\\[at (\\d+):(\\d+)\\]\\s*$");

  /** A statement BigQuery would reject, placed in the action's compiled SQL. */
  public record Problem(String action, String part, int line, int column, String message) {

    /** One line: action, which query, where, and ZetaSQL's message. */
    public String format() {
      String where = line > 0 ? ", line " + line + ", column " + column : "";
      return action + " " + part + where + ": " + message;
    }
  }

  /** What one run of the analyser found. */
  public record Result(
      int actionsAnalysed, int statementsAnalysed, List<Problem> problems, List<String> skipped) {

    public boolean ok() {
      return problems.isEmpty() && skipped.isEmpty();
    }
  }

  /**
   * A piece of SQL to analyse: the user's SQL between the text Dataform wraps around it. Positions
   * are reported relative to {@code sql}; {@code prefix} must end with a line break.
   */
  private record Part(String label, String prefix, String sql, String suffix) {
    static Part plain(String label, String sql) {
      return new Part(label, "", sql, "");
    }

    String text() {
      return prefix + sql + suffix;
    }
  }

  /** A failed statement, thrown to stop the rest of its script. */
  private static final class StatementFailure extends Exception {
    final Problem problem;

    StatementFailure(Problem problem) {
      super(problem.format());
      this.problem = problem;
    }
  }

  /** A script error found by this class rather than ZetaSQL, worded like ZetaSQL's. */
  private static final class ScriptError extends RuntimeException {
    ScriptError(String message) {
      super(message);
    }
  }

  private final LanguageOptions language;
  private final AnalyzerOptions options;
  private final ZetaSQLBuiltinFunctionOptions builtins;

  /** Every table known so far, by the reference compiled SQL quotes, lower-cased. */
  private final Map<String, SimpleTable> tables = new LinkedHashMap<>();

  /** The model_type of every BigQuery ML model created so far, by name, lower-cased. */
  private final Map<String, String> models = new HashMap<>();

  /** The catalog of every table known so far, for scripts that declare no variables. */
  private SimpleCatalog shared;

  private int statements;

  private BigQueryAnalyzer() {
    language = bigQueryLanguage();
    options = bigQueryOptions(language);
    builtins = new ZetaSQLBuiltinFunctionOptions(language);
  }

  /** The language BigQuery speaks, as near as ZetaSQL's switches come. */
  static LanguageOptions bigQueryLanguage() {
    LanguageOptions language = new LanguageOptions();
    language.enableMaximumLanguageFeatures();
    language.setSupportsAllStatementKinds();
    // EXTERNAL mode is BigQuery's: FLOAT64 rather than DOUBLE, no unsigned or proto types.
    language.setProductMode(ProductMode.PRODUCT_EXTERNAL);
    return language;
  }

  static AnalyzerOptions bigQueryOptions(LanguageOptions language) {
    AnalyzerOptions options = new AnalyzerOptions();
    options.setLanguageOptions(language);
    // ZetaSQL defaults to America/Los_Angeles; BigQuery to UTC.
    options.setDefaultTimezone("UTC");
    return options;
  }

  /**
   * Analyses a compilation against the given source tables ({@code dataset.table} to schema); every
   * declaration must name one of them.
   */
  public static Result analyze(DataformCompilation compilation, Map<String, Schema> sources) {
    return new BigQueryAnalyzer().run(compilation, sources);
  }

  private Result run(DataformCompilation compilation, Map<String, Schema> sources) {
    List<Problem> problems = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Set<Target> failed = new LinkedHashSet<>();

    for (Target declaration : compilation.declarations()) {
      Schema schema = sources.get(declaration.shortName());
      if (schema == null) {
        problems.add(
            new Problem(
                declaration.shortName(),
                "declaration",
                0,
                0,
                "no warehouse table "
                    + declaration.shortName()
                    + " is defined (WarehouseTable lists every table the pipelines load)"));
        failed.add(declaration);
        continue;
      }
      String reference = declaration.reference();
      tables.put(key(reference), ZetaSqlTypes.table(reference, schema));
    }

    shared = newCatalog();
    int analysed = 0;
    for (Action action : dependencyOrder(compilation, problems, failed)) {
      List<Target> failedUpstream =
          action.dependencies().stream().filter(failed::contains).collect(Collectors.toList());
      if (!failedUpstream.isEmpty()) {
        skipped.add(
            action.describe()
                + " was not analysed: it depends on "
                + failedUpstream
                + ", which failed");
        failed.add(action.target());
        continue;
      }
      List<Problem> found = analyze(action);
      analysed++;
      if (!found.isEmpty()) {
        problems.addAll(found);
        failed.add(action.target());
      }
    }
    changing(shared);
    return new Result(analysed, statements, problems, skipped);
  }

  /**
   * Actions ordered so each comes after the actions it depends on; a dependency on something that
   * is neither declared nor built, or a cycle, is a problem of the actions involved.
   */
  static List<Action> dependencyOrder(
      DataformCompilation compilation, List<Problem> problems, Set<Target> failed) {
    Map<Target, Action> byTarget = new LinkedHashMap<>();
    for (Action action : compilation.actions()) {
      byTarget.put(action.target(), action);
    }
    Set<Target> declared = new LinkedHashSet<>(compilation.declarations());
    List<Action> ordered = new ArrayList<>();
    Set<Target> placed = new LinkedHashSet<>();
    List<Action> pending = new ArrayList<>(compilation.actions());
    for (Action action : pending) {
      for (Target dependency : action.dependencies()) {
        if (!byTarget.containsKey(dependency) && !declared.contains(dependency)) {
          problems.add(
              new Problem(
                  action.describe(),
                  "dependencies",
                  0,
                  0,
                  "depends on " + dependency + ", which is neither declared nor built"));
          failed.add(action.target());
        }
      }
    }
    boolean progress = true;
    while (!pending.isEmpty() && progress) {
      progress = false;
      for (Action action : new ArrayList<>(pending)) {
        boolean ready =
            action.dependencies().stream()
                .allMatch(
                    dependency -> !byTarget.containsKey(dependency) || placed.contains(dependency));
        if (ready) {
          ordered.add(action);
          placed.add(action.target());
          pending.remove(action);
          progress = true;
        }
      }
    }
    for (Action action : pending) {
      problems.add(
          new Problem(action.describe(), "dependencies", 0, 0, "is part of a dependency cycle"));
      failed.add(action.target());
    }
    return ordered.stream()
        .filter(action -> !failed.contains(action.target()))
        .collect(Collectors.toList());
  }

  /** Analyses every script BigQuery would run for one action. */
  private List<Problem> analyze(Action action) {
    List<List<Part>> scripts = new ArrayList<>();
    String self = "`" + action.target().reference() + "`";
    switch (action.kind()) {
      case TABLE:
      case INCREMENTAL:
        scripts.add(
            withOps(
                action.preOps(),
                new Part("query", createTablePrefix(action, self), action.query(), ""),
                action.postOps()));
        break;
      case VIEW:
        String view =
            action.materialized() ? "CREATE MATERIALIZED VIEW " : "CREATE OR REPLACE VIEW ";
        scripts.add(
            withOps(
                action.preOps(),
                new Part("query", view + self + " AS\n", action.query(), ""),
                action.postOps()));
        break;
      case ASSERTION:
        scripts.add(
            List.of(
                new Part("query", "CREATE OR REPLACE VIEW " + self + " AS\n", action.query(), "")));
        break;
      case OPERATIONS:
        for (int i = 0; i < action.operations().size(); i++) {
          scripts.add(List.of(Part.plain("statement " + (i + 1), action.operations().get(i))));
        }
        break;
      default:
        throw new IllegalStateException("Unhandled kind " + action.kind());
    }

    List<Problem> problems = new ArrayList<>();
    for (List<Part> script : scripts) {
      try {
        runScript(action, script);
      } catch (StatementFailure failure) {
        problems.add(failure.problem);
      }
    }
    if (problems.isEmpty() && action.kind() == Kind.INCREMENTAL) {
      // The incremental run needs the table the full run created, so it comes second.
      try {
        runScript(
            action,
            withOps(
                action.incrementalPreOps(),
                incrementalPart(action, self),
                action.incrementalPostOps()));
      } catch (StatementFailure failure) {
        problems.add(failure.problem);
      }
    }
    return problems;
  }

  private static List<Part> withOps(List<String> preOps, Part main, List<String> postOps) {
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < preOps.size(); i++) {
      parts.add(Part.plain(label("pre_operations", main.label(), i, preOps.size()), preOps.get(i)));
    }
    parts.add(main);
    for (int i = 0; i < postOps.size(); i++) {
      parts.add(
          Part.plain(label("post_operations", main.label(), i, postOps.size()), postOps.get(i)));
    }
    return parts;
  }

  private static String label(String ops, String main, int index, int count) {
    String scope = main.startsWith("incremental") ? "incremental " : "";
    return scope + ops + (count > 1 ? " " + (index + 1) : "");
  }

  private static String createTablePrefix(Action action, String self) {
    StringBuilder prefix = new StringBuilder("CREATE OR REPLACE TABLE ").append(self);
    if (!action.partitionBy().isEmpty()) {
      prefix.append("\nPARTITION BY ").append(action.partitionBy());
    }
    if (!action.clusterBy().isEmpty()) {
      prefix.append("\nCLUSTER BY ").append(String.join(", ", action.clusterBy()));
    }
    return prefix.append("\nAS\n").toString();
  }

  /**
   * The statement Dataform runs when the incremental table exists: a MERGE on the unique key, or an
   * INSERT of the table's columns, selected from the incremental query.
   */
  private Part incrementalPart(Action action, String self) {
    SimpleTable table = tables.get(key(action.target().reference()));
    List<String> columns =
        table.getColumnList().stream().map(SimpleColumn::getName).collect(Collectors.toList());
    String quoted =
        columns.stream().map(column -> "`" + column + "`").collect(Collectors.joining(", "));
    if (action.uniqueKey().isEmpty()) {
      return new Part(
          "incremental query",
          "INSERT INTO " + self + " (" + quoted + ")\nSELECT " + quoted + "\nFROM (\n",
          action.incrementalQuery(),
          "\n) AS insertions");
    }
    String on =
        action.uniqueKey().stream()
            .map(key -> "DATAFORM_DEST." + key + " = DATAFORM_SOURCE." + key)
            .collect(Collectors.joining(" AND "));
    String set =
        columns.stream()
            .map(column -> "`" + column + "` = DATAFORM_SOURCE.`" + column + "`")
            .collect(Collectors.joining(", "));
    return new Part(
        "incremental query",
        "MERGE " + self + " DATAFORM_DEST\nUSING (\n",
        action.incrementalQuery(),
        "\n) DATAFORM_SOURCE\nON "
            + on
            + "\nWHEN MATCHED THEN UPDATE SET "
            + set
            + "\nWHEN NOT MATCHED THEN INSERT ("
            + quoted
            + ") VALUES ("
            + quoted
            + ")");
  }

  /**
   * Analyses the parts of one BigQuery script in order, with the variables it declares in scope,
   * adding every table or view it creates to the catalog.
   */
  private void runScript(Action action, List<Part> parts) throws StatementFailure {
    try (ScriptCatalog catalog = new ScriptCatalog()) {
      runScript(action, parts, catalog);
    }
  }

  private void runScript(Action action, List<Part> parts, ScriptCatalog catalog)
      throws StatementFailure {
    Map<String, Type> variables = new HashMap<>();
    for (Part part : parts) {
      if (part.sql().isBlank()) {
        continue;
      }
      String text = part.text();
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      ASTScript script;
      try {
        script = Parser.parseScript(text, language);
      } catch (SqlException e) {
        throw failure(action, part, e);
      }
      for (ASTStatement statement : script.getStatementListNode().getStatementList()) {
        statements++;
        try {
          if (statement instanceof ASTVariableDeclaration) {
            declare(catalog, variables, (ASTVariableDeclaration) statement, bytes);
          } else if (statement instanceof ASTSingleAssignment) {
            ASTSingleAssignment assignment = (ASTSingleAssignment) statement;
            if (!variables.containsKey(key(assignment.getVariable().getIdString()))) {
              throw new ScriptError(
                  "Unrecognized variable "
                      + assignment.getVariable().getIdString()
                      + at(assignment, bytes));
            }
            Analyzer.analyzeExpression(
                padded(bytes, assignment.getExpression()), options, catalog.forAnalysis());
          } else if (statement instanceof ASTScriptStatement) {
            throw new ScriptError(
                statement.nodeKindString()
                    + " is BigQuery scripting this offline check cannot analyse; keep"
                    + " pre/post operations to DECLARE, SET and single statements"
                    + at(statement, bytes));
          } else {
            String sql = padded(bytes, statement);
            try {
              sql = BigQueryMl.replaceEvaluate(sql, models);
            } catch (IllegalArgumentException e) {
              throw new ScriptError(e.getMessage() + at(statement, bytes));
            }
            ResolvedStatement resolved =
                Analyzer.analyzeStatement(sql, options, catalog.forAnalysis());
            register(catalog, resolved);
          }
        } catch (SqlException | ScriptError e) {
          throw failure(action, part, e);
        }
      }
    }
  }

  private void declare(
      ScriptCatalog catalog,
      Map<String, Type> variables,
      ASTVariableDeclaration declaration,
      byte[] bytes) {
    Type type = null;
    if (declaration.getType() != null) {
      String typeName = slice(bytes, declaration.getType().getParseLocationRange());
      type =
          Analyzer.analyzeExpression(
                  "CAST(NULL AS " + typeName + ")", options, catalog.forAnalysis())
              .getType();
    }
    if (declaration.getDefaultValue() != null) {
      Type value =
          Analyzer.analyzeExpression(
                  padded(bytes, declaration.getDefaultValue()), options, catalog.forAnalysis())
              .getType();
      if (type == null) {
        type = value;
      }
    }
    for (ASTIdentifier identifier : declaration.getVariableList().getIdentifierList()) {
      String name = identifier.getIdString();
      if (variables.put(key(name), type) != null) {
        throw new ScriptError("Variable " + name + " is declared twice" + at(identifier, bytes));
      }
      catalog.addConstant(constant(name, type));
    }
  }

  /** A script variable, for analysis: a named constant of its type (its value never matters). */
  private static Constant constant(String name, Type type) {
    SimpleConstantProto proto =
        SimpleConstantProto.newBuilder()
            .addNamePath(name)
            .setType(type.serialize())
            .setValue(Value.createNullValue(type).serialize())
            .build();
    return Constant.deserialize(proto, ImmutableList.of(), TypeFactory.nonUniqueNames());
  }

  private static String modelType(ResolvedCreateModelStmt create) {
    for (ResolvedOption option : create.getOptionList()) {
      if (option.getName().equalsIgnoreCase("model_type")
          && option.getValue() instanceof ResolvedLiteral) {
        return ((ResolvedLiteral) option.getValue()).getValue().getStringValue();
      }
    }
    return "";
  }

  /** Adds what a CREATE TABLE, VIEW or MODEL statement makes to this and later catalogs. */
  private void register(ScriptCatalog catalog, ResolvedStatement resolved) {
    String name;
    List<SimpleColumn> columns = new ArrayList<>();
    if (resolved instanceof ResolvedCreateTableStmtBase) {
      ResolvedCreateTableStmtBase create = (ResolvedCreateTableStmtBase) resolved;
      name = String.join(".", create.getNamePath());
      for (ResolvedColumnDefinition column : create.getColumnDefinitionList()) {
        columns.add(new SimpleColumn(name, column.getName(), column.getType()));
      }
    } else if (resolved instanceof ResolvedCreateViewBase) {
      ResolvedCreateViewBase create = (ResolvedCreateViewBase) resolved;
      name = String.join(".", create.getNamePath());
      for (ResolvedOutputColumn column : create.getOutputColumnList()) {
        columns.add(new SimpleColumn(name, column.getName(), column.getColumn().getType()));
      }
    } else if (resolved instanceof ResolvedCreateModelStmt) {
      ResolvedCreateModelStmt create = (ResolvedCreateModelStmt) resolved;
      models.put(key(String.join(".", create.getNamePath())), modelType(create));
      return;
    } else {
      return;
    }
    catalog.putTable(new SimpleTable(name, columns));
  }

  /**
   * The catalog one script is analysed against: the shared catalog of every known table until the
   * script declares a variable, then a catalog of its own (variables are constants there and must
   * not leak into other scripts). Fetching the builtin functions for a new catalog is the slow part
   * of the client, hence the sharing.
   */
  private final class ScriptCatalog implements AutoCloseable {
    private SimpleCatalog own;

    SimpleCatalog forAnalysis() {
      SimpleCatalog catalog = own != null ? own : shared;
      // Registered catalogs are not sent again with every statement.
      if (!catalog.isRegistered()) {
        catalog.register();
      }
      return catalog;
    }

    void addConstant(Constant constant) {
      if (own == null) {
        own = newCatalog();
      }
      changing(own).addConstant(constant);
    }

    /** Adds or replaces a table here and in the catalogs of later scripts. */
    void putTable(SimpleTable table) {
      boolean replaces = tables.put(key(table.getName()), table) != null;
      for (SimpleCatalog catalog : own == null ? List.of(shared) : List.of(shared, own)) {
        if (replaces) {
          changing(catalog).removeSimpleTable(table.getName());
        }
        changing(catalog).addSimpleTable(copy(table));
      }
    }

    @Override
    public void close() {
      if (own != null) {
        changing(own);
      }
    }
  }

  /** A catalog that may be changed: the client refuses changes to a registered one. */
  private static SimpleCatalog changing(SimpleCatalog catalog) {
    if (catalog.isRegistered()) {
      catalog.unregister();
    }
    return catalog;
  }

  private SimpleCatalog newCatalog() {
    SimpleCatalog catalog = new SimpleCatalog("bigquery");
    catalog.addZetaSQLFunctionsAndTypes(builtins);
    for (SimpleTable table : tables.values()) {
      catalog.addSimpleTable(copy(table));
    }
    return catalog;
  }

  /** A table object per catalog: the client gives each one an id when it is added. */
  private static SimpleTable copy(SimpleTable table) {
    List<SimpleColumn> columns = new ArrayList<>();
    for (SimpleColumn column : table.getColumnList()) {
      columns.add(new SimpleColumn(table.getName(), column.getName(), column.getType()));
    }
    return new SimpleTable(table.getName(), columns);
  }

  private static StatementFailure failure(Action action, Part part, RuntimeException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    Matcher location = LOCATION.matcher(message);
    int line = 0;
    int column = 0;
    if (location.find()) {
      message = message.substring(0, location.start());
      int textLine = Integer.parseInt(location.group(1));
      column = Integer.parseInt(location.group(2));
      line = textLine - lineCount(part.prefix());
      if (line >= 1 && line <= lineCount(part.sql()) + 1) {
        message += "\n" + caret(part.sql(), line, column);
      } else {
        message +=
            "\n    in the statement Dataform runs around the query:\n"
                + caret(part.text(), textLine, column);
        line = 0;
      }
    }
    return new StatementFailure(
        new Problem(action.describe(), part.label(), line, column, message));
  }

  /** The offending line of the compiled SQL with a caret under the column. */
  private static String caret(String sql, int line, int column) {
    String text = sql.split("\n", -1)[line - 1];
    String pad = " ".repeat(Math.max(0, Math.min(column - 1, text.length())));
    return "    " + text + "\n    " + pad + "^";
  }

  private static int lineCount(String text) {
    int lines = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }

  /**
   * The node's text with everything before it blanked (line breaks kept), so ZetaSQL reports
   * positions in the whole part's lines and columns.
   */
  private static String padded(byte[] bytes, ASTNode node) {
    ParseLocationRange range = node.getParseLocationRange();
    String before = new String(bytes, 0, range.start(), StandardCharsets.UTF_8);
    return before.replaceAll("[^\n]", " ") + slice(bytes, range);
  }

  private static String slice(byte[] bytes, ParseLocationRange range) {
    return new String(bytes, range.start(), range.end() - range.start(), StandardCharsets.UTF_8);
  }

  /** ZetaSQL's own location suffix for errors this class raises. */
  private static String at(ASTNode node, byte[] bytes) {
    String before =
        new String(bytes, 0, node.getParseLocationRange().start(), StandardCharsets.UTF_8);
    int line = lineCount(before) + 1;
    int column = before.length() - before.lastIndexOf('\n');
    return " [at " + line + ":" + column + "]";
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
