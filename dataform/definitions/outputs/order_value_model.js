// BigQuery ML: a linear regression of the order value (gold.ml_features.total_amount, the label)
// on the order's size and its one-hot day, month, category, region and age-band columns, and the
// model's ML.EVALUATE figures appended on every run so that model quality can be followed over time.
//
// DuckDB has no CREATE MODEL, so with --vars=engine=duckdb this file declares no action at all;
// locally `./fakelake train` fits the same regression in Java.

if (dialect.isBigQuery) {
  operate("order_value_model", {
    dataset: "ml",
    hasOutput: true,
    description:
      "Linear regression (BigQuery ML) predicting an order's value in CZK from gold.ml_features. " +
      "Ridge regularisation (l2_reg) keeps the fit well-defined although each one-hot group sums " +
      "to 1, like the intercept.",
    tags: ["ml", "bigquery_only"],
  }).queries(
    (ctx) => `
CREATE OR REPLACE MODEL ${ctx.self()}
OPTIONS (
  model_type = 'LINEAR_REG',
  input_label_cols = ['total_amount'],
  data_split_method = 'RANDOM',
  data_split_eval_fraction = 0.2,
  l2_reg = 1.0
) AS
SELECT
  -- Identifiers and the raw date are not features; the date enters through its month and day.
  * EXCEPT (order_id, customer_id, order_date)
FROM ${ctx.ref("ml_features")}
`
  );

  publish("order_value_model_evaluation", {
    type: "incremental",
    dataset: "ml",
    description:
      "ML.EVALUATE of the order value model on its evaluation split, one row appended per run.",
    tags: ["ml", "bigquery_only"],
    columns: {
      evaluated_at: "When the model was evaluated (UTC).",
      mean_absolute_error: "Mean absolute error in CZK.",
      mean_squared_error: "Mean squared error.",
      mean_squared_log_error: "Mean squared logarithmic error.",
      median_absolute_error: "Median absolute error in CZK.",
      r2_score: "Coefficient of determination.",
      explained_variance: "Explained variance.",
    },
    assertions: {
      uniqueKey: ["evaluated_at"],
      nonNull: ["evaluated_at", "mean_absolute_error", "r2_score"],
      rowConditions: ["mean_absolute_error >= 0", "r2_score <= 1"],
    },
  }).query(
    (ctx) => `
SELECT
  CURRENT_TIMESTAMP() AS evaluated_at,
  *
FROM ML.EVALUATE(MODEL ${ctx.ref("order_value_model")})
`
  );
}
