package dev.fakelake.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.pipelines.DuckDbWarehouse;
import dev.fakelake.pipelines.GeneratePipeline;
import dev.fakelake.schemas.WarehouseTable;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report on small warehouses of known rows: every section draws its chart from them, an empty
 * table gives a sentence instead of a chart, and a missing table or warehouse is an error naming
 * what makes it. The whole pipeline, and the page in a browser, are in {@code ReportIT}.
 */
class ReportTest {

  private static final Pattern IMAGE =
      Pattern.compile("<img src=\"data:image/png;base64,([^\"]+)\"");

  @TempDir Path lake;

  @Test
  void everySectionDrawsItsChartFromTheWarehouse() throws Exception {
    loadWarehouse();
    dataformOutputs();
    execute(
        "INSERT INTO gold.customer_engagement VALUES"
            + " (1, 'Eva Nová', 'Brno', 'South Moravia', '25-34', true, 40, 8, 3, 6, 900.0,"
            + " 300.0, 4, 4.5),"
            + " (2, 'Jan Malý', 'Praha', NULL, '35-44', false, 10, 2, 1, 1, 100.0, 100.0, 0, NULL)",
        "INSERT INTO gold.pageviews_by_method_5m VALUES"
            + " (TIMESTAMP '2026-03-01 10:00', TIMESTAMP '2026-03-01 10:05', 'GET', 5, 'EARLY', 0,"
            + " TIMESTAMP '2026-03-01 10:01'),"
            + " (TIMESTAMP '2026-03-01 10:00', TIMESTAMP '2026-03-01 10:05', 'GET', 2, 'ON_TIME', 1,"
            + " TIMESTAMP '2026-03-01 10:05'),"
            + " (TIMESTAMP '2026-03-01 10:05', TIMESTAMP '2026-03-01 10:10', 'POST', 1, 'ON_TIME', 0,"
            + " TIMESTAMP '2026-03-01 10:10')",
        "INSERT INTO ops.alerts VALUES (TIMESTAMP '2026-03-01 10:02', 'stream-ingest', NULL,"
            + " 'pageviews', 'pageview_latency', 4100.0, 2000.0, 'Pageview e1 took 4,100 ms')",
        "INSERT INTO gold.listing_turnover VALUES ('Skoda', 'Octavia', 4, 2, 10.0, 10.0, 300000.0,"
            + " 50000.0), ('Skoda', 'Fabia', 2, 0, NULL, NULL, 200000.0, 80000.0)",
        "INSERT INTO ops.quality_scores VALUES"
            + " (TIMESTAMP '2026-03-01 09:00', 'all', 'duplicate', 10, 5, 5, 1.0, 0.5),"
            + " (TIMESTAMP '2026-03-02 09:00', 'all', 'duplicate', 10, 9, 9, 1.0, 0.9),"
            + " (TIMESTAMP '2026-03-02 09:00', 'ratings', 'late_event', 4, 0, 0, NULL, 0.0),"
            + " (TIMESTAMP '2026-03-02 09:00', 'all', 'late_event', 4, 0, 0, NULL, 0.0)",
        "INSERT INTO ops.model_metrics VALUES (TIMESTAMP '2026-03-02 10:00', 'order_value', 'v1',"
            + " 'tribuo-4.3.2', 'linear_reg', 'total_amount', 2, 80, 20, 10.5, 8.25, 0.75, 100, "
            + sqlString(modelFolder().toString())
            + ")",
        "INSERT INTO marts.daily_sales_moving_average VALUES (DATE '2026-03-01', 2, 100.0, 14.29),"
            + " (DATE '2026-03-02', 1, 50.0, 21.43)",
        "INSERT INTO analyses.top_products_per_category_month VALUES"
            + " (DATE '2026-02-01', 'Books', 1, 7, 'Old Book', 1, 10.0),"
            + " (DATE '2026-03-01', 'Books', 1, 8, 'Best <Book>', 3, 30.0),"
            + " (DATE '2026-03-01', 'Books', 2, 9, 'Good Book', 1, 12.0),"
            + " (DATE '2026-03-01', 'Toys', 1, 10, 'Ball', 2, 8.0)",
        "INSERT INTO analyses.latency_percentiles_hourly VALUES"
            + " (TIMESTAMP '2026-03-01 10:00', 3, 100.0, 180.0, 400.0, 1),"
            + " (TIMESTAMP '2026-03-01 11:00', 2, 120.0, 200.0, 5000.0, 0)",
        "INSERT INTO analyses.car_listing_turnover_rank VALUES ('Skoda', 'Octavia', 10.0, 1)");
    writeGenerationRecord();

    Report.Summary summary = Report.run(options(), new PrintStream(new ByteArrayOutputStream()));

    String html = Files.readString(summary.page());
    assertEquals(lake.resolve("report/index.html").toAbsolutePath().normalize(), summary.page());
    assertEquals(List.of(), summary.emptySections());
    assertEquals(9, summary.sections());
    assertEquals(8, summary.charts());
    List<BufferedImage> images = images(html);
    assertEquals(8, images.size());
    for (BufferedImage image : images) {
      assertEquals(Charts.WIDTH, image.getWidth());
      assertEquals(Charts.HEIGHT, image.getHeight());
    }
    assertTrue(html.contains("seed 7, scale 0.05, locale de-AT, 30 days from 2026-03-01"), html);
    assertTrue(html.contains("Best &lt;Book&gt; (3, 30)"), "the newest month's top products");
    assertFalse(html.contains("Old Book"), "only the newest month is shown");
    assertTrue(html.contains("8 pageviews in 2 windows"), "panes of a window are added up");
    assertTrue(html.contains("Pageview e1 took 4,100 ms"));
    assertTrue(
        html.contains(
            "<td>duplicate</td><td>all</td><td class=\"num\">10</td><td class=\"num\">9</td>"),
        "only the newest scores are shown");
    assertTrue(html.contains("Octavia (10 days)"));
    assertTrue(html.contains("1 makes, 2 of 6 listings sold"), "a make's listings added up");
    assertTrue(html.contains("0.7500"), "R² of the model");
    assertTrue(html.contains("The 2 largest of the 2 coefficients of order_value v1"));
    assertFalse(html.contains("<script"), "the page needs no script");
    assertFalse(html.matches("(?s).*(src|href)=\"(https?:|//).*"), "no reference outside the page");
  }

  @Test
  void aSectionWhoseTableIsEmptySaysSoInsteadOfDrawingAChart() throws Exception {
    loadWarehouse();
    dataformOutputs();

    Report.Summary summary = Report.run(options(), new PrintStream(new ByteArrayOutputStream()));

    String html = Files.readString(summary.page());
    assertEquals(0, summary.charts());
    assertEquals(0, images(html).size());
    assertTrue(html.contains("marts.daily_sales_moving_average is empty"), html);
    assertTrue(html.contains("gold.customer_engagement is empty"));
    assertTrue(html.contains("ops.model_metrics is empty: no model has been trained yet."));
    assertTrue(html.contains("No alerts were raised"));
    assertTrue(summary.emptySections().contains("Daily sales with the 7-day moving average"));
    assertTrue(html.contains("not recorded"), "no generation record in this lake");
  }

  @Test
  void aLakeWithoutAStreamSaysSoInItsPageviewsSection() throws Exception {
    loadWarehouse();
    dataformOutputs();
    execute("DROP TABLE gold.pageviews_by_method_5m");

    Report.Summary summary = Report.run(options(), new PrintStream(new ByteArrayOutputStream()));

    assertTrue(
        Files.readString(summary.page())
            .contains("No stream has been ingested into this lake yet"));
    assertTrue(summary.emptySections().contains("Pageviews per HTTP method over time"));
  }

  @Test
  void aMissingTableIsAnErrorNamingItAndTheStageThatMakesIt() {
    loadWarehouse();

    IllegalStateException error =
        assertThrows(
            IllegalStateException.class,
            () -> Report.run(options(), new PrintStream(new ByteArrayOutputStream())));

    assertTrue(
        error.getMessage().contains("has no table marts.daily_sales_moving_average"),
        error.getMessage());
    assertTrue(error.getMessage().contains("./fakelake models makes"), error.getMessage());
    assertFalse(Files.exists(lake.resolve("report/index.html")), "no half report is written");
  }

  @Test
  void aLakeWithoutAWarehouseIsAnErrorAndCreatesNone() {
    IllegalStateException error =
        assertThrows(
            IllegalStateException.class,
            () -> Report.run(options(), new PrintStream(new ByteArrayOutputStream())));

    assertTrue(error.getMessage().contains("There is no warehouse at"), error.getMessage());
    assertFalse(Files.exists(lake.resolve(DuckDbWarehouse.FILE_NAME)));
  }

  @Test
  void escapesWhatItPutsIntoThePage() {
    assertEquals(
        "&lt;img src=&quot;x&quot; onerror=&#39;a&#39;&gt; &amp; more",
        HtmlPage.escape("<img src=\"x\" onerror='a'> & more"));
  }

  private Report.Options options() {
    return PipelineOptionsFactory.fromArgs("--lake=" + lake).as(Report.Options.class);
  }

  private void loadWarehouse() {
    DuckDbWarehouse.load(lake.toString(), EnumSet.allOf(WarehouseTable.class));
  }

  /**
   * The Dataform outputs the report reads, with the columns it reads; {@code ReportIT} builds them
   * with the real models.
   */
  private void dataformOutputs() throws SQLException {
    execute(
        "CREATE SCHEMA marts",
        "CREATE SCHEMA analyses",
        "CREATE TABLE marts.daily_sales_moving_average (sales_date DATE, orders BIGINT,"
            + " revenue DOUBLE, revenue_7d_avg DOUBLE)",
        "CREATE TABLE analyses.top_products_per_category_month (sales_month DATE,"
            + " category_group VARCHAR, rank_in_category BIGINT, product_id BIGINT,"
            + " product_name VARCHAR, units BIGINT, revenue DOUBLE)",
        "CREATE TABLE analyses.latency_percentiles_hourly (hour TIMESTAMP, pageviews BIGINT,"
            + " p50_latency_ms DOUBLE, p90_latency_ms DOUBLE, p99_latency_ms DOUBLE,"
            + " outliers BIGINT)",
        "CREATE TABLE analyses.car_listing_turnover_rank (make VARCHAR, model VARCHAR,"
            + " avg_turnover_days DOUBLE, turnover_rank BIGINT)");
  }

  private Path modelFolder() throws Exception {
    Path folder = lake.resolve("models/order_value/v1");
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve("model.json"),
        "{\"intercept\": 12.5, \"coefficients\": {\"units\": 30.0, \"is_vip\": -4.0}}");
    return folder;
  }

  private void writeGenerationRecord() throws Exception {
    Path record = lake.resolve(GeneratePipeline.GENERATION_RECORD);
    Files.createDirectories(record.getParent());
    Files.writeString(
        record,
        "{\"seed\":7,\"scale\":0.05,\"locale\":\"de-AT\",\"start_date\":\"2026-03-01\","
            + "\"days\":30}\n");
  }

  private void execute(String... statements) throws SQLException {
    try (Connection connection = DuckDbWarehouse.open(lake.toString())) {
      for (String sql : statements) {
        try (Statement statement = connection.createStatement()) {
          statement.execute(sql);
        }
      }
    }
  }

  private static String sqlString(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static List<BufferedImage> images(String html) throws Exception {
    List<BufferedImage> images = new ArrayList<>();
    Matcher matcher = IMAGE.matcher(html);
    while (matcher.find()) {
      images.add(
          ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(matcher.group(1)))));
    }
    return images;
  }
}
