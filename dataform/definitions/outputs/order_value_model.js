// BigQuery ML: a linear regression of the order value (gold.ml_features.total_amount, the label)
// on the order's size and its one-hot day, month, category, region and age-band columns, and its
// ML.EVALUATE figures on the held-out orders appended to ml.model_metrics on every run, with the
// column names of ops.model_metrics (which `./fakelake train` fills locally) so that the two can be
// read side by side. Dataform never writes into ops: that dataset belongs to the pipelines.
//
// DuckDB has no CREATE MODEL, so with --vars=engine=duckdb this file declares no action at all;
// locally `./fakelake train` fits the same regression in Java.

// An order is held out for evaluation when its fingerprint falls in the lowest fifth: the same
// orders on every run, and new orders split the same way as they arrive.
const TEST_PERCENT = 20;
const isTest = `MOD(ABS(FARM_FINGERPRINT(CAST(order_id AS STRING))), 100) < ${TEST_PERCENT}`;

if (dialect.isBigQuery) {
  operate("order_value_model", {
    dataset: "ml",
    hasOutput: true,
    description:
      "Linear regression (BigQuery ML) predicting an order's value in CZK from gold.ml_features, " +
      `trained on the orders outside the ${TEST_PERCENT}% held out for evaluation. Ridge ` +
      "regularisation (l2_reg) keeps the fit well-defined although each one-hot group sums to " +
      "1, like the intercept.",
    tags: ["ml", "bigquery_only"],
  }).queries(
    (ctx) => `
CREATE OR REPLACE MODEL ${ctx.self()}
OPTIONS (
  model_type = 'LINEAR_REG',
  input_label_cols = ['total_amount'],
  -- Rows where is_test is TRUE are the evaluation data; is_test is not a feature.
  data_split_method = 'CUSTOM',
  data_split_col = 'is_test',
  l2_reg = 1.0
) AS
SELECT
  -- Identifiers and the raw date are not features; the date enters through its month and day.
  * EXCEPT (order_id, customer_id, order_date),
  ${isTest} AS is_test
FROM ${ctx.ref("ml_features")}
`
  );

  publish("model_metrics", {
    type: "incremental",
    dataset: "ml",
    description:
      "One row per training of the order value model: ML.EVALUATE on the held-out orders, under " +
      "the column names of ops.model_metrics. Appended on every run.",
    tags: ["ml", "bigquery_only"],
    columns: {
      trained_at: "When the model was trained and evaluated (UTC).",
      model_name: "order_value.",
      model_version: "bqml- and the run's time, e.g. bqml-20260401T060000.",
      engine: "bigquery-ml.",
      model_type: "linear_reg.",
      label: "total_amount.",
      train_rows: "Orders the model was trained on.",
      test_rows: "Orders held out to evaluate it.",
      rmse: "Root mean squared error on the held-out orders, in CZK.",
      mae: "Mean absolute error on the held-out orders, in CZK.",
      r2: "Coefficient of determination on the held-out orders.",
      feature_rows_seen: "Rows of gold.ml_features when the model was trained.",
      model_location: "The BigQuery model.",
    },
    assertions: {
      uniqueKey: ["trained_at"],
      nonNull: ["trained_at", "model_version", "train_rows", "test_rows", "mae", "r2"],
      rowConditions: ["mae >= 0", "r2 <= 1", "train_rows + test_rows = feature_rows_seen"],
    },
  }).query(
    (ctx) => `
SELECT
  CURRENT_TIMESTAMP() AS trained_at,
  'order_value' AS model_name,
  CONCAT('bqml-', FORMAT_TIMESTAMP('%Y%m%dT%H%M%S', CURRENT_TIMESTAMP())) AS model_version,
  'bigquery-ml' AS engine,
  'linear_reg' AS model_type,
  'total_amount' AS label,
  split.train_rows,
  split.test_rows,
  SQRT(evaluation.mean_squared_error) AS rmse,
  evaluation.mean_absolute_error AS mae,
  evaluation.r2_score AS r2,
  split.train_rows + split.test_rows AS feature_rows_seen,
  '${ctx.ref("order_value_model").replace(/`/g, "")}' AS model_location
FROM ML.EVALUATE(MODEL ${ctx.ref("order_value_model")}) AS evaluation
CROSS JOIN (
  SELECT
    COUNTIF(NOT (${isTest})) AS train_rows,
    COUNTIF(${isTest}) AS test_rows
  FROM ${ctx.ref("ml_features")}
) AS split
`
  );
}
