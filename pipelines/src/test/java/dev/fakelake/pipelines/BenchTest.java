package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's table: a row per stage, the runners side by side, rates against the loop. */
class BenchTest {

  private static final Bench.Measured<Long> LOOP = new Bench.Measured<>(100_000L, 0.5, 0);

  @Test
  void eachStageIsOneRowWithEveryTargetSideBySide() {
    String table =
        Bench.render(
            "the main job's stages at scale 1.0",
            LOOP,
            List.of(
                new Bench.Row("generate", "DirectRunner", 131_646, 6.5, 300L << 20),
                new Bench.Row("ingest", "DirectRunner", 132_763, 13.0, 500L << 20),
                new Bench.Row("generate", "FlinkRunner [local]", 131_646, 13.2, 400L << 20),
                new Bench.Row("ingest", "FlinkRunner [local]", 132_763, 10.0, 600L << 20)));
    List<String> lines = table.lines().filter(l -> l.startsWith("|")).toList();
    assertEquals(4, lines.size(), table);
    assertTrue(
        lines.get(0).contains("DirectRunner: records")
            && lines.get(0).indexOf("DirectRunner") < lines.get(0).indexOf("FlinkRunner [local]"),
        lines.get(0));
    assertTrue(
        lines
            .get(2)
            .matches(
                "\\| generate +\\| 131,646 \\| 6.5 \\| 20,253 \\| 0.10x \\| 300 \\|"
                    + " 131,646 \\| 13.2 \\| 9,973 \\| 0.05x \\| 400 \\|"),
        lines.get(2));
    assertTrue(lines.get(3).startsWith("| ingest "), lines.get(3));
    assertTrue(table.contains("100,000 pageviews in 0.5 s, 200,000 records/s"), table);
  }

  @Test
  void aStageATargetDidNotRunIsShownAsMissing() {
    String table =
        Bench.render(
            "generation of 1 pageviews",
            LOOP,
            List.of(
                new Bench.Row("generate", "DirectRunner", 1, 1.0, 0),
                new Bench.Row("stream burst (messages)", "FlinkRunner [local]", 10, 1.0, 0)));
    assertTrue(
        table.contains(
            "| stream burst (messages)    | — | — | — | — | — | 10 | 1.0 | 10 | — | 0 |"),
        table);
  }
}
