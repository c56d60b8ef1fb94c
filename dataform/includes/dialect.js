// The few SQL constructs that BigQuery and DuckDB spell differently, so that every SQLX file is
// written once. The compile variable `engine` chooses the spelling:
//   dataform compile --vars=engine=bigquery   (the default, set in workflow_settings.yaml)
//   dataform compile --vars=engine=duckdb     (what `./fakelake models` runs locally)
// Each helper returns SQL text that gives the same answer on both warehouses; where DuckDB has a
// function of the same name that answers differently (date_diff on timestamps, EXTRACT(DAYOFWEEK),
// date_trunc('week')), the helper avoids it rather than rely on it.

const ENGINES = ["bigquery", "duckdb"];

const engine = dataform.projectConfig.vars.engine;
if (!ENGINES.includes(engine)) {
  throw new Error(
    `Unknown engine "${engine}": compile with --vars=engine=bigquery or --vars=engine=duckdb.`
  );
}

const isBigQuery = engine === "bigquery";

const TIMESTAMP_PARTS = ["MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY"];
const DATE_PARTS = ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"];

function part(name, allowed) {
  const upper = String(name).toUpperCase();
  if (!allowed.includes(upper)) {
    throw new Error(`Unsupported date part "${name}": use one of ${allowed.join(", ")}.`);
  }
  return upper;
}

// Whole parts elapsed from `start` to `end`, truncated toward zero, as BigQuery's TIMESTAMP_DIFF.
// DuckDB's date_diff counts boundaries crossed instead (10:59 to 11:01 is one hour there);
// its date_sub counts complete parts, which is BigQuery's rule.
function timestampDiff(end, start, datePart) {
  const p = part(datePart, TIMESTAMP_PARTS);
  return isBigQuery
    ? `TIMESTAMP_DIFF(${end}, ${start}, ${p})`
    : `date_sub('${p.toLowerCase()}', ${start}, ${end})`;
}

// `ts` moved back by `amount` parts; the result stays a TIMESTAMP on both warehouses.
function timestampSub(ts, amount, datePart) {
  const p = part(datePart, TIMESTAMP_PARTS);
  if (!Number.isInteger(amount)) {
    throw new Error(`timestampSub needs a whole number of parts, got ${amount}.`);
  }
  return isBigQuery
    ? `TIMESTAMP_SUB(${ts}, INTERVAL ${amount} ${p})`
    : `(${ts} - INTERVAL ${amount} ${p})`;
}

// `ts` truncated to the start of its hour or day (UTC).
function timestampTrunc(ts, datePart) {
  const p = part(datePart, ["MINUTE", "HOUR", "DAY"]);
  return isBigQuery
    ? `TIMESTAMP_TRUNC(${ts}, ${p})`
    : `date_trunc('${p.toLowerCase()}', ${ts})`;
}

// The first day of the month, quarter or year of a DATE, as a DATE. (Weeks are left out on
// purpose: BigQuery's WEEK starts on Sunday, DuckDB's on Monday.)
function dateTrunc(date, datePart) {
  const p = part(datePart, ["MONTH", "QUARTER", "YEAR"]);
  return isBigQuery
    ? `DATE_TRUNC(${date}, ${p})`
    : `CAST(date_trunc('${p.toLowerCase()}', ${date}) AS DATE)`;
}

// Part boundaries crossed from `start` to `end` (both DATEs), as BigQuery's DATE_DIFF; for DATEs
// DuckDB's date_diff follows the same rule.
function dateDiff(end, start, datePart) {
  const p = part(datePart, ["DAY", "MONTH", "QUARTER", "YEAR"]);
  return isBigQuery
    ? `DATE_DIFF(${end}, ${start}, ${p})`
    : `date_diff('${p.toLowerCase()}', ${start}, ${end})`;
}

// Days since 1970-01-01: a number that RANGE window frames can order by.
function unixDate(date) {
  return isBigQuery ? `UNIX_DATE(${date})` : `date_diff('day', DATE '1970-01-01', ${date})`;
}

// a / b, or NULL when b is 0 (DuckDB's plain division gives NULL or infinity depending on type).
function safeDivide(a, b) {
  return isBigQuery
    ? `SAFE_DIVIDE(${a}, ${b})`
    : `CASE WHEN (${b}) = 0 THEN NULL ELSE CAST(${a} AS DOUBLE) / (${b}) END`;
}

// The continuous (interpolated) percentile `fraction` of `expr` over a window, e.g.
// percentileCont("latency_ms", 0.9, "PARTITION BY hour"), as a decimal with 9 places: NUMERIC on
// BigQuery, DECIMAL(38, 9) on DuckDB. BigQuery has it only as an analytic function and interpolates
// NUMERIC exactly; DuckDB's quantile_cont interpolates in floating point (and truncates when given
// decimals), so its result is rounded to 9 places, which removes the floating point noise. Left in
// floating point, the two engines land on either side of a rounding boundary (620.85 is
// 620.8499... on one and 620.8500...1 on the other) and a ROUND of the result differs.
function percentileCont(expr, fraction, over) {
  if (!(typeof fraction === "number" && fraction >= 0 && fraction <= 1)) {
    throw new Error(`percentileCont needs a fraction between 0 and 1, got ${fraction}.`);
  }
  return isBigQuery
    ? `PERCENTILE_CONT(CAST(${expr} AS NUMERIC), NUMERIC '${fraction}') OVER (${over})`
    : `CAST(quantile_cont(${expr}, ${fraction}) OVER (${over}) AS DECIMAL(38, 9))`;
}

// Day of the week of a DATE or TIMESTAMP (UTC) as BigQuery numbers it: 1 = Sunday ... 7 = Saturday.
// DuckDB's EXTRACT(DAYOFWEEK ...) runs but answers 0 = Sunday ... 6 = Saturday.
function dayOfWeek(expr) {
  return isBigQuery ? `EXTRACT(DAYOFWEEK FROM ${expr})` : `(EXTRACT(DAYOFWEEK FROM ${expr}) + 1)`;
}

// `expr` as a double-precision float: FLOAT64 on BigQuery, DOUBLE on DuckDB (which has no FLOAT64).
function toFloat64(expr) {
  return isBigQuery ? `CAST(${expr} AS FLOAT64)` : `CAST(${expr} AS DOUBLE)`;
}

// `expr` as an exact decimal: BigQuery's NUMERIC (38 digits, 9 after the point). DuckDB's bare
// NUMERIC is DECIMAL(18, 3), which silently rounds to 3 decimals.
function toNumeric(expr) {
  return isBigQuery ? `CAST(${expr} AS NUMERIC)` : `CAST(${expr} AS DECIMAL(38, 9))`;
}

module.exports = {
  engine,
  isBigQuery,
  timestampDiff,
  timestampSub,
  timestampTrunc,
  dateTrunc,
  dateDiff,
  unixDate,
  safeDivide,
  percentileCont,
  dayOfWeek,
  toFloat64,
  toNumeric,
};
