package dev.fakelake.pipelines;

import dev.fakelake.pipelines.dataform.CompiledGraph.Kind;
import dev.fakelake.pipelines.dataform.DuckDbModelRunner.ActionResult;
import dev.fakelake.pipelines.dataform.Models;
import dev.fakelake.pipelines.report.Report;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.quality.ScoreQuality;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The closing lines of {@code ./fakelake run}, from what its stages returned: tables and their
 * rows, the data-quality scores, alerts, the model's metrics, where the warehouse and the report
 * are and how to look at them, and the total time. A stage that was skipped ({@code --skip}, on
 * BigQuery, or the stream burst turned off) is null.
 */
record MainJobSummary(
    double seconds,
    String lake,
    @Nullable Path duckDbFile,
    String warehouse,
    IngestPipeline.@Nullable Summary ingest,
    CuratePipeline.@Nullable Summary curate,
    StreamIngestPipeline.@Nullable Summary stream,
    Models.@Nullable Summary models,
    TrainModel.@Nullable Summary train,
    Report.@Nullable Summary report) {

  private static final List<String> DATASETS =
      List.of("silver", "gold", "intermediate", "marts", "analyses");

  /** Table lists wrap at this width. */
  static final int WIDTH = 100;

  String render() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "== done in %s: %s; %,d stream messages%n",
            Progress.clock(seconds),
            ingest == null
                ? "ingest skipped"
                : String.format(
                    Locale.ROOT,
                    "%,d records ingested in batch %s",
                    ingest.rowsRead(),
                    ingest.batchId() == null ? "(none: nothing new)" : ingest.batchId()),
            stream == null ? 0 : stream.counter("messages_read")));
    tables().forEach((dataset, tables) -> wrap(out, "   " + dataset + ": ", tables));
    if (curate == null) {
      out.append("   quality: not scored (curate skipped)\n");
    } else {
      wrap(out, "   quality (recall/precision): ", quality());
    }
    out.append("   alerts: ").append(alerts()).append('\n');
    out.append("   model: ").append(model()).append('\n');
    out.append("   lake: ").append(lake).append('\n');
    out.append("   warehouse: ")
        .append(duckDbFile == null ? warehouse : duckDbFile.normalize())
        .append('\n');
    if (duckDbFile != null) {
      out.append("     query it: duckdb ")
          .append(duckDbFile.normalize())
          .append(" -c \"SELECT * FROM marts.daily_sales_moving_average ORDER BY sales_date\"\n");
    }
    if (report != null) {
      out.append("   report: ").append(report.page()).append('\n');
      out.append("     open it: ").append(report.page().toUri()).append(" in a browser\n");
    }
    return out.toString();
  }

  /** {@code rows} of each table the stages wrote, by dataset, in the order they were made. */
  private Map<String, List<String>> tables() {
    Map<String, List<String>> byDataset =
        new TreeMap<>(
            Comparator.comparingInt(MainJobSummary::datasetOrder)
                .thenComparing(Comparator.naturalOrder()));
    if (curate != null) {
      curate.rows().forEach((table, rows) -> add(byDataset, table.qualifiedName(), rows));
    }
    if (stream != null) {
      stream.rows().entrySet().stream()
          .filter(e -> e.getKey().isStreamed())
          .forEach(e -> add(byDataset, e.getKey().qualifiedName(), e.getValue()));
    }
    if (models != null) {
      for (ActionResult result : models.models()) {
        // Views (the intermediate steps) are queries, not tables of their own.
        if (result.rows() != null && result.action().kind() != Kind.VIEW) {
          add(byDataset, result.action().target().qualifiedName(), result.rows());
        }
      }
    }
    return byDataset;
  }

  /** The zones first, in the order data flows through them; any other dataset after them. */
  private static int datasetOrder(String dataset) {
    int known = DATASETS.indexOf(dataset);
    return known >= 0 ? known : DATASETS.size();
  }

  private static void add(Map<String, List<String>> byDataset, String qualifiedName, long rows) {
    String[] parts = qualifiedName.split("\\.", 2);
    byDataset
        .computeIfAbsent(parts[0], d -> new ArrayList<>())
        .add(String.format(Locale.ROOT, "%s %,d", parts[1], rows));
  }

  /** Recall and precision over every entity, per defect kind. */
  private List<String> quality() {
    List<String> scores = new ArrayList<>();
    curate.scores().stream()
        .filter(row -> ScoreQuality.ALL_ENTITIES.equals(row.getString("entity")))
        .sorted(Comparator.comparing((Row row) -> row.getString("defect_kind")))
        .forEach(
            row ->
                scores.add(
                    row.getString("defect_kind")
                        + " "
                        + percent(row.getDouble("recall"))
                        + "/"
                        + percent(row.getDouble("precision"))));
    return scores;
  }

  private String alerts() {
    long fromStream = stream == null ? 0 : stream.counter("latency_alerts");
    long fromIngest = ingest == null ? 0 : ingest.alerts().size();
    return String.format(
        Locale.ROOT,
        "%,d raised (%,d by ingest's threshold checks, %,d stream latency alerts), in %s",
        fromIngest + fromStream,
        fromIngest,
        fromStream,
        WarehouseTable.OPS_ALERTS.qualifiedName());
  }

  /**
   * The metrics of the model trained in this run or, when the retrain gate skipped training, of the
   * newest one trained before.
   */
  private String model() {
    if (train == null) {
      return duckDbFile == null
          ? "not trained here (on BigQuery, BigQuery ML trains it)"
          : "not trained (train skipped)";
    }
    TrainModel.Trained trained = train.trained();
    if (trained != null) {
      return String.format(
          Locale.ROOT,
          "%s %s: RMSE %,.2f, MAE %,.2f, R² %.4f on %,d test rows (%,d trained)",
          OrderValueModel.NAME,
          trained.version(),
          trained.metrics().rmse(),
          trained.metrics().mae(),
          trained.metrics().r2(),
          trained.testRows(),
          trained.trainRows());
    }
    return OpsRows.read(lake, WarehouseTable.OPS_MODEL_METRICS).stream()
        .filter(row -> OrderValueModel.NAME.equals(row.getString("model_name")))
        .max(Comparator.comparing((Row row) -> row.getDateTime("trained_at")))
        .map(
            row ->
                String.format(
                    Locale.ROOT,
                    "%s %s, not retrained (too few new feature rows): RMSE %s, MAE %s, R² %s on"
                        + " %,d test rows",
                    OrderValueModel.NAME,
                    row.getString("model_version"),
                    decimals(row.getDouble("rmse"), "%,.2f"),
                    decimals(row.getDouble("mae"), "%,.2f"),
                    decimals(row.getDouble("r2"), "%.4f"),
                    row.getInt64("test_rows")))
        .orElse(train.message());
  }

  private static String decimals(@Nullable Double value, String format) {
    return value == null ? "-" : String.format(Locale.ROOT, format, value);
  }

  private static void wrap(StringBuilder out, String label, List<String> items) {
    if (items.isEmpty()) {
      out.append(label).append("none\n");
      return;
    }
    String indent = " ".repeat(label.length());
    StringBuilder line = new StringBuilder(label);
    boolean first = true;
    for (String item : items) {
      String piece = first ? item : ", " + item;
      if (!first && line.length() + piece.length() > WIDTH) {
        out.append(line).append(",\n");
        line = new StringBuilder(indent).append(item);
      } else {
        line.append(piece);
      }
      first = false;
    }
    out.append(line).append('\n');
  }

  private static String percent(@Nullable Double ratio) {
    return ratio == null ? "-" : String.format(Locale.ROOT, "%.1f%%", ratio * 100);
  }
}
