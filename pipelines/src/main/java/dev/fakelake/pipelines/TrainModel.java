package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.WarehouseTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Trains the order-value model on {@code gold.ml_features} of the local warehouse: a deterministic
 * train/test split by a hash of the order id, a linear regression fitted on the training rows,
 * RMSE, MAE and R² measured on the test rows. Each training is a new version under {@code
 * LAKE/models/order_value/} and a row of {@code ops.model_metrics}. It trains again only once
 * enough new feature rows have arrived since the last training.
 *
 * <pre>{@code
 * ./fakelake train
 * ./fakelake train --minNewFeatureRows=1000 --testFraction=0.25
 * ./fakelake train --force
 * }</pre>
 */
public final class TrainModel {

  /** Options of the train command. */
  public interface Options extends FakelakeOptions {
    @Description(
        "Train only when at least this many feature rows arrived since the last training;"
            + " the first training always runs.")
    @Default.Long(200)
    long getMinNewFeatureRows();

    void setMinNewFeatureRows(long value);

    @Description("Train even when fewer than --minNewFeatureRows new feature rows arrived.")
    @Default.Boolean(false)
    boolean getForce();

    void setForce(boolean value);

    @Description("Share of the feature rows held out to measure the model, 0 < x < 1.")
    @Default.Double(0.2)
    double getTestFraction();

    void setTestFraction(double value);

    @Description(
        "Seed of the train/test split: a hash of it and the order id puts each order on the same"
            + " side in every run.")
    @Default.Long(42)
    long getSplitSeed();

    void setSplitSeed(long value);
  }

  /** A training that ran: the version saved, its data, coefficients and test metrics. */
  public record Trained(
      String version,
      Path folder,
      long trainRows,
      long testRows,
      List<String> features,
      List<String> unusedFeatures,
      double intercept,
      Map<String, Double> coefficients,
      RegressionMetrics metrics) {}

  /** What a run did: {@code trained} is null when the retrain gate skipped it, saying why. */
  public record Summary(long featureRows, @Nullable Trained trained, String message) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TrainModel() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    System.out.print(render(run(options, System.out)));
  }

  /**
   * Trains unless too few new feature rows arrived, printing each step to {@code progress}.
   *
   * @throws IllegalArgumentException for bad options, a missing warehouse or feature table, or too
   *     few rows to train and test on
   */
  public static Summary run(Options options, PrintStream progress) {
    validate(options);
    String lake = options.getLake();
    progress.printf(
        "train: reading %s from %s%n",
        WarehouseTable.GOLD_ML_FEATURES.qualifiedName(), DuckDbWarehouse.file(lake));
    List<FeatureRows.Row> rows = FeatureRows.fromWarehouse(lake);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(
          WarehouseTable.GOLD_ML_FEATURES.qualifiedName()
              + " is empty: curate found no orders to learn from; check ./fakelake curate's"
              + " summary.");
    }
    SavedModels models = SavedModels.of(lake, OrderValueModel.NAME);
    Optional<String> skip = gate(models, rows.size(), options);
    if (skip.isPresent()) {
      return new Summary(rows.size(), null, skip.get());
    }

    List<FeatureRows.Row> train = new ArrayList<>();
    List<FeatureRows.Row> test = new ArrayList<>();
    for (FeatureRows.Row row : rows) {
      (isTest(row.orderId(), options.getSplitSeed(), options.getTestFraction()) ? test : train)
          .add(row);
    }
    if (train.isEmpty() || test.isEmpty()) {
      throw new IllegalArgumentException(
          "The split of "
              + rows.size()
              + " feature rows left "
              + train.size()
              + " to train on and "
              + test.size()
              + " to test on; both need rows: change --testFraction or load more orders.");
    }
    progress.printf(
        "train: %,d feature rows: %,d to train, %,d to test (split seed %d)%n",
        rows.size(), train.size(), test.size(), options.getSplitSeed());

    OrderValueModel.Design design = OrderValueModel.design(train);
    progress.printf(
        "train: fitting a linear regression of %s on %d features with %s%n",
        FeatureRows.LABEL, design.features().size(), OrderValueModel.ENGINE);
    long fitStarted = System.nanoTime();
    OrderValueModel model = OrderValueModel.fit(train, design.features());
    progress.printf(
        "train: fitted in %s%n", Progress.clock((System.nanoTime() - fitStarted) / 1e9));
    double[] actual = test.stream().mapToDouble(row -> row.label()).toArray();
    RegressionMetrics metrics = RegressionMetrics.of(actual, model.predict(test));
    Map<String, Double> coefficients = model.coefficients();
    List<String> unused = new ArrayList<>();
    coefficients.forEach(
        (feature, coefficient) -> {
          if (coefficient == 0.0) {
            unused.add(feature);
          }
        });

    String version = models.next();
    Instant trainedAt = Instant.now();
    Trained trained =
        new Trained(
            version,
            models.folder(version),
            train.size(),
            test.size(),
            model.features(),
            unused,
            model.intercept(),
            coefficients,
            metrics);
    Path staging = models.stage(version);
    Path folder;
    try {
      model.save(staging);
      SavedModels.writeMetadata(
          staging, metadata(trained, design, trainedAt, rows.size(), options));
      folder = models.publish(staging, version);
    } catch (RuntimeException e) {
      try {
        SavedModels.discard(staging);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    progress.printf("train: saved %s to %s%n", version, folder);

    OpsRows.write(
        lake,
        WarehouseTable.OPS_MODEL_METRICS,
        OrderValueModel.NAME + "-" + version,
        List.of(metricsRow(trained, trainedAt, rows.size())));
    DuckDbWarehouse.load(lake, EnumSet.of(WarehouseTable.OPS_MODEL_METRICS));
    return new Summary(
        rows.size(),
        trained,
        "trained " + version + " on " + String.format("%,d", rows.size()) + " feature rows");
  }

  /**
   * Whether an order is held out for testing: a hash of the seed and the order id, uniform in [0,
   * 1), below the fraction. An order keeps its side as rows arrive and in every rerun.
   */
  static boolean isTest(long orderId, long seed, double testFraction) {
    long hash = mix(mix(seed) ^ orderId);
    return (hash >>> 11) * 0x1.0p-53 < testFraction;
  }

  /** SplitMix64's finaliser: every input bit affects every output bit. */
  private static long mix(long value) {
    long z = value + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void validate(Options options) {
    if (options.getMinNewFeatureRows() < 0) {
      throw new IllegalArgumentException(
          "--minNewFeatureRows must be 0 or more, got " + options.getMinNewFeatureRows());
    }
    double fraction = options.getTestFraction();
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException(
          "--testFraction must be above 0 and below 1, got " + fraction);
    }
  }

  /** Why training is skipped, or empty when it should run. */
  private static Optional<String> gate(SavedModels models, long featureRows, Options options) {
    Optional<String> last = models.newest();
    if (last.isEmpty()) {
      return Optional.empty();
    }
    long seen = models.metadata(last.get()).path("feature_rows_seen").asLong();
    long needed = seen + options.getMinNewFeatureRows();
    if (options.getForce() || featureRows >= needed) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "skipped: %s has %,d rows and had %,d when %s was trained; training again needs %,d"
                + " new rows (--minNewFeatureRows), so %,d rows. Pass --force to train anyway.",
            WarehouseTable.GOLD_ML_FEATURES.qualifiedName(),
            featureRows,
            seen,
            last.get(),
            options.getMinNewFeatureRows(),
            needed));
  }

  private static JsonNode metadata(
      Trained trained,
      OrderValueModel.Design design,
      Instant trainedAt,
      long featureRows,
      Options options) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("model_name", OrderValueModel.NAME);
    json.put("model_version", trained.version());
    json.put("trained_at", trainedAt.toString());
    json.put("engine", OrderValueModel.ENGINE);
    json.put("model_type", OrderValueModel.MODEL_TYPE);
    json.put("algorithm", OrderValueModel.ALGORITHM);
    json.put("model_file", OrderValueModel.MODEL_FILE);
    json.put("source", WarehouseTable.GOLD_ML_FEATURES.qualifiedName());
    json.put("label", FeatureRows.LABEL);
    json.put("feature_rows_seen", featureRows);
    json.put("train_rows", trained.trainRows());
    json.put("test_rows", trained.testRows());
    ObjectNode split = json.putObject("split");
    split.put("method", "hash of split seed and order_id");
    split.put("seed", options.getSplitSeed());
    split.put("test_fraction", options.getTestFraction());
    ObjectNode metrics = json.putObject("test_metrics");
    metrics.put("rmse", trained.metrics().rmse());
    metrics.put("mae", trained.metrics().mae());
    metrics.put("r2", trained.metrics().r2());
    json.put("intercept", trained.intercept());
    ObjectNode coefficients = json.putObject("coefficients");
    trained.coefficients().forEach(coefficients::put);
    trained.unusedFeatures().forEach(json.putArray("unused_features")::add);
    ObjectNode leftOut = json.putObject("left_out_columns");
    design.leftOut().forEach(leftOut::put);
    return json;
  }

  private static Row metricsRow(Trained trained, Instant trainedAt, long featureRows) {
    return Row.withSchema(WarehouseTable.OPS_MODEL_METRICS.schema())
        .withFieldValue("trained_at", trainedAt)
        .withFieldValue("model_name", OrderValueModel.NAME)
        .withFieldValue("model_version", trained.version())
        .withFieldValue("engine", OrderValueModel.ENGINE)
        .withFieldValue("model_type", OrderValueModel.MODEL_TYPE)
        .withFieldValue("label", FeatureRows.LABEL)
        .withFieldValue("feature_count", (long) trained.features().size())
        .withFieldValue("train_rows", trained.trainRows())
        .withFieldValue("test_rows", trained.testRows())
        .withFieldValue("rmse", trained.metrics().rmse())
        .withFieldValue("mae", trained.metrics().mae())
        .withFieldValue("r2", trained.metrics().r2())
        .withFieldValue("feature_rows_seen", featureRows)
        .withFieldValue("model_location", trained.folder().toString())
        .build();
  }

  /** The summary printed at the end of the command. */
  static String render(Summary summary) {
    StringBuilder out = new StringBuilder();
    Trained trained = summary.trained();
    if (trained == null) {
      out.append("train: ").append(summary.message()).append('\n');
      return out.toString();
    }
    out.append(
        String.format(
            "train: model %s %s, %s on %s%n",
            OrderValueModel.NAME,
            trained.version(),
            OrderValueModel.MODEL_TYPE,
            OrderValueModel.ENGINE));
    out.append(
        String.format(
            "  rows: %,d feature rows, %,d to train, %,d to test%n",
            summary.featureRows(), trained.trainRows(), trained.testRows()));
    out.append(
        String.format(
            "  features: %d used%s%n",
            trained.features().size() - trained.unusedFeatures().size(),
            trained.unusedFeatures().isEmpty()
                ? ""
                : ", "
                    + trained.unusedFeatures().size()
                    + " left at 0 (collinear with others): "
                    + String.join(", ", trained.unusedFeatures())));
    out.append("  test metrics: ").append(trained.metrics().render()).append('\n');
    out.append(String.format("  intercept %,.2f; largest coefficients:", trained.intercept()));
    trained.coefficients().entrySet().stream()
        .sorted((a, b) -> Double.compare(Math.abs(b.getValue()), Math.abs(a.getValue())))
        .limit(5)
        .forEach(e -> out.append(String.format(" %s %+,.2f", e.getKey(), e.getValue())));
    out.append('\n');
    out.append("  model: ").append(trained.folder()).append('\n');
    out.append(
        "  metrics: a row in ops.model_metrics, in the warehouse and in LAKE/ops/model_metrics/\n");
    return out.toString();
  }
}
