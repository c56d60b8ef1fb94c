package dev.fakelake.pipelines;

import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.ingest.SourceSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the sources file: one source per line, {@code name kind location entity [key=value ...]},
 * blank lines and {@code #} comments ignored. The default file ships with fakelake; {@code
 * --sources=PATH} names another.
 */
final class SourcesFile {

  static final String DEFAULT = "sources.conf";

  private SourcesFile() {}

  /** The sources of {@code path}, or of the bundled file when it is empty. */
  static List<SourceSpec> load(String path) {
    return path.isEmpty() ? parse(bundled(DEFAULT), DEFAULT) : parse(LakeFiles.read(path), path);
  }

  static List<SourceSpec> parse(String text, String origin) {
    List<SourceSpec> sources = new ArrayList<>();
    Set<String> names = new HashSet<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = origin + " line " + (i + 1) + ": ";
      String[] parts = line.split("\\s+");
      if (parts.length < 4) {
        throw new IllegalArgumentException(
            where + "expected 'name kind location entity [key=value ...]', got '" + line + "'");
      }
      String name = parts[0];
      if (!name.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException(
            where + "a source name is lower case letters, digits and _, got '" + name + "'");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(where + "source '" + name + "' is listed twice");
      }
      SourceSpec.Kind kind;
      Entity entity;
      try {
        kind = SourceSpec.Kind.parse(parts[1]);
        entity = Entity.fromTableName(parts[3]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
      Map<String, String> options = new LinkedHashMap<>();
      for (int p = 4; p < parts.length; p++) {
        int equals = parts[p].indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException(where + "expected key=value, got '" + parts[p] + "'");
        }
        options.put(parts[p].substring(0, equals), parts[p].substring(equals + 1));
      }
      sources.add(new SourceSpec(name, kind, parts[2], entity, Map.copyOf(options)));
    }
    if (sources.isEmpty()) {
      throw new IllegalArgumentException(origin + " lists no sources");
    }
    return List.copyOf(sources);
  }

  static String bundled(String name) {
    try (InputStream in = SourcesFile.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("The bundled " + name + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
