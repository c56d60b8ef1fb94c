package dev.fakelake.pipelines.dataform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.pipelines.dataform.CompiledGraph.Action;
import dev.fakelake.pipelines.dataform.CompiledGraph.Column;
import dev.fakelake.pipelines.dataform.CompiledGraph.Kind;
import dev.fakelake.schemas.WarehouseTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dataform project as the CLI compiles it for both warehouses: its source declarations match
 * {@link WarehouseTable}, it writes only into datasets of its own, every output is described,
 * tagged and asserted, and the dialect helpers leave no DuckDB spelling in the BigQuery SQL.
 */
class DataformProjectTest {

  private static final Set<String> PIPELINE_DATASETS = Set.of("silver", "gold", "ops");
  private static final Pattern ROW_CONDITION = Pattern.compile("'(.*)' AS failing_row_condition");

  private static CompiledGraph bigQuery;
  private static CompiledGraph duckDb;

  @BeforeAll
  static void compileForBothWarehouses() {
    bigQuery = DataformCli.compile(DataformCli.locate(""), "bigquery");
    duckDb = DataformCli.compile(DataformCli.locate(""), "duckdb");
  }

  @Test
  void declaresEveryWarehouseTableWithItsColumnsInOrder() {
    Map<String, Action> declarations =
        bigQuery.actions(Kind.DECLARATION).stream()
            .collect(Collectors.toMap(a -> a.target().qualifiedName(), a -> a));
    List<String> problems = new ArrayList<>();
    for (WarehouseTable table : WarehouseTable.values()) {
      Action declaration = declarations.remove(table.qualifiedName());
      if (declaration == null) {
        problems.add(table.qualifiedName() + " is not declared in definitions/sources");
        continue;
      }
      List<String> declared = declaration.columns().stream().map(Column::name).toList();
      List<String> schema = table.schema().getFields().stream().map(Schema.Field::getName).toList();
      if (!declared.equals(schema)) {
        problems.add(
            declaration.fileName() + " declares " + declared + " but the schema has " + schema);
      }
      declaration.columns().stream()
          .filter(c -> c.description().isBlank())
          .forEach(c -> problems.add(declaration.fileName() + ": " + c.name() + " undescribed"));
      if (declaration.description().isBlank()) {
        problems.add(declaration.fileName() + " has no description");
      }
    }
    declarations
        .values()
        .forEach(d -> problems.add(d.fileName() + " declares a table WarehouseTable lacks"));
    assertEquals(List.of(), problems);
  }

  @Test
  void writesOnlyIntoDatasetsOfItsOwn() {
    for (CompiledGraph graph : List.of(bigQuery, duckDb)) {
      List<String> intruders =
          graph.actions().stream()
              .filter(a -> a.kind() != Kind.DECLARATION)
              .filter(a -> PIPELINE_DATASETS.contains(a.target().schema()))
              .map(a -> a.target() + " (" + a.fileName() + ")")
              .toList();
      assertEquals(List.of(), intruders);
    }
  }

  @Test
  void everyOutputHasADescriptionTagsAndKeyNonNullAndRowAssertions() {
    List<String> problems = new ArrayList<>();
    for (Action output : outputs(bigQuery)) {
      String where = output.target() + " (" + output.fileName() + ")";
      if (output.description().isBlank()) {
        problems.add(where + ": no description");
      }
      if (output.tags().isEmpty()) {
        problems.add(where + ": no tags");
      }
      if (output.kind() == Kind.OPERATION) {
        continue;
      }
      List<String> assertions =
          bigQuery.actions(Kind.ASSERTION).stream()
              .filter(a -> output.target().equals(a.parent()))
              .map(a -> a.target().name())
              .toList();
      if (assertions.stream().noneMatch(name -> name.contains("_assertions_uniqueKey"))) {
        problems.add(where + ": no unique key assertion");
      }
      // Dataform folds the non-null columns into the row conditions assertion.
      List<String> conditions =
          bigQuery.actions(Kind.ASSERTION).stream()
              .filter(a -> output.target().equals(a.parent()))
              .flatMap(a -> ROW_CONDITION.matcher(a.query()).results())
              .map(m -> m.group(1))
              .toList();
      if (conditions.stream().noneMatch(c -> c.endsWith(" IS NOT NULL"))) {
        problems.add(where + ": no non-null assertion");
      }
      if (conditions.stream().allMatch(c -> c.endsWith(" IS NOT NULL"))) {
        problems.add(where + ": no row condition besides non-null columns");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void hasAnIncrementalTableAndUnitTestsOfAtLeastThreeModels() {
    assertTrue(
        bigQuery.actions(Kind.INCREMENTAL).stream()
            .anyMatch(a -> a.target().name().equals("pageview_facts")));
    Set<String> tested =
        bigQuery.tests().stream().map(t -> t.testQuery().strip()).collect(Collectors.toSet());
    assertTrue(bigQuery.tests().size() >= 3, "unit tests: " + bigQuery.tests().size());
    assertTrue(tested.size() >= 3, "distinct models under test: " + tested.size());
  }

  @Test
  void theMlModelExistsForBigQueryOnlyAndReadsTheMlFeatures() {
    Action model =
        bigQuery.actions(Kind.OPERATION).stream()
            .filter(a -> a.target().name().equals("order_value_model"))
            .findFirst()
            .orElseThrow();
    String create = String.join("\n", model.queries());
    assertTrue(create.contains("CREATE OR REPLACE MODEL `fakelake.ml.order_value_model`"), create);
    assertTrue(create.contains("input_label_cols = ['total_amount']"), create);
    assertTrue(create.contains("FROM `fakelake.gold.ml_features`"), create);
    assertTrue(
        bigQuery.actions(Kind.INCREMENTAL).stream()
            .anyMatch(
                a -> a.query().contains("ML.EVALUATE(MODEL `fakelake.ml.order_value_model`)")));
    assertTrue(
        WarehouseTable.GOLD_ML_FEATURES.schema().hasField("total_amount"),
        "the label column exists in gold.ml_features");
    Action metrics =
        bigQuery.actions(Kind.INCREMENTAL).stream()
            .filter(a -> a.target().qualifiedName().equals("ml.model_metrics"))
            .findFirst()
            .orElseThrow();
    List<String> opsColumns =
        WarehouseTable.OPS_MODEL_METRICS.schema().getFields().stream()
            .map(Schema.Field::getName)
            .filter(name -> !name.equals("feature_count"))
            .toList();
    assertEquals(opsColumns, metrics.columns().stream().map(Column::name).toList());

    assertEquals(
        List.of(),
        duckDb.actions().stream()
            .filter(a -> a.target().schema().equals("ml") || a.tags().contains("ml"))
            .map(Action::target)
            .toList());
  }

  @Test
  void theDialectHelpersKeepEachWarehousesSpellingToItsOwnCompilation() {
    Pattern duckDbOnly =
        Pattern.compile("\\b(date_sub|date_diff|quantile_cont|epoch_ms|date_trunc)\\s*\\(");
    Pattern bigQueryOnly =
        Pattern.compile(
            "\\b(TIMESTAMP_DIFF|TIMESTAMP_SUB|TIMESTAMP_TRUNC|DATE_TRUNC|DATE_DIFF|UNIX_DATE"
                + "|SAFE_DIVIDE|PERCENTILE_CONT)\\s*\\(");

    assertEquals(List.of(), matches(bigQuery, duckDbOnly));
    assertFalse(matches(bigQuery, bigQueryOnly).isEmpty(), "the helpers are in use");
    assertEquals(List.of(), matches(duckDb, bigQueryOnly));
  }

  private static List<String> matches(CompiledGraph graph, Pattern pattern) {
    return graph.actions().stream()
        .flatMap(
            a ->
                Stream.concat(
                        Stream.of(
                            a.query(), a.incrementalQuery() == null ? "" : a.incrementalQuery()),
                        a.queries().stream())
                    .flatMap(sql -> pattern.matcher(sql).results())
                    .map(m -> a.fileName() + ": " + m.group()))
        .distinct()
        .toList();
  }

  private static List<Action> outputs(CompiledGraph graph) {
    return graph.actions().stream()
        .filter(
            a ->
                a.kind() == Kind.TABLE
                    || a.kind() == Kind.VIEW
                    || a.kind() == Kind.INCREMENTAL
                    || a.kind() == Kind.OPERATION)
        .toList();
  }
}
