package dev.fakelake.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.options.Validation;
import org.junit.jupiter.api.Test;

class TemplateMetadataTest {

  enum Colour {
    RED,
    GREEN
  }

  /** Shared options, as FakelakeOptions is. */
  public interface SharedOptions extends PipelineOptions {
    @Description("Where the lake is.")
    @Default.String("./lake")
    String getLake();

    void setLake(String value);
  }

  /** A pipeline's options, also extending one of Beam's own interfaces. */
  public interface SampleOptions extends SharedOptions, StreamingOptions {
    @Description("Rows per second.")
    @Default.Double(1.5)
    double getRate();

    void setRate(double value);

    @Description("How many.")
    @Validation.Required
    Long getLimit();

    void setLimit(Long value);

    @Description("Whether to.")
    @Default.Boolean(false)
    boolean isDryRun();

    void setDryRun(boolean value);

    @Description("A colour.")
    @Default.Enum("RED")
    Colour getColour();

    void setColour(Colour value);

    @Description("URL of the BigQuery JDBC endpoint.")
    String getBigQueryJdbcUrl();

    void setBigQueryJdbcUrl(String value);

    @Hidden
    @Description("Internal.")
    String getSecretKnob();

    void setSecretKnob(String value);

    String getUndescribed();

    void setUndescribed(String value);
  }

  private static Map<String, TemplateMetadata.Parameter> parametersOf(
      Class<? extends PipelineOptions> options) {
    return TemplateMetadata.parameters(options).stream()
        .collect(Collectors.toMap(TemplateMetadata.Parameter::name, Function.identity()));
  }

  @Test
  void ownOptionsAndInheritedOwnOptionsAreParametersButBeamOnesAreNot() {
    Map<String, TemplateMetadata.Parameter> parameters = parametersOf(SampleOptions.class);

    assertEquals(
        List.of("bigQueryJdbcUrl", "colour", "dryRun", "lake", "limit", "rate"),
        parameters.keySet().stream().sorted().toList());
  }

  @Test
  void helpTextIsTheDescriptionAndOnlyRequiredOptionsAreMandatory() {
    Map<String, TemplateMetadata.Parameter> parameters = parametersOf(SampleOptions.class);

    assertEquals("How many.", parameters.get("limit").helpText());
    assertFalse(parameters.get("limit").isOptional());
    assertTrue(parameters.get("rate").isOptional());
    assertTrue(parameters.get("bigQueryJdbcUrl").isOptional());
  }

  @Test
  void regexesFollowTheOptionType() {
    Map<String, TemplateMetadata.Parameter> parameters = parametersOf(SampleOptions.class);

    assertEquals(List.of(TemplateMetadata.NUMBER_REGEX), parameters.get("rate").regexes());
    assertEquals(List.of(TemplateMetadata.INTEGER_REGEX), parameters.get("limit").regexes());
    assertEquals(List.of(TemplateMetadata.BOOLEAN_REGEX), parameters.get("dryRun").regexes());
    assertEquals(List.of("^(RED|GREEN)$"), parameters.get("colour").regexes());
    assertEquals(List.of(), parameters.get("lake").regexes());
  }

  @Test
  void labelsSpellProductNamesAndUnits() {
    assertEquals("BigQuery JDBC URL", TemplateMetadata.label("bigQueryJdbcUrl"));
    assertEquals("Latency cap (ms)", TemplateMetadata.label("latencyCapMs"));
    assertEquals("Pub/Sub topic", TemplateMetadata.label("pubsubTopic"));
    assertEquals("Lake", TemplateMetadata.label("lake"));
  }
}
