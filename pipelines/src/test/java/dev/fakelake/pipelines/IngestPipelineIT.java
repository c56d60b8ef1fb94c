package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.ingest.SourceSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest command end to end on a small generated lake with the embedded PostgreSQL: what lands
 * is read exactly once, into bronze or the dead letters, and archived; running again adds nothing;
 * tables are read incrementally; thresholds raise alerts; and a killed run resumes to the same
 * bronze as an uninterrupted one.
 */
class IngestPipelineIT {

  private static final String[] GENERATE = {
    "--seed=2027", "--scale=0.02", "--pageviews=400", "--ratings=100", "--carListings=60"
  };

  /** A lake generated and ingested once, in one uninterrupted run; tests only read it. */
  @TempDir static Path shared;

  private static Path lake;
  private static Map<String, Long> landed;
  private static Set<String> landedFiles;
  private static IngestPipeline.Summary summary;

  @BeforeAll
  static void generateAndIngestOnce() throws Exception {
    lake = shared.resolve("lake");
    generate(lake);
    landed = landedRecords(lake);
    landedFiles = files(lake.resolve("landing"));
    summary = ingest(lake);
  }

  private static void generate(Path lake) {
    List<String> args = new ArrayList<>(List.of("generate", "--lake=" + lake));
    args.addAll(List.of(GENERATE));
    assertEquals(0, Fakelake.execute(args.toArray(String[]::new)), "generate failed");
  }

  private static IngestPipeline.Summary ingest(Path lake) {
    return IngestPipeline.run(
        PipelineOptionsFactory.fromArgs("--lake=" + lake)
            .withValidation()
            .as(IngestPipeline.Options.class));
  }

  /** Records landed per source: lines of JSON Lines files, JSON files, rows of source tables. */
  private static Map<String, Long> landedRecords(Path lake) throws Exception {
    Map<String, Long> records = new TreeMap<>();
    try (SourceDatabase database = SourceDatabase.startEmbedded(lake.toString());
        Connection connection = database.open();
        Statement statement = connection.createStatement()) {
      for (SourceSpec source : SourcesFile.load("")) {
        long count = 0;
        if (source.kind() == SourceSpec.Kind.JDBC) {
          try (ResultSet result =
              statement.executeQuery("SELECT count(*) FROM " + source.location())) {
            result.next();
            count = result.getLong(1);
          }
        } else {
          for (String path : LakeFiles.match(lake + "/" + source.location())) {
            count += source.kind() == SourceSpec.Kind.JSONL ? lines(Path.of(path)) : 1;
          }
        }
        records.put(source.name(), count);
      }
    }
    return records;
  }

  private static long lines(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long lines = 0;
    for (byte b : bytes) {
      lines += b == '\n' ? 1 : 0;
    }
    return bytes.length > 0 && bytes[bytes.length - 1] != '\n' ? lines + 1 : lines;
  }

  /** Regular files under {@code folder}, as paths relative to it. */
  private static Set<String> files(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return Set.of();
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile)
          .map(file -> folder.relativize(file).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Every bronze and dead-letter file with its size, and the committed batches. */
  private static Map<String, Long> snapshot(Path lake) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    for (String zone : List.of("bronze", "deadletter", "ops/ingest/committed")) {
      for (String file : files(lake.resolve(zone))) {
        files.put(zone + "/" + file, Files.size(lake.resolve(zone).resolve(file)));
      }
    }
    return files;
  }

  private static Map<String, Long> bronzeRows(Path lake) throws SQLException {
    Map<String, Long> rows = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT _source, count(*) FROM read_parquet('"
                    + lake
                    + "/bronze/*/*/*.parquet', union_by_name=true, hive_partitioning=false)"
                    + " GROUP BY 1")) {
      while (result.next()) {
        rows.put(result.getString(1), result.getLong(2));
      }
    }
    return rows;
  }

  /**
   * One source's bronze rows as text, sorted, without what differs between runs of the same input:
   * the batch, the ingestion time and the lake folder of the landing file.
   */
  static List<String> bronzeContent(Path lake, String source) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT * EXCLUDE (_batch_id, _ingested_at, _source_location),"
                    + " regexp_replace(_source_location, '^.*/', '') AS source_file"
                    + " FROM read_parquet('"
                    + lake
                    + "/bronze/"
                    + source
                    + "/*/*.parquet', hive_partitioning=false)")) {
      ResultSetMetaData columns = result.getMetaData();
      while (result.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          row.append(columns.getColumnName(i)).append('=').append(result.getString(i)).append(';');
        }
        rows.add(row.toString());
      }
    }
    rows.sort(null);
    return rows;
  }

  /** Dead letters per source, as their JSON lines. */
  private static Map<String, List<String>> deadLetters(Path lake) throws IOException {
    Map<String, List<String>> letters = new TreeMap<>();
    Path folder = lake.resolve("deadletter");
    for (String file : files(folder)) {
      if (file.endsWith(".jsonl")) {
        String source = Path.of(file).getName(0).toString();
        for (String line : Files.readAllLines(folder.resolve(file))) {
          if (!line.isBlank()) {
            letters.computeIfAbsent(source, s -> new ArrayList<>()).add(line);
          }
        }
      }
    }
    return letters;
  }

  private static Map<String, Long> byField(List<Row> rows, String field) {
    Map<String, Long> values = new TreeMap<>();
    rows.forEach(row -> values.put(row.getString("source"), row.getInt64(field)));
    return values;
  }

  private static Instant watermark(IngestPipeline.Summary summary, String source) {
    return summary.loadStats().stream()
        .filter(row -> row.getString("source").equals(source))
        .findFirst()
        .orElseThrow()
        .getDateTime("watermark")
        .toInstant();
  }

  @Test
  void everySourceReadsExactlyWhatLanded() {
    assertEquals(landed, byField(summary.loadStats(), "rows_read"));
  }

  @Test
  void everyRecordReadIsInBronzeOrTheDeadLetters() throws Exception {
    Map<String, Long> bronze = bronzeRows(lake);
    Map<String, Long> dead = new TreeMap<>();
    deadLetters(lake).forEach((source, lines) -> dead.put(source, (long) lines.size()));
    Map<String, Long> bronzePlusDead = new TreeMap<>();
    for (String source : landed.keySet()) {
      bronzePlusDead.put(source, bronze.getOrDefault(source, 0L) + dead.getOrDefault(source, 0L));
    }

    assertTrue(dead.values().stream().mapToLong(Long::longValue).sum() > 0, "no dead letters");
    assertEquals(byField(summary.loadStats(), "rows_read"), bronzePlusDead);
    assertEquals(bronze, byField(summary.loadStats(), "rows_written"));
  }

  @Test
  void ingestedLandingFilesMoveToTheArchiveOfTheirBatch() throws Exception {
    Path archive = lake.resolve("archive");
    Set<String> archived = new TreeSet<>();
    for (String file : files(archive)) {
      Path path = Path.of(file);
      assertEquals(summary.batchId(), path.getName(1).toString(), file);
      archived.add(path.getName(0).resolve(path.getFileName()).toString());
    }

    assertEquals(landedFiles, archived);
    assertEquals(Set.of(), files(lake.resolve("landing")));
  }

  @Test
  void ingestingAgainAddsNothing(@TempDir Path work) throws Exception {
    Path lake = work.resolve("lake");
    generate(lake);
    ingest(lake);
    Map<String, Long> before = snapshot(lake);

    IngestPipeline.Summary again = ingest(lake);

    assertNull(again.batchId());
    assertEquals(List.of(), again.loadStats());
    assertEquals("ingest: nothing new to ingest\n", IngestPipeline.render(again));
    assertEquals(before, snapshot(lake));
  }

  @Test
  void landingTheSameFilesAgainAddsNothingAndArchivesThem(@TempDir Path work) throws Exception {
    Path lake = work.resolve("lake");
    generate(lake);
    IngestPipeline.Summary first = ingest(lake);
    Map<String, Long> before = snapshot(lake);
    generate(lake);
    int relanded = files(lake.resolve("landing")).size();

    IngestPipeline.Summary again = ingest(lake);

    assertNull(again.batchId());
    assertEquals(List.of(), again.loadStats());
    assertEquals(first.archived(), relanded);
    assertEquals(relanded, again.alreadyIngested());
    assertEquals(before, snapshot(lake));
    assertEquals(Set.of(), files(lake.resolve("landing")));
  }

  @Test
  void aSecondRunReadsOnlyTheTableRowsUpdatedSinceTheWatermark(@TempDir Path work)
      throws Exception {
    Path lake = work.resolve("lake");
    generate(lake);
    IngestPipeline.Summary first = ingest(lake);
    try (SourceDatabase database = SourceDatabase.startEmbedded(lake.toString())) {
      database.execute(
          "UPDATE shop.orders SET status = 'refunded', updated_at = now() WHERE order_id IN"
              + " (SELECT order_id FROM shop.orders ORDER BY order_id LIMIT 3)");
    }

    IngestPipeline.Summary second = ingest(lake);

    assertEquals(Map.of("orders", 3L), byField(second.loadStats(), "rows_read"));
    assertTrue(
        watermark(second, "orders").isAfter(watermark(first, "orders")),
        "watermark " + watermark(first, "orders") + " did not move");
    assertEquals(
        watermark(second, "orders"), IngestLedger.open(lake.toString()).watermarks().get("orders"));
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM read_parquet('"
                    + lake
                    + "/bronze/orders/*/*.parquet') WHERE status = 'refunded' AND _batch_id = '"
                    + second.batchId()
                    + "'")) {
      result.next();
      assertEquals(3, result.getLong(1));
    }
    assertNull(ingest(lake).batchId(), "the updated rows were read again");
  }

  @Test
  void aBreachedThresholdRaisesAnAlertInOpsAndTheWarehouseAndAWarning(@TempDir Path work)
      throws Exception {
    Path lake = work.resolve("lake");
    generate(lake);
    Path thresholds = work.resolve("strict.properties");
    Files.writeString(thresholds, "dead_letter_rate.max = 0\n");

    CommandRun run =
        CommandRun.of(
            "ingest",
            "--lake=" + lake,
            "--thresholds=" + thresholds,
            "--enforceImmutability=true",
            "--enforceEncodability=true");
    String output = run.output();

    assertEquals(0, run.exit(), output);
    List<Row> stats = OpsRows.read(lake.toString(), WarehouseTable.OPS_LOAD_STATS);
    Set<String> withDeadLetters = new TreeSet<>();
    Set<String> underTheDefaultLimit = new TreeSet<>();
    for (Row row : stats) {
      long dead = row.getInt64("rows_dead_lettered");
      if (dead > 0) {
        withDeadLetters.add(row.getString("source"));
        if (dead < 0.05 * row.getInt64("rows_read")) {
          underTheDefaultLimit.add(row.getString("source"));
        }
      }
    }
    assertFalse(underTheDefaultLimit.isEmpty(), "every rate breaks the default limit anyway");
    List<Row> alerts = OpsRows.read(lake.toString(), WarehouseTable.OPS_ALERTS);
    Set<String> alerted = new TreeSet<>();
    for (Row alert : alerts) {
      assertEquals("dead_letter_rate", alert.getString("check_name"));
      assertEquals(0.0, alert.getDouble("threshold"));
      assertTrue(output.contains("WARNING: " + alert.getString("message")), output);
      alerted.add(alert.getString("source"));
    }
    assertEquals(withDeadLetters, alerted);
    assertEquals(alerts.size(), DuckDbWarehouse.count(lake.toString(), "ops.alerts"));
  }

  @Test
  void aRunKilledHalfWayAndStartedAgainEndsWithTheSameBronzeAsAnUninterruptedRun(@TempDir Path work)
      throws Exception {
    Path killed = work.resolve("lake");
    generate(killed);
    Path pending = killed.resolve("ops/ingest/pending.json");
    Path log = work.resolve("child.log");
    Process child = startIngest(killed, log);
    try {
      waitUntil(() -> Files.exists(pending), child, log);
      waitUntil(() -> hasFiles(killed.resolve("bronze")), child, log);
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertTrue(Files.exists(pending), "the run ended before it was killed:\n" + read(log));
    leaveFinishedShardsOfThePendingBatch(killed);

    IngestPipeline.Summary resumed;
    try {
      resumed = ingest(killed);
    } finally {
      stopServer(killed.resolve("postgres"));
    }

    assertTrue(resumed.resumed());
    assertEquals(summary.loadStats().size(), resumed.loadStats().size());
    for (SourceSpec source : SourcesFile.load("")) {
      List<String> once = bronzeContent(lake, source.name());
      List<String> again = bronzeContent(killed, source.name());
      assertEquals(new HashSet<>(again).size(), again.size(), source.name() + " has duplicates");
      assertEquals(List.of(), missing(once, again), source.name() + " rows the resumed run lacks");
      assertEquals(List.of(), missing(again, once), source.name() + " rows only it has");
      assertEquals(once.size(), again.size(), source.name());
    }
    assertEquals(withoutRunFields(deadLetters(lake)), withoutRunFields(deadLetters(killed)));
  }

  /**
   * A kill while the writes finalize leaves some shards of the batch in place, and the resumed run
   * may shard differently: copies a finished pageviews shard of the shared lake into the pending
   * batch's bronze and dead-letter partitions, for the resumed run to remove.
   */
  private static void leaveFinishedShardsOfThePendingBatch(Path killed) throws IOException {
    IngestBatch batch =
        IngestBatch.fromJson(Files.readString(killed.resolve("ops/ingest/pending.json")));
    for (Map.Entry<String, String> zone :
        Map.of("bronze", ".parquet", "deadletter", ".jsonl").entrySet()) {
      Path finished = lake.resolve(zone.getKey()).resolve("pageviews");
      String shard =
          files(finished).stream()
              .filter(file -> file.endsWith(zone.getValue()))
              .findFirst()
              .orElseThrow();
      Path partition =
          Path.of(IngestPipeline.partition(killed.toString(), zone.getKey(), "pageviews", batch));
      Files.createDirectories(partition);
      Files.copy(
          finished.resolve(shard),
          partition.resolve(batch.batchId() + "-00007-of-00008" + zone.getValue()));
    }
  }

  /** The first few of {@code expected} that {@code actual} lacks, counting repeats. */
  private static List<String> missing(List<String> expected, List<String> actual) {
    Map<String, Integer> left = new HashMap<>();
    actual.forEach(row -> left.merge(row, 1, Integer::sum));
    List<String> missing = new ArrayList<>();
    for (String row : expected) {
      if (left.merge(row, -1, Integer::sum) < 0 && missing.size() < 3) {
        missing.add(row);
      }
    }
    return missing;
  }

  /** Dead letters without their batch, time and the lake folder of their location. */
  private static Map<String, List<String>> withoutRunFields(Map<String, List<String>> letters) {
    Map<String, List<String>> stable = new TreeMap<>();
    letters.forEach(
        (source, lines) ->
            stable.put(
                source,
                lines.stream()
                    .map(
                        line ->
                            line.replaceAll("\"batch_id\":\"[^\"]*\"", "")
                                .replaceAll("\"failed_at\":\"[^\"]*\"", "")
                                .replaceAll("\"location\":\"[^\"]*/", "\"location\":\""))
                    .sorted()
                    .toList()));
    return stable;
  }

  /** Runs {@code fakelake ingest} in a child JVM, the way the launcher does. */
  private static Process startIngest(Path lake, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    // The --add-opens flags of the pom's test.jvm.args, which this JVM was started with.
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(argument -> argument.startsWith("--add-opens"))
        .forEach(command::add);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Fakelake.class.getName(),
            "ingest",
            "--lake=" + lake));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Stops a server still running on the data directory, so a failed test leaves none behind. */
  private static void stopServer(Path dataDirectory) throws Exception {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
      Optional<ProcessHandle> server = ProcessHandle.of(pid);
      if (server.isPresent() && server.get().info().command().orElse("").endsWith("/postgres")) {
        server.get().destroy();
        server.get().onExit().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void waitUntil(BooleanSupplier condition, Process child, Path log)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!condition.getAsBoolean()) {
      if (!child.isAlive()) {
        fail("the ingest ended (exit " + child.exitValue() + ") too early:\n" + read(log));
      }
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for the ingest:\n" + read(log));
      }
      Thread.sleep(10);
    }
  }

  private static boolean hasFiles(Path folder) {
    try {
      return !files(folder).isEmpty();
    } catch (IOException | UncheckedIOException e) {
      // A temporary file vanished while we looked: the writers are at work.
      return true;
    }
  }

  private static String read(Path log) throws IOException {
    try (InputStream in = Files.newInputStream(log)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
