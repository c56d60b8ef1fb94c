package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versions of a model under {@code LAKE/models/<model>/}: one folder per training, {@code v1},
 * {@code v2}, ..., each with the model file and {@code model.json} (what it was trained on and how
 * well it did). A version appears whole or not at all: it is written to a staging folder and moved
 * into place.
 */
final class SavedModels {

  static final String METADATA_FILE = "model.json";

  private static final Pattern VERSION = Pattern.compile("v([1-9][0-9]*)");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path root;

  private SavedModels(Path root) {
    this.root = root;
  }

  /** The versions of {@code model} in a local lake folder. */
  static SavedModels of(String lake, String model) {
    return new SavedModels(
        DuckDbWarehouse.file(lake).getParent().normalize().resolve("models").resolve(model));
  }

  Path root() {
    return root;
  }

  Path folder(String version) {
    return root.resolve(version);
  }

  /** Every complete version, oldest first. */
  List<String> versions() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> versions = new ArrayList<>();
    try (Stream<Path> folders = Files.list(root)) {
      folders
          .filter(folder -> VERSION.matcher(folder.getFileName().toString()).matches())
          .filter(folder -> Files.isRegularFile(folder.resolve(METADATA_FILE)))
          .map(folder -> folder.getFileName().toString())
          .sorted(Comparator.comparingLong(SavedModels::number))
          .forEach(versions::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the models in " + root, e);
    }
    return versions;
  }

  Optional<String> newest() {
    List<String> versions = versions();
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  /** The version after the newest, counting incomplete folders too so none is overwritten. */
  String next() {
    long highest = 0;
    if (Files.isDirectory(root)) {
      try (Stream<Path> folders = Files.list(root)) {
        highest =
            folders
                .map(folder -> folder.getFileName().toString())
                .filter(name -> VERSION.matcher(name).matches())
                .mapToLong(SavedModels::number)
                .max()
                .orElse(0);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot list the models in " + root, e);
      }
    }
    return "v" + (highest + 1);
  }

  /** The metadata of a version. */
  JsonNode metadata(String version) {
    Path file = folder(version).resolve(METADATA_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "No model version "
              + version
              + " in "
              + root
              + (versions().isEmpty()
                  ? ": no model is trained yet; run ./fakelake train first."
                  : "; versions: " + String.join(", ", versions())));
    }
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** A new, empty staging folder for a version, beside the versions so a move is a rename. */
  Path stage(String version) {
    try {
      Files.createDirectories(root);
      return Files.createTempDirectory(root, "." + version + "-staging-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a staging folder in " + root, e);
    }
  }

  /** Writes a version's metadata into its staging folder. */
  static void writeMetadata(Path staging, JsonNode metadata) {
    try {
      MAPPER
          .writerWithDefaultPrettyPrinter()
          .writeValue(staging.resolve(METADATA_FILE).toFile(), metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the model metadata in " + staging, e);
    }
  }

  /** Moves a staged version into place; fails when that version appeared meanwhile. */
  Path publish(Path staging, String version) {
    Path target = folder(version);
    try {
      return Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot move the new model to " + target + " (is another training running?)", e);
    }
  }

  /** Deletes a staging folder that will not be published. */
  static void discard(Path staging) {
    if (!Files.exists(staging)) {
      return;
    }
    try (Stream<Path> files = Files.walk(staging)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the staging folder " + staging, e);
    }
  }

  private static long number(Path folder) {
    return number(folder.getFileName().toString());
  }

  private static long number(String version) {
    Matcher matcher = VERSION.matcher(version);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(version + " is not a model version like v1");
    }
    return Long.parseLong(matcher.group(1));
  }
}
