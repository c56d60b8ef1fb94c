package dev.fakelake.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.pipelines.report.Charts.Line;
import dev.fakelake.pipelines.report.Charts.TimeAxis;
import dev.fakelake.pipelines.report.HtmlPage.Block;
import dev.fakelake.pipelines.report.HtmlPage.ChartBlock;
import dev.fakelake.pipelines.report.HtmlPage.Note;
import dev.fakelake.pipelines.report.HtmlPage.Section;
import dev.fakelake.pipelines.report.HtmlPage.TableBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The report's sections, each read from the warehouse tables named in its source line. A table a
 * section needs that is missing is an error naming the command that makes it; an empty one gives
 * the section a sentence saying so instead of a chart. Only the stream's table may be missing: a
 * lake need not have had a stream.
 */
final class Sections {

  static final String MODELS = "./fakelake models";
  static final String CURATE = "./fakelake curate";
  static final String INGEST = "./fakelake ingest";
  static final String TRAIN = "./fakelake train";
  static final String STREAM_INGEST = "./fakelake stream-ingest (or ./fakelake run's stream burst)";

  /** The largest coefficients drawn for the newest model. */
  static final int COEFFICIENTS = 15;

  /** The latency chart shows the newest week of hours. */
  static final long LATENCY_SECONDS = 7 * 24 * 3600;

  /** The newest alerts listed one by one. */
  static final int LATEST_ALERTS = 10;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter MONTH =
      DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH);

  private final ReportWarehouse warehouse;

  Sections(ReportWarehouse warehouse) {
    this.warehouse = warehouse;
  }

  /** Every section, in the order of the page. */
  List<Section> all() {
    return List.of(
        dailySales(),
        topProducts(),
        engagement(),
        pageviewsByMethod(),
        latencyAndAlerts(),
        listingTurnover(),
        dataQuality(),
        model(),
        tables());
  }

  Section dailySales() {
    String table = "marts.daily_sales_moving_average";
    warehouse.require(table, MODELS);
    record Day(LocalDate date, double revenue, double average, long orders) {}
    List<Day> days =
        warehouse.query(
            "SELECT CAST(sales_date AS VARCHAR), revenue, revenue_7d_avg, orders FROM "
                + table
                + " ORDER BY sales_date",
            row ->
                new Day(
                    LocalDate.parse(row.getString(1)),
                    row.getDouble(2),
                    row.getDouble(3),
                    row.getLong(4)));
    String title = "Daily sales with the 7-day moving average";
    String source = from(table, MODELS);
    if (days.isEmpty()) {
      return empty("daily-sales", title, source, table + " is empty: no orders were sold.");
    }
    double[] x = days.stream().mapToDouble(d -> d.date().toEpochDay()).toArray();
    byte[] chart =
        Charts.timeLines(
            "Revenue per day and its 7-day moving average",
            "Day (UTC)",
            "Revenue",
            TimeAxis.DAYS,
            List.of(
                new Line(
                    "revenue per day", x, days.stream().mapToDouble(Day::revenue).toArray(), false),
                new Line(
                    "7-day moving average",
                    x,
                    days.stream().mapToDouble(Day::average).toArray(),
                    true)),
            days.size() <= 31,
            false);
    double total = days.stream().mapToDouble(Day::revenue).sum();
    long orders = days.stream().mapToLong(Day::orders).sum();
    return new Section(
        "daily-sales",
        title,
        source,
        List.of(
            new ChartBlock(
                chart,
                "Line chart of revenue per day and its 7-day moving average",
                String.format(
                    Locale.ROOT,
                    "Revenue of the orders placed each day (thin) and the average over that day and"
                        + " the six calendar days before it (bold), %s to %s: %,d days, %,d"
                        + " orders, %s in all. A day without sales counts as zero, so the first"
                        + " six days average over fewer days of data and start low.",
                    days.get(0).date(),
                    days.get(days.size() - 1).date(),
                    days.size(),
                    orders,
                    whole(total)))));
  }

  Section topProducts() {
    String table = "analyses.top_products_per_category_month";
    warehouse.require(table, MODELS);
    record Product(String category, long rank, String name, long units, double revenue) {}
    String title = "Top products per category";
    String source = from(table, MODELS);
    long months = warehouse.queryLong("SELECT count(DISTINCT sales_month) FROM " + table);
    if (months == 0) {
      return empty(
          "top-products", title, source, table + " is empty: no order item had a category.");
    }
    LocalDate month =
        LocalDate.parse(
            warehouse
                .query(
                    "SELECT CAST(max(sales_month) AS VARCHAR) FROM " + table,
                    row -> row.getString(1))
                .get(0));
    List<Product> products =
        warehouse.query(
            "SELECT category_group, rank_in_category, product_name, units, revenue FROM "
                + table
                + " WHERE sales_month = DATE '"
                + month
                + "' ORDER BY category_group, rank_in_category",
            row ->
                new Product(
                    row.getString(1),
                    row.getLong(2),
                    row.getString(3),
                    row.getLong(4),
                    row.getDouble(5)));
    Map<String, Product[]> byCategory = new TreeMap<>();
    int ranks = (int) products.stream().mapToLong(Product::rank).max().orElse(1);
    for (Product product : products) {
      byCategory
              .computeIfAbsent(product.category(), c -> new Product[ranks])[
              (int) product.rank() - 1] =
          product;
    }
    List<String> categories = new ArrayList<>(byCategory.keySet());
    categories.sort(
        Comparator.comparingDouble(
                (String c) ->
                    java.util.Arrays.stream(byCategory.get(c))
                        .filter(p -> p != null)
                        .mapToDouble(Product::revenue)
                        .sum())
            .reversed());
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (int rank = 1; rank <= ranks; rank++) {
      List<Double> revenue = new ArrayList<>();
      for (String category : categories) {
        Product product = byCategory.get(category)[rank - 1];
        revenue.add(product == null ? 0.0 : product.revenue());
      }
      series.put(ordinal(rank) + " best seller", revenue);
    }
    String monthName = MONTH.format(month);
    byte[] chart =
        Charts.bars(
            "Revenue of the top " + ranks + " products of each category, " + monthName,
            "Category group",
            "Revenue in " + monthName,
            categories,
            series,
            true);
    List<String> headers = new ArrayList<>(List.of("category group"));
    for (int rank = 1; rank <= ranks; rank++) {
      headers.add(ordinal(rank) + " (units, revenue)");
    }
    List<List<String>> rows = new ArrayList<>();
    for (String category : categories) {
      List<String> row = new ArrayList<>(List.of(category));
      for (Product product : byCategory.get(category)) {
        row.add(
            product == null
                ? "-"
                : String.format(
                    Locale.ROOT,
                    "%s (%,d, %s)",
                    product.name(),
                    product.units(),
                    whole(product.revenue())));
      }
      rows.add(row);
    }
    return new Section(
        "top-products",
        title,
        source,
        List.of(
            new ChartBlock(
                chart,
                "Bar chart of the revenue of each category's best-selling products in " + monthName,
                String.format(
                    Locale.ROOT,
                    "The %d best-selling products of each of %d category groups in %s, the"
                        + " newest of the %d months analysed, by revenue of orders not cancelled;"
                        + " categories ordered by the revenue of their top %d.",
                    ranks,
                    categories.size(),
                    monthName,
                    months,
                    ranks)),
            TableBlock.of("Top products of " + monthName, headers, rows)));
  }

  Section engagement() {
    String table = "gold.customer_engagement";
    warehouse.require(table, CURATE);
    record Group(
        boolean vip,
        long customers,
        double pageviews,
        double sessions,
        double orders,
        double items,
        double ratings,
        double value,
        @Nullable Double orderValue,
        @Nullable Double stars) {}
    List<Group> groups =
        warehouse.query(
            "SELECT is_vip, count(*), avg(pageviews), avg(sessions), avg(orders), avg(items),"
                + " avg(ratings), avg(total_order_value), avg(avg_order_value), avg(avg_stars)"
                + " FROM "
                + table
                + " GROUP BY is_vip ORDER BY is_vip DESC",
            row ->
                new Group(
                    row.getBoolean(1),
                    row.getLong(2),
                    row.getDouble(3),
                    row.getDouble(4),
                    row.getDouble(5),
                    row.getDouble(6),
                    row.getDouble(7),
                    row.getDouble(8),
                    nullableDouble(row, 9),
                    nullableDouble(row, 10)));
    String title = "Customer engagement: VIP customers and the others";
    String source = from(table, CURATE);
    if (groups.isEmpty()) {
      return empty("engagement", title, source, table + " is empty: there are no customers.");
    }
    List<String> measures = List.of("pageviews", "sessions", "orders", "items", "ratings");
    Map<String, List<Double>> series = new LinkedHashMap<>();
    List<List<String>> rows = new ArrayList<>();
    for (Group group : groups) {
      String name =
          (group.vip() ? "VIP" : "others")
              + String.format(Locale.ROOT, " (%,d)", group.customers());
      series.put(
          name,
          List.of(
              group.pageviews(), group.sessions(), group.orders(), group.items(), group.ratings()));
      rows.add(
          List.of(
              group.vip() ? "VIP" : "others",
              String.format(Locale.ROOT, "%,d", group.customers()),
              decimals(group.pageviews(), 1),
              decimals(group.sessions(), 1),
              decimals(group.orders(), 2),
              decimals(group.items(), 2),
              decimals(group.ratings(), 2),
              whole(group.value()),
              group.orderValue() == null ? "-" : whole(group.orderValue()),
              group.stars() == null ? "-" : decimals(group.stars(), 2)));
    }
    byte[] chart =
        Charts.bars(
            "Activity per customer, VIP and others",
            "Measure",
            "Average per customer",
            measures,
            series,
            false);
    return new Section(
        "engagement",
        title,
        source,
        List.of(
            new ChartBlock(
                chart,
                "Bar chart of pageviews, sessions, orders, items and ratings per customer, VIP and"
                    + " others",
                "Average pageviews, sessions, orders, order items and ratings per customer, for the"
                    + " customers on the VIP list and for the others (customers in brackets)."),
            TableBlock.of(
                "Per customer, on average",
                List.of(
                    "group",
                    "customers",
                    "pageviews",
                    "sessions",
                    "orders",
                    "items",
                    "ratings",
                    "order value",
                    "average order",
                    "stars"),
                rows)));
  }

  Section pageviewsByMethod() {
    String table = "gold.pageviews_by_method_5m";
    String title = "Pageviews per HTTP method over time";
    String source = from(table, STREAM_INGEST);
    if (!warehouse.exists(table)) {
      return empty(
          "pageviews-by-method",
          title,
          source,
          "No stream has been ingested into this lake yet, so there is no "
              + table
              + ": run "
              + STREAM_INGEST
              + ".");
    }
    record Count(long window, String method, long pageviews) {}
    List<Count> counts =
        warehouse.query(
            "SELECT CAST(epoch(window_start) AS BIGINT), http_method, sum(pageviews) FROM "
                + table
                + " GROUP BY ALL ORDER BY 1, 2",
            row -> new Count(row.getLong(1), row.getString(2), row.getLong(3)));
    if (counts.isEmpty()) {
      return empty(
          "pageviews-by-method",
          title,
          source,
          table + " is empty: the stream ingested so far had no pageviews in a window.");
    }
    TreeSet<Long> windows = new TreeSet<>();
    Map<String, Map<Long, Long>> byMethod = new TreeMap<>();
    for (Count count : counts) {
      windows.add(count.window());
      byMethod
          .computeIfAbsent(count.method(), m -> new TreeMap<>())
          .put(count.window(), count.pageviews());
    }
    double[] x =
        windows.stream().mapToDouble(w -> TimeAxis.MINUTES.x(Instant.ofEpochSecond(w))).toArray();
    List<Line> lines = new ArrayList<>();
    byMethod.forEach(
        (method, perWindow) ->
            lines.add(
                new Line(
                    method,
                    x,
                    windows.stream().mapToDouble(w -> perWindow.getOrDefault(w, 0L)).toArray(),
                    false)));
    byte[] chart =
        Charts.timeLines(
            "Pageviews per HTTP method, 5-minute windows",
            "Window start (UTC)",
            "Pageviews",
            TimeAxis.MINUTES,
            lines,
            windows.size() <= 48,
            false);
    long total = counts.stream().mapToLong(Count::pageviews).sum();
    return new Section(
        "pageviews-by-method",
        title,
        source,
        List.of(
            new ChartBlock(
                chart,
                "Line chart of pageviews per HTTP method in 5-minute windows of the stream",
                String.format(
                    Locale.ROOT,
                    "Pageviews of the event stream per HTTP method in 5-minute event-time windows,"
                        + " every pane a window fired added up: %,d pageviews in %,d windows from"
                        + " %s to %s UTC.",
                    total,
                    windows.size(),
                    TimeAxis.MINUTES.labels().apply(x[0]),
                    TimeAxis.MINUTES.labels().apply(x[x.length - 1])))));
  }

  Section latencyAndAlerts() {
    String latency = "analyses.latency_percentiles_hourly";
    String alerts = "ops.alerts";
    warehouse.require(latency, MODELS);
    warehouse.require(alerts, INGEST);
    String title = "Latency percentiles and alerts";
    String source = from(latency, MODELS) + " " + from(alerts, INGEST + " and the stream's ingest");
    List<Block> blocks = new ArrayList<>();
    record Hour(long hour, double p50, double p90, double p99, long pageviews, long outliers) {}
    List<Hour> hours =
        warehouse.query(
            "SELECT CAST(epoch(hour) AS BIGINT), p50_latency_ms, p90_latency_ms, p99_latency_ms,"
                + " pageviews, outliers FROM "
                + latency
                + " ORDER BY hour",
            row ->
                new Hour(
                    row.getLong(1),
                    row.getDouble(2),
                    row.getDouble(3),
                    row.getDouble(4),
                    row.getLong(5),
                    row.getLong(6)));
    if (hours.isEmpty()) {
      blocks.add(new Note(latency + " is empty: there are no pageviews.", true));
    } else {
      List<Hour> all = hours;
      // A quarter of hourly percentiles is a blur; the newest week shows how they move.
      long weekStart = all.get(all.size() - 1).hour() - LATENCY_SECONDS;
      hours = all.stream().filter(h -> h.hour() > weekStart).toList();
      double[] x =
          hours.stream()
              .mapToDouble(h -> TimeAxis.HOURS.x(Instant.ofEpochSecond(h.hour())))
              .toArray();
      byte[] chart =
          Charts.timeLines(
              "Server latency per hour: median, 90th and 99th percentile",
              "Hour (UTC)",
              "Latency in ms (logarithmic)",
              TimeAxis.HOURS,
              List.of(
                  new Line("p99", x, hours.stream().mapToDouble(Hour::p99).toArray(), false),
                  new Line("p90", x, hours.stream().mapToDouble(Hour::p90).toArray(), false),
                  new Line(
                      "p50 (median)", x, hours.stream().mapToDouble(Hour::p50).toArray(), true)),
              hours.size() <= 48,
              true);
      blocks.add(
          new ChartBlock(
              chart,
              "Line chart of the median, 90th and 99th percentile latency per hour",
              String.format(
                  Locale.ROOT,
                  "Median, 90th and 99th percentile latency of the batch pageviews per hour, on a"
                      + " logarithmic scale, in the newest week: %,d of the %,d hours with"
                      + " pageviews, %s to %s UTC. Over all hours: %,d pageviews, %,d of them"
                      + " outliers that curate capped, counted at the cap.",
                  hours.size(),
                  all.size(),
                  TimeAxis.HOURS.labels().apply(x[0]),
                  TimeAxis.HOURS.labels().apply(x[x.length - 1]),
                  all.stream().mapToLong(Hour::pageviews).sum(),
                  all.stream().mapToLong(Hour::outliers).sum())));
    }
    List<List<String>> perCheck =
        warehouse.query(
            "SELECT origin, source, check_name, count(*),"
                + " strftime(min(raised_at), '%Y-%m-%d %H:%M:%S'),"
                + " strftime(max(raised_at), '%Y-%m-%d %H:%M:%S') FROM "
                + alerts
                + " GROUP BY ALL ORDER BY 4 DESC, 1, 2, 3",
            row ->
                List.of(
                    row.getString(1),
                    row.getString(2),
                    row.getString(3),
                    String.format(Locale.ROOT, "%,d", row.getLong(4)),
                    row.getString(5),
                    row.getString(6)));
    if (perCheck.isEmpty()) {
      blocks.add(new Note("No alerts were raised: " + alerts + " is empty.", false));
    } else {
      blocks.add(
          TableBlock.of(
              "Alerts raised, per check (times UTC)",
              List.of("origin", "source", "check", "alerts", "first", "last"),
              perCheck));
      blocks.add(
          TableBlock.of(
              "The newest " + LATEST_ALERTS + " alerts",
              List.of("raised (UTC)", "origin", "check", "observed", "threshold", "message"),
              warehouse.query(
                  "SELECT strftime(raised_at, '%Y-%m-%d %H:%M:%S'), origin, check_name,"
                      + " observed, threshold, message FROM "
                      + alerts
                      + " ORDER BY raised_at DESC, message LIMIT "
                      + LATEST_ALERTS,
                  row ->
                      List.of(
                          row.getString(1),
                          row.getString(2),
                          row.getString(3),
                          optional(nullableDouble(row, 4)),
                          optional(nullableDouble(row, 5)),
                          row.getString(6)))));
    }
    return new Section("latency-alerts", title, source, blocks);
  }

  Section listingTurnover() {
    String table = "gold.listing_turnover";
    String ranks = "analyses.car_listing_turnover_rank";
    warehouse.require(table, CURATE);
    warehouse.require(ranks, MODELS);
    record Make(String make, long listings, long sold, @Nullable Double days, String fastest) {}
    List<Make> makes =
        warehouse.query(
            "WITH per_make AS ("
                + " SELECT make, sum(listings) AS listings, sum(sold) AS sold,"
                + " sum(CASE WHEN sold > 0 THEN avg_turnover_days * sold END)"
                + " / nullif(sum(CASE WHEN sold > 0 THEN sold END), 0) AS days"
                + " FROM "
                + table
                + " GROUP BY make),"
                + " fastest AS ("
                + " SELECT make, string_agg(model || ' (' || CAST(CAST(avg_turnover_days AS BIGINT)"
                + " AS VARCHAR) || ' days)', ', ' ORDER BY model) AS models"
                + " FROM "
                + ranks
                + " WHERE turnover_rank = 1 GROUP BY make)"
                + " SELECT per_make.make, listings, sold, days, coalesce(fastest.models, '-')"
                + " FROM per_make LEFT JOIN fastest ON per_make.make = fastest.make"
                + " ORDER BY days NULLS LAST, per_make.make",
            row ->
                new Make(
                    row.getString(1),
                    row.getLong(2),
                    row.getLong(3),
                    nullableDouble(row, 4),
                    row.getString(5)));
    String title = "Car listing turnover by make";
    String source = from(table, CURATE) + " " + from(ranks, MODELS);
    List<Make> sold = makes.stream().filter(m -> m.days() != null).toList();
    if (sold.isEmpty()) {
      return empty(
          "listing-turnover",
          title,
          source,
          makes.isEmpty()
              ? table + " is empty: there are no car listings."
              : "No listing has been removed yet, so there is no turnover to show.");
    }
    byte[] chart =
        Charts.bars(
            "Average days from listing to sale, by make",
            "Make",
            "Average turnover in days",
            sold.stream().map(Make::make).toList(),
            Charts.single("days to sale", sold.stream().map(Make::days).toList()),
            true);
    List<List<String>> rows = new ArrayList<>();
    for (Make make : makes) {
      rows.add(
          List.of(
              make.make(),
              String.format(Locale.ROOT, "%,d", make.listings()),
              String.format(Locale.ROOT, "%,d", make.sold()),
              make.days() == null ? "-" : decimals(make.days(), 1),
              make.fastest()));
    }
    return new Section(
        "listing-turnover",
        title,
        source,
        List.of(
            new ChartBlock(
                chart,
                "Bar chart of the average days from listing to sale per car make",
                String.format(
                    Locale.ROOT,
                    "Average days from listing to removal of the sold listings of each make,"
                        + " fastest first: %,d makes, %,d of %,d listings sold.",
                    sold.size(),
                    makes.stream().mapToLong(Make::sold).sum(),
                    makes.stream().mapToLong(Make::listings).sum())),
            TableBlock.of(
                "Turnover per make, with its fastest-selling model (RANK 1 within the make)",
                List.of("make", "listings", "sold", "average days", "fastest model"),
                rows)));
  }

  Section dataQuality() {
    String table = "ops.quality_scores";
    warehouse.require(table, CURATE);
    record Score(
        String entity,
        String kind,
        long injected,
        long detected,
        long truePositives,
        @Nullable Double precision,
        @Nullable Double recall) {}
    List<Score> scores =
        warehouse.query(
            "SELECT entity, defect_kind, injected, detected, true_positives, precision, recall"
                + " FROM "
                + table
                + " WHERE scored_at = (SELECT max(scored_at) FROM "
                + table
                + ") ORDER BY defect_kind, entity = 'all', entity",
            row ->
                new Score(
                    row.getString(1),
                    row.getString(2),
                    row.getLong(3),
                    row.getLong(4),
                    row.getLong(5),
                    nullableDouble(row, 6),
                    nullableDouble(row, 7)));
    String title = "Data quality against the ground truth";
    String source = from(table, CURATE);
    if (scores.isEmpty()) {
      return empty(
          "data-quality", title, source, table + " is empty: curate has not scored this lake.");
    }
    List<Score> overall = scores.stream().filter(s -> s.entity().equals("all")).toList();
    List<Double> precision = new ArrayList<>();
    List<Double> recall = new ArrayList<>();
    for (Score score : overall) {
      precision.add(score.precision() == null ? 0.0 : score.precision() * 100);
      recall.add(score.recall() == null ? 0.0 : score.recall() * 100);
    }
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("precision", precision);
    series.put("recall", recall);
    byte[] chart =
        Charts.bars(
            "Precision and recall of the pipelines per kind of injected defect",
            "Defect kind",
            "Percent",
            overall.stream().map(Score::kind).toList(),
            series,
            false);
    List<List<String>> rows = new ArrayList<>();
    List<Boolean> highlighted = new ArrayList<>();
    for (Score score : scores) {
      rows.add(
          List.of(
              score.kind(),
              score.entity(),
              String.format(Locale.ROOT, "%,d", score.injected()),
              String.format(Locale.ROOT, "%,d", score.detected()),
              String.format(Locale.ROOT, "%,d", score.truePositives()),
              percent(score.precision()),
              percent(score.recall())));
      highlighted.add(score.entity().equals("all"));
    }
    long injected = overall.stream().mapToLong(Score::injected).sum();
    long found = overall.stream().mapToLong(Score::truePositives).sum();
    return new Section(
        "data-quality",
        title,
        source,
        List.of(
            new ChartBlock(
                chart,
                "Bar chart of precision and recall per defect kind",
                String.format(
                    Locale.ROOT,
                    "Of the defects the generator injected and recorded in _truth/, the share"
                        + " ingest and curate found (recall) and the share of what they flagged"
                        + " that was injected (precision), over every entity: %,d of %,d found."
                        + " A kind with nothing flagged has no precision and shows none.",
                    found,
                    injected)),
            new TableBlock(
                "Scorecard per defect kind and entity (bold: every entity)",
                List.of(
                    "defect kind",
                    "entity",
                    "injected",
                    "detected",
                    "true positives",
                    "precision",
                    "recall"),
                rows,
                highlighted)));
  }

  Section model() {
    String table = "ops.model_metrics";
    warehouse.require(table, TRAIN);
    record Version(
        String name,
        String version,
        String trainedAt,
        String engine,
        String type,
        String label,
        long features,
        long trainRows,
        long testRows,
        @Nullable Double rmse,
        @Nullable Double mae,
        @Nullable Double r2,
        @Nullable String location) {}
    List<Version> versions =
        warehouse.query(
            "SELECT model_name, model_version, strftime(trained_at, '%Y-%m-%d %H:%M:%S'), engine,"
                + " model_type, label, feature_count, train_rows, test_rows, rmse, mae, r2,"
                + " model_location FROM "
                + table
                + " ORDER BY trained_at DESC, model_version DESC",
            row ->
                new Version(
                    row.getString(1),
                    row.getString(2),
                    row.getString(3),
                    row.getString(4),
                    row.getString(5),
                    row.getString(6),
                    row.getLong(7),
                    row.getLong(8),
                    row.getLong(9),
                    nullableDouble(row, 10),
                    nullableDouble(row, 11),
                    nullableDouble(row, 12),
                    row.getString(13)));
    String title = "Order-value model";
    String source = from(table, TRAIN) + " Coefficients from the saved model's model.json.";
    if (versions.isEmpty()) {
      return empty("model", title, source, table + " is empty: no model has been trained yet.");
    }
    List<List<String>> rows = new ArrayList<>();
    for (Version version : versions) {
      rows.add(
          List.of(
              version.name() + " " + version.version(),
              version.trainedAt(),
              version.engine(),
              version.type() + " of " + version.label(),
              String.format(Locale.ROOT, "%,d", version.features()),
              String.format(Locale.ROOT, "%,d", version.trainRows()),
              String.format(Locale.ROOT, "%,d", version.testRows()),
              optional(version.rmse()),
              optional(version.mae()),
              version.r2() == null ? "-" : String.format(Locale.ROOT, "%.4f", version.r2())));
    }
    List<Block> blocks = new ArrayList<>();
    blocks.add(
        TableBlock.of(
            "Every training, newest first; metrics on the held-out test rows",
            List.of(
                "model",
                "trained (UTC)",
                "engine",
                "type",
                "features",
                "train rows",
                "test rows",
                "RMSE",
                "MAE",
                "R²"),
            rows));
    Version newest = versions.get(0);
    Path metadata =
        newest.location() == null ? null : Path.of(newest.location()).resolve("model.json");
    if (metadata != null && Files.isRegularFile(metadata)) {
      blocks.add(coefficients(newest.name() + " " + newest.version(), metadata));
    } else {
      blocks.add(
          new Note(
              "The newest model's saved files ("
                  + (metadata == null ? "no location recorded" : metadata)
                  + ") are not on this machine, so its coefficients are not shown.",
              false));
    }
    return new Section("model", title, source, blocks);
  }

  private static Block coefficients(String model, Path metadata) {
    JsonNode json;
    try {
      json = MAPPER.readTree(metadata.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the saved model's " + metadata, e);
    }
    JsonNode coefficients = json.path("coefficients");
    if (!coefficients.isObject() || coefficients.isEmpty()) {
      throw new IllegalStateException(metadata + " has no coefficients");
    }
    List<Map.Entry<String, Double>> largest = new ArrayList<>();
    coefficients
        .fields()
        .forEachRemaining(e -> largest.add(Map.entry(e.getKey(), e.getValue().asDouble())));
    largest.sort(
        Comparator.comparingDouble((Map.Entry<String, Double> e) -> -Math.abs(e.getValue())));
    List<Map.Entry<String, Double>> shown =
        largest.subList(0, Math.min(COEFFICIENTS, largest.size()));
    byte[] chart =
        Charts.bars(
            "Largest coefficients of " + model,
            "Feature",
            "Change in predicted order value",
            shown.stream().map(Map.Entry::getKey).toList(),
            Charts.single("coefficient", shown.stream().map(Map.Entry::getValue).toList()),
            true);
    return new ChartBlock(
        chart,
        "Bar chart of the largest coefficients of the order-value model",
        String.format(
            Locale.ROOT,
            "The %d largest of the %d coefficients of %s's linear regression (intercept %s):"
                + " how much one more unit or item, or a day, month, category or age band"
                + " instead of its reference level, changes the predicted order value.",
            shown.size(),
            largest.size(),
            model,
            decimals(json.path("intercept").asDouble(), 2)));
  }

  Section tables() {
    record Table(String schema, String name, long rows) {}
    List<String[]> names =
        warehouse.query(
            "SELECT table_schema, table_name FROM information_schema.tables"
                + " WHERE table_catalog = current_database() AND table_type = 'BASE TABLE'"
                + " ORDER BY table_schema, table_name",
            row -> new String[] {row.getString(1), row.getString(2)});
    List<List<String>> rows = new ArrayList<>();
    for (String[] name : names) {
      long count =
          warehouse.queryLong("SELECT count(*) FROM \"" + name[0] + "\".\"" + name[1] + "\"");
      rows.add(List.of(name[0], name[1], String.format(Locale.ROOT, "%,d", count)));
    }
    return new Section(
        "tables",
        "Warehouse tables",
        "Every table of " + warehouse.file() + ".",
        List.of(TableBlock.of("Rows per table", List.of("dataset", "table", "rows"), rows)));
  }

  private static Section empty(String id, String title, String source, String why) {
    return new Section(id, title, source, List.of(new Note(why, true)));
  }

  private static String from(String table, String madeBy) {
    return "From " + table + ", made by " + madeBy + ".";
  }

  private static @Nullable Double nullableDouble(ResultSet row, int column) throws SQLException {
    Object value = row.getObject(column);
    return value == null ? null : ((Number) value).doubleValue();
  }

  private static String ordinal(int rank) {
    return switch (rank) {
      case 1 -> "1st";
      case 2 -> "2nd";
      case 3 -> "3rd";
      default -> rank + "th";
    };
  }

  static String whole(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  static String decimals(double value, int places) {
    return String.format(Locale.ROOT, "%,." + places + "f", value);
  }

  private static String optional(@Nullable Double value) {
    return value == null ? "-" : decimals(value, 2);
  }

  private static String percent(@Nullable Double ratio) {
    return ratio == null ? "-" : String.format(Locale.ROOT, "%.1f%%", ratio * 100);
  }
}
