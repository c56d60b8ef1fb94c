package dev.fakelake.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed metadata under templates/metadata/ is what the pipelines' Options produce now, and
 * every parameter in it is an option Beam parses with the same rules as its regex.
 */
class TemplateMetadataFilesTest {

  private static final Path FOLDER =
      Path.of(System.getProperty("templates.metadataDir", "metadata"));

  private static final String HOW_TO_UPDATE =
      "Regenerate with: mvn -B -q -pl templates -am test -Dtest=TemplateMetadataFilesTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dtemplates.updateMetadata=true";

  @BeforeAll
  static void updateWhenAsked() throws IOException {
    if (Boolean.getBoolean("templates.updateMetadata")) {
      WriteMetadata.write(FOLDER);
    }
  }

  @Test
  void theBatchPipelinesHaveTemplates() {
    Set<String> available =
        FlexTemplates.available().stream()
            .map(FlexTemplates.Template::name)
            .collect(Collectors.toSet());

    assertTrue(available.containsAll(List.of("generate", "ingest", "curate")), available::toString);
  }

  @Test
  void committedMetadataIsWhatTheOptionsDescribe() throws IOException {
    for (FlexTemplates.Template template : FlexTemplates.available()) {
      Path file = FOLDER.resolve(template.name() + ".json");
      assertTrue(Files.exists(file), () -> file + " is missing. " + HOW_TO_UPDATE);

      assertEquals(
          TemplateMetadata.json(template),
          Files.readString(file, StandardCharsets.UTF_8),
          () -> file + " disagrees with " + template.mainClass() + ".Options. " + HOW_TO_UPDATE);
    }
  }

  @Test
  void committedIndexListsExactlyTheAvailableTemplates() throws IOException {
    Set<String> files;
    try (var list = Files.list(FOLDER)) {
      files =
          list.map(f -> f.getFileName().toString())
              .filter(f -> f.endsWith(".json"))
              .map(f -> f.substring(0, f.length() - ".json".length()))
              .collect(Collectors.toCollection(TreeSet::new));
    }

    assertEquals(
        TemplateMetadata.index(),
        Files.readString(FOLDER.resolve(WriteMetadata.INDEX), StandardCharsets.UTF_8),
        HOW_TO_UPDATE);
    assertEquals(
        FlexTemplates.available().stream()
            .map(FlexTemplates.Template::name)
            .collect(Collectors.toCollection(TreeSet::new)),
        files,
        () -> "metadata/ holds files of templates that are not available. " + HOW_TO_UPDATE);
  }

  @Test
  void everyParameterIsAnOptionBeamParsesAsItsRegexSays() throws Exception {
    for (FlexTemplates.Template template : FlexTemplates.available()) {
      Class<? extends PipelineOptions> options = template.options().orElseThrow();
      for (TemplateMetadata.Parameter parameter : TemplateMetadata.parameters(options)) {
        String value = sampleValue(parameter.type());
        for (String regex : parameter.regexes()) {
          assertTrue(Pattern.matches(regex, value), parameter.name() + ": " + value);
        }

        PipelineOptions parsed =
            PipelineOptionsFactory.fromArgs("--" + parameter.name() + "=" + value).as(options);

        assertEquals(
            value,
            String.valueOf(getter(options, parameter.name()).invoke(parsed)),
            template.name());
        if (!parameter.regexes().isEmpty()) {
          assertFalse(Pattern.matches(parameter.regexes().get(0), "not-a-value"));
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  PipelineOptionsFactory.fromArgs("--" + parameter.name() + "=not-a-value")
                      .as(options),
              () ->
                  template.name()
                      + ": Beam accepts a value the regex of "
                      + parameter.name()
                      + " rejects");
        }
      }
    }
  }

  private static String sampleValue(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "7";
    }
    if (type == double.class || type == Double.class) {
      return "0.25";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true";
    }
    if (type.isEnum()) {
      return ((Enum<?>) type.getEnumConstants()[0]).name();
    }
    return "gs://bucket/path";
  }

  private static Method getter(Class<?> options, String name) throws NoSuchMethodException {
    String property = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    try {
      return options.getMethod("get" + property);
    } catch (NoSuchMethodException e) {
      return options.getMethod("is" + property);
    }
  }
}
