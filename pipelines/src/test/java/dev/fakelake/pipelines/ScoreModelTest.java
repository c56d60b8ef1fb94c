package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The score command: a saved model scores warehouse rows and files of new rows. */
class ScoreModelTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path lake;

  private ScoreModel.Summary score(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--lake=" + lake;
    System.arraycopy(args, 0, all, 1, args.length);
    return ScoreModel.run(PipelineOptionsFactory.fromArgs(all).as(ScoreModel.Options.class), QUIET);
  }

  private void train() {
    TrainModel.run(
        PipelineOptionsFactory.fromArgs("--lake=" + lake, "--force").as(TrainModel.Options.class),
        QUIET);
  }

  private static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lines.add(MAPPER.readTree(line));
    }
    return lines;
  }

  @BeforeEach
  void warehouse() throws Exception {
    FeatureTableFixture.insert(lake.toString(), FeatureTableFixture.rows(1, 400, 5));
  }

  @Test
  void scoresNewRowsFromAFileWithTheSavedModel() throws Exception {
    train();
    List<Map<String, Object>> fresh = FeatureTableFixture.rows(50_000, 30, 6);
    Path input = lake.resolve("new-orders.jsonl");
    StringBuilder text = new StringBuilder();
    for (Map<String, Object> row : fresh) {
      Map<String, Object> unlabelled = new java.util.LinkedHashMap<>(row);
      unlabelled.remove(FeatureRows.LABEL);
      unlabelled.put("order_date", row.get("order_date").toString());
      text.append(MAPPER.writeValueAsString(unlabelled)).append('\n');
    }
    Files.writeString(input, text.toString());
    Path output = lake.resolve("out/predictions.jsonl");

    ScoreModel.Summary summary = score("--input=" + input, "--output=" + output);

    double[] expected =
        OrderValueModel.load(lake.resolve("models/order_value/v1"))
            .predict(FeatureTableFixture.featureRows(fresh));
    List<JsonNode> lines = lines(output);
    assertEquals(30, summary.rows());
    assertEquals(0, summary.labelled().rows());
    assertArrayEquals(
        expected,
        lines.stream().mapToDouble(l -> l.get(ScoreModel.PREDICTION).asDouble()).toArray(),
        0.0);
    assertEquals(50_000, lines.get(0).get(FeatureRows.ID).asLong());
    assertEquals("v1", lines.get(0).get("model_version").asText());
    assertFalse(lines.get(0).has(FeatureRows.LABEL));
    double[] actual =
        fresh.stream()
            .mapToDouble(r -> ((Number) r.get(FeatureRows.LABEL)).doubleValue())
            .toArray();
    assertTrue(RegressionMetrics.of(actual, expected).r2() > 0.9999);
  }

  @Test
  void scoresTheWarehouseRowsWithTheNewestVersionByDefault() throws Exception {
    train();
    train();

    ScoreModel.Summary summary = score();

    assertEquals("v2", summary.version());
    assertEquals(400, summary.rows());
    assertEquals(400, summary.labelled().rows());
    assertTrue(summary.labelled().r2() > 0.9999, "R² " + summary.labelled().r2());
    assertTrue(summary.output().startsWith(lake.resolve("models/order_value/v2/predictions")));
    assertEquals(400, lines(summary.output()).size());
    assertEquals("v1", score("--modelVersion=v1").version());
  }

  @Test
  void scoringBeforeAnyTrainingIsAClearError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, this::score);

    assertTrue(error.getMessage().contains("run ./fakelake train first"), error.getMessage());
  }

  @Test
  void anUnknownVersionIsAClearErrorListingTheVersions() {
    train();

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> score("--modelVersion=v9"));

    assertTrue(error.getMessage().contains("No model version v9"), error.getMessage());
    assertTrue(error.getMessage().contains("versions: v1"), error.getMessage());
  }

  @Test
  void aRowWithoutAFeatureIsAClearErrorNamingTheLine() throws Exception {
    train();
    Path input = lake.resolve("bad.jsonl");
    Files.writeString(input, "\n{\"order_id\": 7, \"units\": 2}\n");

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> score("--input=" + input));

    assertTrue(
        error.getMessage().contains("bad.jsonl line 2 has no value for"), error.getMessage());
  }
}
