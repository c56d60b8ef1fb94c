package dev.fakelake.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.pipelines.DuckDbWarehouse;
import dev.fakelake.pipelines.FakelakeOptions;
import dev.fakelake.pipelines.GeneratePipeline;
import dev.fakelake.pipelines.report.HtmlPage.Section;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The {@code report} stage: reads the local DuckDB warehouse and the saved model, draws each chart
 * with XChart and writes one self-contained page, {@code LAKE/report/index.html}, with the images
 * inlined. It stands in for the Looker Studio report of the GCP deployment: daily sales with their
 * moving average, top products, VIP engagement, the stream's pageviews per method, latency and
 * alerts, listing turnover, the data-quality scorecard and the model's metrics.
 *
 * <pre>{@code
 * ./fakelake report
 * ./fakelake report --lake=/data/lake
 * }</pre>
 */
public final class Report {

  /** Options of the report command. */
  public interface Options extends FakelakeOptions {}

  /** The page's location inside the lake. */
  public static final String PAGE = "report/index.html";

  /**
   * What a run wrote: the page, its size, how many sections and charts it has, and the titles of
   * the sections that had no data to show.
   */
  public record Summary(
      Path page, long bytes, int sections, long charts, List<String> emptySections) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Report() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    System.out.print(render(run(options, System.out)));
  }

  /**
   * Builds the report of a lake's warehouse, printing progress to {@code progress}.
   *
   * @throws IllegalArgumentException for a lake that is not a local folder
   * @throws IllegalStateException when the warehouse, or a table a section needs, is missing
   */
  public static Summary run(Options options, PrintStream progress) {
    String lake = options.getLake();
    Path page = DuckDbWarehouse.file(lake).normalize().getParent().resolve(PAGE);
    Instant built = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<Section> sections;
    Path warehouseFile;
    try (ReportWarehouse warehouse = ReportWarehouse.open(lake)) {
      progress.printf("report: reading %s%n", warehouse.file());
      warehouseFile = warehouse.file();
      sections = new Sections(warehouse).all();
    }
    Map<String, String> header = new LinkedHashMap<>();
    header.put("lake", page.getParent().getParent().toString());
    header.put("data set", dataSet(lake));
    header.put("warehouse", warehouseFile.toString());
    header.put("built", built + " (UTC)");
    String html =
        new HtmlPage(
                "fakelake report",
                header,
                sections,
                "Written by ./fakelake report, standing in locally for the Looker Studio report of"
                    + " the Google Cloud deployment. Charts drawn with XChart; the page needs"
                    + " nothing outside this file.")
            .render();
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    write(page, bytes);
    return new Summary(
        page,
        bytes.length,
        sections.size(),
        sections.stream().mapToLong(Section::charts).sum(),
        sections.stream().filter(Section::isEmpty).map(Section::title).toList());
  }

  /** What the page shows in one line, and where it is. */
  public static String render(Summary summary) {
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "report: %d sections, %d charts, %,d KB%n",
                summary.sections(),
                summary.charts(),
                (summary.bytes() + 1023) / 1024));
    if (!summary.emptySections().isEmpty()) {
      out.append("report: no data to show in: ")
          .append(String.join("; ", summary.emptySections()))
          .append('\n');
    }
    out.append("report: wrote ")
        .append(summary.page())
        .append("; open it in a browser: ")
        .append(summary.page().toUri())
        .append('\n');
    return out.toString();
  }

  /**
   * The settings the lake was generated with, from the record generate leaves in the lake, e.g.
   * {@code seed 42, scale 1.0, locale cs, 90 days from 2026-01-01}.
   */
  static String dataSet(String lake) {
    Path record = Path.of(lake).resolve(GeneratePipeline.GENERATION_RECORD);
    if (!Files.isRegularFile(record)) {
      return "not recorded (" + record + " is missing: ./fakelake generate writes it)";
    }
    try {
      JsonNode json = MAPPER.readTree(record.toFile());
      return String.format(
          Locale.ROOT,
          "seed %d, scale %s, locale %s, %d days from %s",
          json.path("seed").asLong(),
          json.path("scale").asText(),
          json.path("locale").asText(),
          json.path("days").asInt(),
          json.path("start_date").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + record, e);
    }
  }

  /** Writes the page whole or not at all: a reader never sees half a report. */
  private static void write(Path page, byte[] bytes) {
    Path partial = page.resolveSibling(page.getFileName() + ".partial");
    try {
      Files.createDirectories(page.getParent());
      Files.write(partial, bytes);
      Files.move(
          partial, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report " + page, e);
    }
  }
}
