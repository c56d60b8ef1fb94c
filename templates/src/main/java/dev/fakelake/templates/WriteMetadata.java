package dev.fakelake.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the metadata of every available flex template, and the index of templates, into a folder:
 * {@code templates/metadata/} in the repository, which the image build reads.
 *
 * <pre>{@code
 * mvn -B -q -pl templates -am test -Dtest=TemplateMetadataFilesTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtemplates.updateMetadata=true
 * }</pre>
 */
public final class WriteMetadata {

  static final String INDEX = "templates.tsv";

  private WriteMetadata() {}

  public static void main(String[] args) throws IOException {
    write(Path.of(args.length > 0 ? args[0] : "templates/metadata"));
  }

  /** Replaces the folder's metadata files with those of the available templates. */
  public static void write(Path folder) throws IOException {
    Files.createDirectories(folder);
    try (var files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        Files.delete(file);
      }
    }
    for (FlexTemplates.Template template : FlexTemplates.available()) {
      Files.writeString(
          folder.resolve(template.name() + ".json"),
          TemplateMetadata.json(template),
          StandardCharsets.UTF_8);
    }
    Files.writeString(folder.resolve(INDEX), TemplateMetadata.index(), StandardCharsets.UTF_8);
  }
}
