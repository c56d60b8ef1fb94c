package dev.fakelake.terraform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The root module as the HCL2 parser saw it: the report that src/test/node/parse-terraform.mjs
 * writes (each file's parsed JSON, its text, its text as terraform fmt formats it, and every
 * reference in every expression), with lookups across files.
 */
final class TerraformConfig {

  /** One block of the configuration, e.g. resource google_storage_bucket.lake, and its file. */
  record Block(String file, String type, String name, JsonNode body) {
    String address() {
      return type + "." + name;
    }
  }

  /** A reference found in an expression, e.g. var.region or google_storage_bucket.lake.name. */
  record Reference(String file, String value, String expression) {}

  final JsonNode report;

  private TerraformConfig(JsonNode report) {
    this.report = report;
  }

  static TerraformConfig load() {
    String path = System.getProperty("terraform.report", "target/terraform.json");
    try {
      return new TerraformConfig(new ObjectMapper().readTree(Path.of(path).toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("Run the build: the parse step writes " + path, e);
    }
  }

  List<String> files() {
    List<String> files = new ArrayList<>();
    report.get("files").fieldNames().forEachRemaining(files::add);
    return files;
  }

  String text(String file) {
    return report.get("files").get(file).get("text").asText();
  }

  String formatted(String file) {
    return report.get("files").get(file).get("formatted").asText();
  }

  /** Blocks of a top-level kind with two labels: resource TYPE NAME or data TYPE NAME. */
  List<Block> blocks(String kind) {
    List<Block> blocks = new ArrayList<>();
    for (String file : files()) {
      JsonNode section = report.get("files").get(file).get("parsed").get(kind);
      if (section == null) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> types = section.fields(); types.hasNext(); ) {
        Map.Entry<String, JsonNode> type = types.next();
        for (Iterator<Map.Entry<String, JsonNode>> names = type.getValue().fields();
            names.hasNext(); ) {
          Map.Entry<String, JsonNode> name = names.next();
          for (JsonNode body : name.getValue()) {
            blocks.add(new Block(file, type.getKey(), name.getKey(), body));
          }
        }
      }
    }
    return blocks;
  }

  List<Block> resources(String type) {
    return blocks("resource").stream().filter(b -> b.type().equals(type)).toList();
  }

  /** Blocks of a top-level kind with one label: variable NAME, output NAME, module NAME. */
  Map<String, Block> named(String kind) {
    Map<String, Block> blocks = new LinkedHashMap<>();
    for (String file : files()) {
      JsonNode section = report.get("files").get(file).get("parsed").get(kind);
      if (section == null) {
        continue;
      }
      section
          .fields()
          .forEachRemaining(
              e ->
                  e.getValue()
                      .forEach(b -> blocks.put(e.getKey(), new Block(file, kind, e.getKey(), b))));
    }
    return blocks;
  }

  /** Every local value, by name, across all locals blocks. */
  Map<String, JsonNode> locals() {
    Map<String, JsonNode> locals = new LinkedHashMap<>();
    for (String file : files()) {
      JsonNode section = report.get("files").get(file).get("parsed").get("locals");
      if (section == null) {
        continue;
      }
      for (JsonNode block : section) {
        block.fields().forEachRemaining(e -> locals.put(e.getKey(), e.getValue()));
      }
    }
    return locals;
  }

  /** The terraform blocks (required_version, required_providers). */
  List<JsonNode> terraformBlocks() {
    List<JsonNode> blocks = new ArrayList<>();
    for (String file : files()) {
      JsonNode section = report.get("files").get(file).get("parsed").get("terraform");
      if (section != null) {
        section.forEach(blocks::add);
      }
    }
    return blocks;
  }

  List<Reference> references() {
    List<Reference> references = new ArrayList<>();
    for (JsonNode r : report.get("references")) {
      references.add(
          new Reference(
              r.get("file").asText(), r.get("reference").asText(), r.get("expression").asText()));
    }
    return references;
  }

  /** Every string value anywhere in the configuration, with the file it is in. */
  Map<String, List<String>> strings() {
    Map<String, List<String>> strings = new LinkedHashMap<>();
    for (String file : files()) {
      List<String> out = new ArrayList<>();
      collect(report.get("files").get(file).get("parsed"), out);
      strings.put(file, out);
    }
    return strings;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.asText());
    } else {
      node.forEach(child -> collect(child, out));
    }
  }

  /** The first element of a nested block list: hcl2json gives every nested block as a list. */
  static JsonNode block(JsonNode body, String name) {
    JsonNode value = body.get(name);
    return value != null && value.isArray() && value.size() > 0 ? value.get(0) : value;
  }
}
