package dev.fakelake.templates;

import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The pipelines that have a Dataflow flex template: one line each, the template's name, the class
 * whose {@code main} the launcher runs and a one-line description. The pipeline's options are its
 * nested {@code Options} interface.
 *
 * <p>Classes are named by string and resolved when needed, so a template can be listed before its
 * pipeline is on the classpath; until then it is {@linkplain Template#isAvailable() unavailable}
 * and gets no metadata. The Terraform policy tests read this list to check that every template the
 * Terraform launches is one of these.
 */
public final class FlexTemplates {

  /** One flex template: its name (the spec file is NAME.json) and its pipeline class. */
  public record Template(String name, String mainClass, String description) {

    /** The pipeline's nested {@code Options} interface, if the pipeline is on the classpath. */
    public Optional<Class<? extends PipelineOptions>> options() {
      try {
        Class<?> options = Class.forName(mainClass + "$Options");
        if (!PipelineOptions.class.isAssignableFrom(options)) {
          throw new IllegalStateException(options.getName() + " does not extend PipelineOptions");
        }
        return Optional.of(options.asSubclass(PipelineOptions.class));
      } catch (ClassNotFoundException e) {
        return Optional.empty();
      }
    }

    public boolean isAvailable() {
      return options().isPresent();
    }
  }

  public static final List<Template> ALL =
      List.of(
          new Template(
              "generate",
              "dev.fakelake.pipelines.GeneratePipeline",
              "Generates the synthetic data set into the landing zone and the source database."),
          new Template(
              "ingest",
              "dev.fakelake.pipelines.IngestPipeline",
              "Ingests new landing files and source database rows into bronze; archives them."),
          new Template(
              "curate",
              "dev.fakelake.pipelines.CuratePipeline",
              "Curates bronze into silver and gold Parquet and warehouse tables."),
          new Template(
              "stream-generate",
              "dev.fakelake.pipelines.StreamGeneratePipeline",
              "Publishes a stream of pageviews and ratings at a given rate."),
          new Template(
              "stream-ingest",
              "dev.fakelake.pipelines.StreamIngestPipeline",
              "Captures, enriches and aggregates the pageview and rating stream."));

  private FlexTemplates() {}

  /** The template of this name. */
  public static Template named(String name) {
    return ALL.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No flex template named " + name));
  }

  /** The templates whose pipelines are on the classpath. */
  public static List<Template> available() {
    return ALL.stream().filter(Template::isAvailable).toList();
  }
}
