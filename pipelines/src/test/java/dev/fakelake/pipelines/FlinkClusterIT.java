package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.ingest.SourceSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch stages on a real Flink session cluster: a JobManager and two TaskManagers, each its own
 * process, started as {@code ./fakelake cluster start} starts them. The same seed gives the same
 * lake as on the Direct runner; a job whose busy TaskManager is killed ({@code kill -9}) still ends
 * with exactly that lake; and a job that loses every TaskManager fails within a bounded time with a
 * clear message, leaving its batch uncommitted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {

  /** The data set every generate of the test lands: small, as the Direct runner is slow. */
  private static final String[] DATA_SET = {"--seed=7", "--scale=0.05", "--pageviews=3000"};

  @TempDir static Path work;
  private static FlinkCluster.Running cluster;
  private static Path directLake;
  // What generate landed on the Direct runner, taken before ingest archives the landing files.
  private static Map<String, List<String>> directLanded;

  @BeforeAll
  static void startClusterAndRunDirect() throws Exception {
    FlinkCluster.Options options =
        PipelineOptionsFactory.fromArgs(
                "--lake=" + work.resolve("cluster"),
                "--taskmanagers=2",
                "--slots=2",
                "--restPort=0",
                "--taskmanagerMemory=2048m")
            .as(FlinkCluster.Options.class);
    cluster = FlinkCluster.start(options);
    directLake = work.resolve("direct");
    run("generate", directLake, "--runner=DirectRunner");
    directLanded = GenerateEndToEndIT.landed(directLake);
    run("ingest", directLake, "--runner=DirectRunner");
    run("curate", directLake, "--runner=DirectRunner");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      FlinkCluster.stop(cluster.home());
    }
  }

  @Test
  @Order(1)
  void generateIngestAndCurateGiveTheSameLakeAsTheDirectRunner() throws Exception {
    Path lake = work.resolve("on-cluster");
    run("generate", lake, onCluster());
    assertSameLanding(GenerateEndToEndIT.landed(lake));

    run("ingest", lake, onCluster());
    for (SourceSpec source : SourcesFile.load("")) {
      assertEquals(
          IngestPipelineIT.bronzeContent(directLake, source.name()),
          IngestPipelineIT.bronzeContent(lake, source.name()),
          "bronze/" + source.name());
    }

    run("curate", lake, onCluster());
    assertEquals(List.of(), tablesDiffering(lake, directLake));
  }

  @Test
  @Order(2)
  void generateSurvivesKillingItsBusyTaskManager() throws Exception {
    Path lake = work.resolve("killed-worker");
    CompletableFuture<Integer> generate = inBackground("generate", lake, onCluster());
    String job = awaitRunningJob(generate);
    String busy = busyTaskManagers(job).get(0);
    kill(busy);

    assertEquals(0, (int) generate.get(), "generate failed after losing " + busy);
    assertFalse(
        FlinkCluster.get(cluster.restAddress(), "/jobs/" + job + "/exceptions")
            .path("exceptionHistory")
            .path("entries")
            .isEmpty(),
        "the job never noticed the kill, so the test proved nothing");
    assertSameLanding(GenerateEndToEndIT.landed(lake));
  }

  @Test
  @Order(3)
  void ingestWithNoTaskManagerLeftFailsInBoundedTimeAndCommitsNothing() throws Exception {
    Path lake = work.resolve("no-worker");
    run("generate", lake, "--runner=DirectRunner");
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    PrintStream standardError = System.err;
    CompletableFuture<Integer> ingest;
    long killed;
    System.setErr(new PrintStream(errors, true));
    try {
      ingest = inBackground("ingest", lake, onCluster());
      String job = awaitRunningJob(ingest);
      for (String taskManager : cluster.taskManagers().keySet()) {
        if (ProcessHandle.of(cluster.taskManagers().get(taskManager)).isPresent()) {
          kill(taskManager);
        }
      }
      killed = System.nanoTime();
      assertEquals(1, (int) ingest.get(), "ingest should fail with no TaskManager left");
      assertNotNull(job);
    } finally {
      System.setErr(standardError);
    }
    Duration failedAfter = Duration.ofNanos(System.nanoTime() - killed);
    System.err.print(errors);

    assertTrue(
        failedAfter.compareTo(Duration.ofMinutes(3)) < 0,
        "the job took " + failedAfter + " to fail");
    String message = errors.toString();
    assertTrue(message.contains("fakelake ingest"), message);
    assertTrue(message.contains("Flink cluster at " + cluster.restAddress()), message);
    IngestLedger ledger = IngestLedger.open(lake.toString());
    assertEquals(java.util.Set.of(), ledger.committedBatchIds());
    assertNotNull(ledger.pending(), "the failed batch is left pending, for a rerun to redo");
    // Nothing downstream takes the unfinished batch for a complete one.
    errors.reset();
    System.setErr(new PrintStream(errors, true));
    try {
      assertEquals(1, Fakelake.execute(args("curate", lake, "--runner=DirectRunner")));
    } finally {
      System.setErr(standardError);
    }
    assertTrue(errors.toString().contains("did not finish"), errors.toString());

    // Rerunning resumes: the batch is redone and bronze is exactly what it should be.
    run("ingest", lake, "--runner=DirectRunner");
    for (SourceSpec source : SourcesFile.load("")) {
      assertEquals(
          IngestPipelineIT.bronzeContent(directLake, source.name()),
          IngestPipelineIT.bronzeContent(lake, source.name()),
          "bronze/" + source.name());
    }
  }

  /** Compares a landing with the Direct runner's, naming the parts that differ. */
  private static void assertSameLanding(Map<String, List<String>> landed) {
    List<String> differing = new ArrayList<>();
    for (String part : new java.util.TreeSet<>(directLanded.keySet())) {
      if (!directLanded.get(part).equals(landed.get(part))) {
        differing.add(
            part
                + " ("
                + directLanded.get(part).size()
                + " lines on Direct, "
                + (landed.containsKey(part) ? landed.get(part).size() : "none")
                + " on the cluster)");
      }
    }
    landed.keySet().stream()
        .filter(part -> !directLanded.containsKey(part))
        .forEach(part -> differing.add(part + " (only on the cluster)"));
    assertEquals(List.of(), differing, "what generate landed differs from the Direct runner's");
  }

  private static String[] onCluster() {
    return new String[] {"--runner=FlinkRunner", "--flinkMaster=" + cluster.restAddress()};
  }

  private static String[] args(String command, Path lake, String... more) {
    List<String> all = new ArrayList<>(List.of(command, "--lake=" + lake));
    if (command.equals("generate")) {
      all.addAll(List.of(DATA_SET));
    }
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static void run(String command, Path lake, String... more) {
    String[] all = args(command, lake, more);
    assertEquals(0, Fakelake.execute(all), String.join(" ", all));
  }

  private static CompletableFuture<Integer> inBackground(
      String command, Path lake, String... more) {
    return CompletableFuture.supplyAsync(() -> Fakelake.execute(args(command, lake, more)));
  }

  /** Waits until a job of the cluster has a running task; returns its id. */
  private static String awaitRunningJob(CompletableFuture<Integer> command)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline && !command.isDone()) {
      for (JsonNode job : FlinkCluster.get(cluster.restAddress(), "/jobs/overview").path("jobs")) {
        if (job.path("state").asText().equals("RUNNING")
            && job.path("tasks").path("running").asInt() > 0) {
          return job.path("jid").asText();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no job of the command started running on the cluster");
  }

  /** The TaskManagers running tasks of a job. */
  private static List<String> busyTaskManagers(String job) {
    List<String> busy = new ArrayList<>();
    for (JsonNode vertex :
        FlinkCluster.get(cluster.restAddress(), "/jobs/" + job).path("vertices")) {
      String path = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/taskmanagers";
      for (JsonNode taskManager :
          FlinkCluster.get(cluster.restAddress(), path).path("taskmanagers")) {
        String id = taskManager.path("taskmanager-id").asText();
        if (taskManager.path("status").asText().equals("RUNNING") && !busy.contains(id)) {
          busy.add(id);
        }
      }
    }
    assertFalse(busy.isEmpty(), "no TaskManager runs a task of job " + job);
    return busy;
  }

  /** {@code kill -9} of one of the cluster's TaskManagers, by the process id start recorded. */
  private static void kill(String taskManager) throws Exception {
    long pid = cluster.taskManagers().get(taskManager);
    Process kill = new ProcessBuilder("kill", "-9", String.valueOf(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -9 " + pid);
    ProcessHandle.of(pid).ifPresent(process -> process.onExit().join());
  }

  /** The curated tables whose rows differ between two lakes' warehouses. */
  private static List<String> tablesDiffering(Path lake, Path reference) throws SQLException {
    List<String> differing = new ArrayList<>();
    try (Connection warehouse = DuckDbWarehouse.open(lake.toString());
        Statement statement = warehouse.createStatement()) {
      statement.execute(
          "ATTACH '" + DuckDbWarehouse.file(reference.toString()) + "' AS reference (READ_ONLY)");
      for (WarehouseTable table : CuratePipeline.curatedTables()) {
        String name = table.qualifiedName();
        String sql =
            "SELECT count(*) FROM ((SELECT * FROM %s EXCEPT ALL SELECT * FROM reference.%s)"
                + " UNION ALL (SELECT * FROM reference.%s EXCEPT ALL SELECT * FROM %s))";
        try (ResultSet result =
            statement.executeQuery(String.format(sql, name, name, name, name))) {
          result.next();
          if (result.getLong(1) > 0) {
            differing.add(name + " (" + result.getLong(1) + " rows differ)");
          }
        }
      }
    }
    return differing;
  }
}
