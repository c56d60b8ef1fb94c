package dev.fakelake.pipelines;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Files of the fakelake checkout a command runs from, such as the Dataform project or the Flink
 * cluster's classpath: looked for above this code's location, then above the working directory.
 */
public final class CheckoutFiles {

  private CheckoutFiles() {}

  /** The first file at {@code relativePath} in a folder above one of {@link #searchedFrom()}. */
  public static Optional<Path> find(String relativePath) {
    for (Path start : searchedFrom()) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve(relativePath);
        if (Files.isRegularFile(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Where {@link #find} starts looking: this code's location, then the working directory. */
  public static List<Path> searchedFrom() {
    List<Path> starts = new ArrayList<>();
    try {
      starts.add(
          Path.of(CheckoutFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath());
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // No code location (an unusual class loader): the working directory still works.
    }
    starts.add(Path.of("").toAbsolutePath());
    return starts;
  }
}
