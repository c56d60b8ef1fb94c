package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.WarehouseTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Scores feature rows with a saved order-value model: the newest version or a given one, on every
 * row of {@code gold.ml_features} or on a JSON Lines file of rows with the same columns. Writes one
 * prediction per row as JSON Lines, by default under the model's folder, and measures the error on
 * the rows whose order value is known.
 *
 * <pre>{@code
 * ./fakelake score
 * ./fakelake score --modelVersion=v2 --input=new-orders.jsonl --output=predictions.jsonl
 * }</pre>
 */
public final class ScoreModel {

  /** Options of the score command. */
  public interface Options extends FakelakeOptions {
    @Description("Model version to score with, e.g. v2; empty means the newest.")
    @Default.String("")
    String getModelVersion();

    void setModelVersion(String value);

    @Description(
        "JSON Lines file of feature rows with the columns of gold.ml_features (total_amount may"
            + " be absent); empty means every row of gold.ml_features in the warehouse.")
    @Default.String("")
    String getInput();

    void setInput(String value);

    @Description(
        "File to write the predictions to (JSON Lines); empty means"
            + " LAKE/models/order_value/VERSION/predictions/scored-TIME.jsonl.")
    @Default.String("")
    String getOutput();

    void setOutput(String value);
  }

  /** What a run scored and where the predictions are. */
  public record Summary(
      String version,
      String input,
      Path output,
      long rows,
      double meanPrediction,
      RegressionMetrics labelled) {}

  static final String PREDICTION = "predicted_" + FeatureRows.LABEL;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private ScoreModel() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    System.out.print(render(run(options, System.out)));
  }

  /**
   * Scores the rows and writes the predictions.
   *
   * @throws IllegalArgumentException when there is no model (of that version), or the input is
   *     missing, empty or malformed
   */
  public static Summary run(Options options, PrintStream progress) {
    String lake = options.getLake();
    SavedModels models = SavedModels.of(lake, OrderValueModel.NAME);
    String version =
        options.getModelVersion().isEmpty()
            ? models
                .newest()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "No trained model in "
                                + models.root()
                                + ": run ./fakelake train first."))
            : options.getModelVersion();
    models.metadata(version);
    OrderValueModel model = OrderValueModel.load(models.folder(version));

    String input;
    List<FeatureRows.Row> rows;
    if (options.getInput().isEmpty()) {
      input = WarehouseTable.GOLD_ML_FEATURES.qualifiedName();
      rows = FeatureRows.fromWarehouse(lake);
    } else {
      Path file = Path.of(options.getInput());
      input = file.toString();
      rows = FeatureRows.fromJsonLines(file);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(input + " has no feature rows to score.");
    }
    progress.printf(
        "score: %,d rows of %s with %s %s%n", rows.size(), input, OrderValueModel.NAME, version);
    double[] predictions = model.predict(rows);

    Path output =
        options.getOutput().isEmpty()
            ? models
                .folder(version)
                .resolve("predictions")
                .resolve("scored-" + STAMP.format(java.time.Instant.now()) + ".jsonl")
            : Path.of(options.getOutput());
    write(output, version, rows, predictions);

    List<Double> actual = new ArrayList<>();
    List<Double> predicted = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < rows.size(); i++) {
      sum += predictions[i];
      if (rows.get(i).label() != null) {
        actual.add(rows.get(i).label());
        predicted.add(predictions[i]);
      }
    }
    return new Summary(
        version,
        input,
        output.toAbsolutePath(),
        rows.size(),
        sum / rows.size(),
        RegressionMetrics.of(
            actual.stream().mapToDouble(Double::doubleValue).toArray(),
            predicted.stream().mapToDouble(Double::doubleValue).toArray()));
  }

  private static void write(
      Path output, String version, List<FeatureRows.Row> rows, double[] predictions) {
    try {
      Path parent = output.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      try (BufferedWriter writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        for (int i = 0; i < predictions.length; i++) {
          ObjectNode line = MAPPER.createObjectNode();
          line.put(FeatureRows.ID, rows.get(i).orderId());
          line.put("model_version", version);
          line.put(PREDICTION, predictions[i]);
          if (rows.get(i).label() != null) {
            line.put(FeatureRows.LABEL, rows.get(i).label());
          }
          writer.write(MAPPER.writeValueAsString(line));
          writer.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the predictions to " + output, e);
    }
  }

  /** The summary printed at the end of the command. */
  static String render(Summary summary) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "score: %,d rows of %s scored with %s %s, mean prediction %,.2f%n",
            summary.rows(),
            summary.input(),
            OrderValueModel.NAME,
            summary.version(),
            summary.meanPrediction()));
    if (summary.labelled().rows() > 0) {
      out.append(
          String.format(
              "  on the %,d rows with a known %s%s: %s%n",
              summary.labelled().rows(),
              FeatureRows.LABEL,
              summary.input().equals(WarehouseTable.GOLD_ML_FEATURES.qualifiedName())
                  ? " (training rows included)"
                  : "",
              summary.labelled().render()));
    }
    out.append("  predictions: ").append(summary.output()).append('\n');
    return out.toString();
  }
}
