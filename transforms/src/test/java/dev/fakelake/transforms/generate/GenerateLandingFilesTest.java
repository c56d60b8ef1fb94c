package dev.fakelake.transforms.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.Entity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class GenerateLandingFilesTest {

  @Test
  void landsEveryRecordPlusDuplicatesAndReturnsTheTruth(TestPipeline pipeline, @TempDir Path lake)
      throws Exception {
    GenerationSpec spec = GenerationSpec.defaults(1).count(Entity.PAGEVIEWS, 45_000).build();
    String folder = lake.resolve("pageviews").toString();

    PCollection<Defect> truth =
        pipeline.apply(GenerateLandingFiles.of(spec, Entity.PAGEVIEWS, folder));
    List<Defect> expectedTruth = new ArrayList<>();
    List<String> expected = ExpectedLines.of(spec, Entity.PAGEVIEWS, expectedTruth);
    PAssert.that(truth).containsInAnyOrder(expectedTruth);
    pipeline.run().waitUntilFinish();

    List<Path> files;
    try (Stream<Path> list = Files.list(lake.resolve("pageviews"))) {
      files = list.sorted().toList();
    }
    assertEquals(
        List.of("pageviews-00000.jsonl", "pageviews-00001.jsonl", "pageviews-00002.jsonl"),
        files.stream().map(p -> p.getFileName().toString()).toList());
    List<String> landed = new ArrayList<>();
    for (Path file : files) {
      landed.addAll(Files.readAllLines(file));
    }
    assertEquals(expected, landed);
  }

  @Test
  void writesOneJsonFilePerProduct(TestPipeline pipeline, @TempDir Path lake) throws Exception {
    GenerationSpec spec = GenerationSpec.defaults(1).count(Entity.PRODUCTS, 1_234).build();

    pipeline.apply(
        GenerateLandingFiles.of(spec, Entity.PRODUCTS, lake.resolve("products").toString()));
    pipeline.run().waitUntilFinish();

    try (Stream<Path> list = Files.list(lake.resolve("products"))) {
      List<String> names = list.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(1_234, names.size());
      assertEquals("product-000001.json", names.get(0));
      assertEquals("product-001234.json", names.get(1_233));
    }
  }
}
