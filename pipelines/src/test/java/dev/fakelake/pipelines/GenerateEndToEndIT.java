package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole generate command on the Direct runner and on Flink's local cluster, at two
 * parallelisms: the landing zone, the ground truth and the source database must be identical.
 */
class GenerateEndToEndIT {

  private static final String[] COMMON = {"--scale=0.2", "--seed=2026", "--locale=cs"};

  private static Map<String, List<String>> generate(Path lake, String... runnerArgs)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("generate", "--lake=" + lake));
    args.addAll(List.of(COMMON));
    args.addAll(List.of(runnerArgs));
    assertEquals(0, Fakelake.execute(args.toArray(String[]::new)), "generate failed");
    return landed(lake);
  }

  /**
   * What generate landed in a lake, comparable across runs and runners: each landing file's lines
   * and each truth folder's lines, sorted, and the rows of the source tables.
   */
  static Map<String, List<String>> landed(Path lake) throws Exception {
    Map<String, List<String>> content = new TreeMap<>();
    for (String zone : List.of("landing", "_truth")) {
      try (Stream<Path> files = Files.walk(lake.resolve(zone))) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          // Truth shards are runner-determined; compare per entity folder, lines sorted.
          String key =
              zone.equals("_truth")
                  ? lake.relativize(file.getParent()).toString()
                  : lake.relativize(file).toString();
          content.computeIfAbsent(key, k -> new ArrayList<>()).addAll(lines(file));
        }
      }
    }
    content.values().forEach(lines -> lines.sort(null));
    try (SourceDatabase database = SourceDatabase.startEmbedded(lake.toString());
        Connection connection = database.open()) {
      for (String table :
          List.of(GeneratePipeline.ORDERS_TABLE, GeneratePipeline.ORDER_ITEMS_TABLE)) {
        List<String> rows = new ArrayList<>();
        try (ResultSet result =
            connection.createStatement().executeQuery("SELECT t::text FROM " + table + " t")) {
          while (result.next()) {
            rows.add(result.getString(1));
          }
        }
        rows.sort(null);
        content.put(table, rows);
      }
    }
    return content;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void directAndFlinkLandTheSameDataAtAnyParallelism(@TempDir Path work) throws Exception {
    Map<String, List<String>> direct =
        generate(work.resolve("direct"), "--runner=DirectRunner", "--targetParallelism=3");
    Map<String, List<String>> flinkOne =
        generate(work.resolve("flink1"), "--runner=FlinkRunner", "--parallelism=1");
    Map<String, List<String>> flinkTwo =
        generate(work.resolve("flink2"), "--runner=FlinkRunner", "--parallelism=2");

    assertTrue(direct.get("landing/customers/customers-00000.jsonl").size() >= 400);
    assertTrue(direct.get(GeneratePipeline.ORDERS_TABLE).size() == 1_000);
    assertEquals(direct.keySet(), flinkOne.keySet());
    for (String part : direct.keySet()) {
      assertEquals(direct.get(part), flinkOne.get(part), part + " differs on Flink, parallelism 1");
      assertEquals(direct.get(part), flinkTwo.get(part), part + " differs on Flink, parallelism 2");
    }
  }

  @Test
  void generatingAgainIntoTheSameLakeReplacesRatherThanAdds(@TempDir Path work) throws Exception {
    Map<String, List<String>> first = generate(work.resolve("lake"));
    Map<String, List<String>> second = generate(work.resolve("lake"));

    assertEquals(first, second);
  }
}
