package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.pipelines.HeadlessChromium.Image;
import dev.fakelake.pipelines.HeadlessChromium.PageCheck;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fakelake run} end to end at a small scale (generate, ingest, curate, a stream burst, the
 * Dataform models, training and the report), then the report opened in headless Chromium: every
 * chart image loads, the browser logs no error, and the page asks for nothing but itself. The page
 * as the browser drew it is kept at {@code target/report-screenshot.png}. The same check is shown
 * to fail on a copy of the page with a broken image and a console error.
 */
class ReportIT {

  /** Where the build keeps the screenshot. */
  static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");

  /** Every section of the report has data in this lake, so every section draws its chart. */
  static final int CHARTS = 8;

  static final int PAGE_WIDTH = 1200;

  @TempDir static Path lake;
  static String output;

  @BeforeAll
  static void runTheMainJob() {
    CommandRun run = CommandRun.of("run", "--lake=" + lake, "--scale=0.05", "--streamBurst=5s");
    output = run.output();
    assertEquals(0, run.exit(), "./fakelake run failed");
  }

  @Test
  void theRunEndsWithItsSummaryAndWhereTheReportIs() throws Exception {
    Path page = lake.resolve("report/index.html").toAbsolutePath().normalize();
    String summary = output.substring(output.indexOf("== done in"));

    assertTrue(output.contains("== stage 7/7: report"), output);
    assertTrue(summary.contains("   silver: customers "), summary);
    assertTrue(summary.contains("   gold: customer_engagement "), summary);
    assertTrue(summary.contains("pageviews_by_method_5m "), "the stream's tables: " + summary);
    assertTrue(summary.contains("   marts: "), summary);
    assertTrue(summary.contains("   quality (recall/precision): duplicate "), summary);
    assertTrue(summary.contains("   alerts: "), summary);
    assertTrue(summary.contains("   model: order_value v1: RMSE "), summary);
    assertTrue(summary.contains("     query it: duckdb "), summary);
    assertTrue(summary.contains("   report: " + page + "\n"), summary);
    assertTrue(summary.contains("     open it: " + page.toUri()), summary);
    assertTrue(summary.lines().count() <= 20, "a compact summary: " + summary);
    assertTrue(
        Files.readString(page).contains("seed 42, scale 0.05, locale cs, 90 days from 2026-01-01"),
        "the header names the data set generate recorded");
  }

  @Test
  void aSecondRunOnTheLakeRunsOnlyTheStagesNotSkipped() {
    CommandRun run =
        CommandRun.of(
            "run", "--lake=" + lake, "--scale=0.05", "--skip=generate,ingest,curate,stream");
    String rerun = run.output();

    assertEquals(0, run.exit(), rerun);
    for (String stage : List.of("generate", "ingest", "curate", "stream")) {
      assertTrue(rerun.contains("\n" + stage + ": skipped (--skip)\n"), rerun);
    }
    assertTrue(rerun.contains("models: 11 actions run"), rerun);
    assertTrue(rerun.contains("report: wrote "), rerun);
    String summary = rerun.substring(rerun.indexOf("== done in"));
    assertTrue(summary.startsWith("== done in") && summary.contains(": ingest skipped;"), summary);
    assertTrue(summary.contains("   quality: not scored (curate skipped)"), summary);
    assertTrue(summary.contains("   marts: "), summary);
    assertTrue(summary.contains("   model: order_value v1, not retrained"), summary);
  }

  @Test
  void everyChartLoadsInHeadlessChromiumWithoutErrors() throws Exception {
    Path page = lake.resolve("report/index.html");

    PageCheck check;
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      check = chromium.check(page, PAGE_WIDTH);
    }

    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT, check.screenshot());
    assertEquals(CHARTS, check.images().size(), "charts on the page: " + check.images());
    for (Image image : check.images()) {
      assertTrue(image.complete() && image.naturalWidth() > 0, "did not load: " + image);
      assertEquals(960, image.naturalWidth(), image.toString());
      assertEquals(420, image.naturalHeight(), image.toString());
      assertTrue(image.source().startsWith("data:image/png;base64,"), image.toString());
    }
    assertEquals(List.of(), check.errors());
    assertEquals(
        List.of(page.toUri().toString()),
        check.requestedUrls().stream().filter(url -> !url.startsWith("data:")).distinct().toList(),
        "the page asks for nothing but itself");
    BufferedImage screenshot = ImageIO.read(new ByteArrayInputStream(check.screenshot()));
    assertEquals(PAGE_WIDTH, screenshot.getWidth());
    assertTrue(
        screenshot.getHeight() > CHARTS * 420, "the whole page: " + screenshot.getHeight() + "px");
  }

  @Test
  void theCheckCatchesABrokenImageAndAConsoleError(@TempDir Path copy) throws Exception {
    String html = Files.readString(lake.resolve("report/index.html"));
    Path broken = copy.resolve("broken.html");
    Files.writeString(
        broken,
        html.replaceFirst("base64,", "base64,AAAA")
            .replace("</body>", "<script>console.error('an injected error')</script></body>"));

    PageCheck check;
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      check = chromium.check(broken, PAGE_WIDTH);
    }

    assertEquals(
        1,
        check.images().stream().filter(image -> image.naturalWidth() == 0).count(),
        check.images().toString());
    assertTrue(
        check.errors().stream().anyMatch(error -> error.contains("an injected error")),
        check.errors().toString());
  }
}
