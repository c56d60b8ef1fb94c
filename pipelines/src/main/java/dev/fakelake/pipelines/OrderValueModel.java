package dev.fakelake.pipelines;

import dev.fakelake.schemas.MlFeatures;
import dev.fakelake.schemas.WarehouseTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Tribuo;
import org.tribuo.VariableInfo;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.slm.SLMTrainer;

/**
 * The order-value model: a linear regression of an order's value on columns of {@code
 * gold.ml_features}, fitted by ordinary least squares with Tribuo's {@link SLMTrainer} and saved as
 * Tribuo's protobuf model file.
 *
 * <p>Each one-hot group sums to one, so with an intercept its columns are collinear and least
 * squares has no unique answer. As in dummy coding, the most frequent value of each group in the
 * training rows is left out as the reference level, and columns that never vary are left out too; a
 * coefficient then reads as the change against the reference level.
 */
final class OrderValueModel {

  static final String NAME = "order_value";
  static final String MODEL_TYPE = "linear_reg";
  static final String ENGINE = "tribuo-" + Tribuo.VERSION;
  static final String ALGORITHM = "ordinary least squares (Tribuo SLMTrainer, all features)";
  static final String MODEL_FILE = "model.tribuo";

  /**
   * Tribuo logs every step of its forward selection at INFO through java.util.logging; a strong
   * reference keeps the raised level, since that logging holds its loggers weakly.
   */
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(Level.WARNING);
  }

  private static final RegressionFactory FACTORY = new RegressionFactory();

  private final Model<Regressor> model;
  private final List<String> features;
  private final int[] columnIndex;

  private OrderValueModel(Model<Regressor> model) {
    this.model = model;
    List<String> candidates = FeatureRows.candidateColumns();
    this.features = new ArrayList<>();
    for (VariableInfo info : model.getFeatureIDMap()) {
      features.add(info.getName());
    }
    // In the table's column order, so coefficients read like the table.
    features.sort(
        Comparator.comparingInt(
            name -> candidates.contains(name) ? candidates.indexOf(name) : Integer.MAX_VALUE));
    this.columnIndex = new int[features.size()];
    for (int i = 0; i < columnIndex.length; i++) {
      columnIndex[i] = candidates.indexOf(features.get(i));
      if (columnIndex[i] < 0) {
        throw new IllegalArgumentException(
            "The model uses the feature "
                + features.get(i)
                + ", which "
                + WarehouseTable.GOLD_ML_FEATURES.qualifiedName()
                + " no longer has.");
      }
    }
  }

  /** Which candidate columns a fit uses, and why each other column is left out. */
  record Design(List<String> features, Map<String, String> leftOut) {}

  /**
   * Chooses the features for training rows: every varying numeric column, and every one-hot column
   * set in some row except its group's reference level.
   */
  static Design design(List<FeatureRows.Row> train) {
    List<String> candidates = FeatureRows.candidateColumns();
    Map<String, String> leftOut = new LinkedHashMap<>();
    Map<String, List<String>> groupOf = new HashMap<>();
    for (List<String> group : oneHotGroups()) {
      group.forEach(column -> groupOf.put(column, group));
      List<String> set = new ArrayList<>();
      String reference = null;
      long referenceCount = -1;
      for (String column : group) {
        long count = nonZero(train, candidates.indexOf(column));
        if (count == 0) {
          leftOut.put(column, "never set in the training rows");
          continue;
        }
        set.add(column);
        if (count > referenceCount) {
          reference = column;
          referenceCount = count;
        }
      }
      if (reference != null) {
        leftOut.put(
            reference,
            set.size() == 1
                ? "the only value of its group in the training rows"
                : "reference level of its group (the most frequent)");
      }
    }
    List<String> features = new ArrayList<>();
    List<double[]> chosen = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      String column = candidates.get(i);
      if (leftOut.containsKey(column)) {
        continue;
      }
      if (!groupOf.containsKey(column) && isConstant(train, i)) {
        leftOut.put(column, "the same in every training row");
        continue;
      }
      double[] values = column(train, i);
      int twin = indexOfEqual(chosen, values);
      if (twin >= 0) {
        // e.g. region_other and age_other both mark orders whose customer is unknown
        leftOut.put(column, "equal to " + features.get(twin) + " in every training row");
        continue;
      }
      features.add(column);
      chosen.add(values);
    }
    return new Design(features, leftOut);
  }

  /**
   * Fits the regression on training rows, all of which must have a label.
   *
   * @throws IllegalArgumentException when there are no features to fit or too few rows
   */
  static OrderValueModel fit(List<FeatureRows.Row> train, List<String> features) {
    if (features.isEmpty()) {
      throw new IllegalArgumentException(
          "No feature varies across the training rows, so there is nothing to fit.");
    }
    if (train.size() <= features.size()) {
      throw new IllegalArgumentException(
          "Only "
              + train.size()
              + " training rows for "
              + features.size()
              + " features: least squares needs more rows than features.");
    }
    List<String> candidates = FeatureRows.candidateColumns();
    int[] index = features.stream().mapToInt(candidates::indexOf).toArray();
    String[] names = features.toArray(String[]::new);
    MutableDataset<Regressor> dataset =
        new MutableDataset<>(
            new SimpleDataSourceProvenance(
                WarehouseTable.GOLD_ML_FEATURES.qualifiedName(), FACTORY),
            FACTORY);
    for (FeatureRows.Row row : train) {
      if (row.label() == null) {
        throw new IllegalArgumentException("Order " + row.orderId() + " has no label to train on.");
      }
      dataset.add(
          new ArrayExample<>(
              new Regressor(FeatureRows.LABEL, row.label()), names, values(row, index)));
    }
    // Normalising centres every column, which stands in for the intercept; selecting all
    // features makes forward selection end at the full least-squares fit.
    SLMTrainer trainer = new SLMTrainer(true, -1);
    return new OrderValueModel(trainer.train(dataset));
  }

  /** Loads a model saved with {@link #save}. */
  static OrderValueModel load(Path folder) {
    Path file = folder.resolve(MODEL_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("No saved model at " + file);
    }
    try {
      return new OrderValueModel(Model.deserializeFromFile(file).castModel(Regressor.class));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the model " + file, e);
    }
  }

  /** Saves the model as {@code folder/model.tribuo} (Tribuo's protobuf format). */
  void save(Path folder) {
    try {
      Files.createDirectories(folder);
      model.serializeToFile(folder.resolve(MODEL_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save the model to " + folder, e);
    }
  }

  /** The features the model reads, in its own order. */
  List<String> features() {
    return features;
  }

  /** The predicted order value of each row, in order. */
  double[] predict(List<FeatureRows.Row> rows) {
    double[] predictions = new double[rows.size()];
    String[] names = features.toArray(String[]::new);
    for (int i = 0; i < predictions.length; i++) {
      predictions[i] = predict(names, values(rows.get(i), columnIndex));
    }
    return predictions;
  }

  /** The prediction when every feature is zero: the intercept of the fitted line. */
  double intercept() {
    return predict(features.toArray(String[]::new), new double[features.size()]);
  }

  /**
   * Each feature's coefficient in the units of the data, read off the model as the change in
   * prediction when that feature alone goes from 0 to 1; exact for a linear model, and independent
   * of how the library stores its normalised weights.
   */
  Map<String, Double> coefficients() {
    String[] names = features.toArray(String[]::new);
    double intercept = intercept();
    Map<String, Double> coefficients = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      double[] unit = new double[names.length];
      unit[i] = 1.0;
      coefficients.put(names[i], predict(names, unit) - intercept);
    }
    return coefficients;
  }

  /**
   * Every feature is passed, zeros included: the model centres each feature it is given, and one
   * left out would count as already centred rather than as zero.
   */
  private double predict(String[] names, double[] values) {
    Example<Regressor> example =
        new ArrayExample<>(RegressionFactory.UNKNOWN_REGRESSOR, names, values);
    return model.predict(example).getOutput().getValues()[0];
  }

  private static double[] values(FeatureRows.Row row, int[] index) {
    double[] values = new double[index.length];
    for (int i = 0; i < index.length; i++) {
      values[i] = row.values()[index[i]];
    }
    return values;
  }

  private static List<List<String>> oneHotGroups() {
    return List.of(
        MlFeatures.columns(MlFeatures.DAY_PREFIX, MlFeatures.DAYS_OF_WEEK),
        MlFeatures.columns(MlFeatures.MONTH_PREFIX, MlFeatures.MONTHS),
        MlFeatures.columns(MlFeatures.CATEGORY_PREFIX, MlFeatures.CATEGORY_GROUPS),
        MlFeatures.columns(MlFeatures.REGION_PREFIX, MlFeatures.REGIONS),
        MlFeatures.columns(MlFeatures.AGE_PREFIX, MlFeatures.AGE_BANDS));
  }

  private static long nonZero(List<FeatureRows.Row> rows, int column) {
    return rows.stream().filter(row -> row.values()[column] != 0.0).count();
  }

  private static double[] column(List<FeatureRows.Row> rows, int column) {
    return rows.stream().mapToDouble(row -> row.values()[column]).toArray();
  }

  private static int indexOfEqual(List<double[]> columns, double[] values) {
    for (int i = 0; i < columns.size(); i++) {
      if (Arrays.equals(columns.get(i), values)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isConstant(List<FeatureRows.Row> rows, int column) {
    return rows.stream().mapToDouble(row -> row.values()[column]).distinct().limit(2).count() < 2;
  }
}
