package dev.fakelake.pipelines.dataform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.pipelines.CheckoutFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Dataform CLI that the {@code dataform} Maven module installs ({@code
 * dataform/node_modules/.bin/dataform}) to compile a project for one warehouse, and reads the
 * compiled graph. A compilation error becomes an {@link IllegalArgumentException} naming each
 * failing file.
 *
 * <pre>{@code
 * CompiledGraph graph = DataformCli.compile(DataformCli.locate(""), "duckdb");
 * }</pre>
 */
public final class DataformCli {

  /** The file that marks a Dataform project folder. */
  static final String SETTINGS = "workflow_settings.yaml";

  private static final long TIMEOUT_SECONDS = 120;
  private static final ObjectMapper JSON = new ObjectMapper();

  private DataformCli() {}

  /**
   * The Dataform project folder: {@code option} when it is not empty, else the {@code dataform}
   * folder of the fakelake checkout this code runs from (or, failing that, of the working directory
   * or one of its parents).
   */
  public static Path locate(String option) {
    if (option != null && !option.isEmpty()) {
      Path dir = Path.of(option).toAbsolutePath().normalize();
      if (!Files.isRegularFile(dir.resolve(SETTINGS))) {
        throw new IllegalArgumentException(
            "--dataformDir=" + option + " is not a Dataform project: it has no " + SETTINGS);
      }
      return dir;
    }
    return CheckoutFiles.find("dataform/" + SETTINGS)
        .map(Path::getParent)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Cannot find the Dataform project (a dataform/ folder with "
                        + SETTINGS
                        + ") above "
                        + CheckoutFiles.searchedFrom()
                        + ": pass --dataformDir=PATH"));
  }

  /** The CLI installed in the project's {@code node_modules}. */
  static Path executable(Path projectDir) {
    Path cli = projectDir.resolve("node_modules").resolve(".bin").resolve("dataform");
    if (!Files.isExecutable(cli)) {
      throw new IllegalArgumentException(
          "The Dataform CLI is not installed at "
              + cli
              + ": build the project once (mvn -B package -DskipTests), or run npm ci in "
              + projectDir);
    }
    return cli;
  }

  /**
   * Compiles the project with {@code --vars=engine=ENGINE}.
   *
   * @throws IllegalArgumentException when the project does not compile, naming each failing file
   */
  public static CompiledGraph compile(Path projectDir, String engine) {
    Path cli = executable(projectDir);
    List<String> command =
        List.of(
            cli.toString(), "compile", projectDir.toString(), "--json", "--vars=engine=" + engine);
    Process process;
    try {
      process = new ProcessBuilder(command).directory(projectDir.toFile()).start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + cli + " (is Node.js installed?)", e);
    }
    CompletableFuture<String> stdout = readAsync(process.getInputStream());
    CompletableFuture<String> stderr = readAsync(process.getErrorStream());
    int exit;
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "dataform compile did not finish within " + TIMEOUT_SECONDS + " s");
      }
      exit = process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while compiling the Dataform project", e);
    }
    String out = stdout.join();
    List<String> errors = compilationErrors(out);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          "The Dataform project "
              + projectDir
              + " does not compile for "
              + engine
              + ":\n  "
              + String.join("\n  ", errors));
    }
    if (exit != 0) {
      throw new IllegalStateException(
          "dataform compile failed (exit " + exit + "): " + stderr.join().strip());
    }
    return CompiledGraph.parse(out);
  }

  /** {@code FILE: MESSAGE} for each compilation error the CLI reported in its JSON. */
  static List<String> compilationErrors(String json) {
    List<String> errors = new ArrayList<>();
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      return errors;
    }
    if (root == null) {
      return errors;
    }
    for (JsonNode error : root.path("graphErrors").path("compilationErrors")) {
      String file = error.path("fileName").asText("");
      String message = error.path("message").asText("").strip();
      errors.add((file.isEmpty() ? "(project)" : file) + ": " + message);
    }
    return errors;
  }

  private static CompletableFuture<String> readAsync(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (InputStream in = stream) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
