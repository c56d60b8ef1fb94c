package dev.fakelake.pipelines;

import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.CountPageviewsByMethod;
import dev.fakelake.transforms.aggregate.LatencyHistogram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The stream benchmark ({@code ./fakelake bench --stages=stream}): for each runner, how many events
 * per second stream-ingest reads through Kafka, and how long after its arrival in Kafka a pageview
 * is counted in the 5-minute aggregate while events arrive at a fixed rate.
 *
 * <p>Each phase runs on a scratch lake of its own under {@code LAKE/_bench}, with its own embedded
 * broker, holding the silver customers and VIP list that enrichment reads, made once, not timed, by
 * generate (of those two entities only), ingest and curate. The stream's users are those customers:
 * {@code --customers}, or else enough for each to send about one event every {@value
 * #SECONDS_PER_USER_EVENT} s at {@code --rate} (200,000 at 20,000 events/s), and never fewer than
 * the customers at {@code --scale}; so per-user state and sessions grow with the rate rather than
 * piling onto a few hot keys.
 *
 * <ol>
 *   <li>backlog: stream-generate fills the topic with {@code --records} events as fast as it can
 *       (not timed); stream-ingest then reads that backlog to its end offsets. Events/s is the
 *       messages read over the time from the first message read to the last; the wall time adds the
 *       job's start-up, its drain and the warehouse load.
 *   <li>live: stream-ingest starts first; once its Kafka readers run on every partition,
 *       stream-generate sends at {@code --rate} for {@code --duration}; ingest stops once it has
 *       read everything sent. Events/s is again messages read over first to last read, and p50/p99
 *       are those of every pageview counted in the run (emitted_at - Kafka create time).
 * </ol>
 *
 * <p>Messages include the duplicates the generator injects as dirt (about 1% on top of the events).
 */
final class StreamBench {

  /** The goal of the issue on 2 cores with Flink: this many events/s with p99 under 5 s. */
  static final double GOAL_EVENTS_PER_SECOND = 20_000;

  static final double GOAL_P99_MS = 5_000;

  private static final long DEFAULT_RECORDS = 600_000;

  /**
   * A tenth above the goal: the read rate is the messages read over the time from the first read to
   * the last, which includes the last messages' latency, so a stream sent at exactly the goal reads
   * a little under it even when ingest keeps up; offered more, it shows whether ingest sustains the
   * goal.
   */
  private static final double DEFAULT_RATE = GOAL_EVENTS_PER_SECOND * 1.1;

  private static final String DEFAULT_DURATION = "60s";
  private static final double DEFAULT_SCALE = 0.1;

  /** At {@code --rate}, about how many seconds pass between two events of one user. */
  static final long SECONDS_PER_USER_EVENT = 10;

  /** As fast as stream-generate goes: the highest rate it accepts. */
  private static final String FILL_RATE = "1000000";

  private record Row(
      String runner,
      String phase,
      long events,
      double seconds,
      OptionalDouble p50Ms,
      OptionalDouble p99Ms,
      long peakHeapBytes) {

    double rate() {
      return seconds > 0 ? events / seconds : 0;
    }
  }

  private StreamBench() {}

  static void run(Bench.Options options, String[] args) {
    long records = given(args, "records") ? options.getRecords() : DEFAULT_RECORDS;
    double rate = given(args, "rate") ? options.getRate() : DEFAULT_RATE;
    String duration = given(args, "duration") ? options.getDuration() : DEFAULT_DURATION;
    double scale = given(args, "scale") ? options.getScale() : DEFAULT_SCALE;
    if (StreamOptions.parseDuration("duration", duration) == null) {
      throw new IllegalArgumentException("--duration must be set for the stream benchmark");
    }
    List<String> runners = Stream.of(options.getRunners().split(",")).map(String::trim).toList();
    long users = users(options, args, scale, rate);
    String[] withUsers =
        Stream.concat(
                Stream.of(args).filter(a -> !a.startsWith("--customers=")),
                Stream.of("--customers=" + users))
            .toArray(String[]::new);
    Path scratch = Path.of(options.getLake(), "_bench");
    deleteScratch(scratch);
    Path prepared = scratch.resolve("prepared");
    System.err.printf(
        "bench: preparing the %,d customers enrichment reads (generate, ingest, curate on %s;"
            + " not timed)%n",
        users, runners.get(0));
    long preparing = System.nanoTime();
    Bench.Options prepare = phaseOptions(withUsers, runners.get(0), prepared, scale);
    prepare.setEntities(Entity.CUSTOMERS.tableName() + "," + Entity.VIP_CUSTOMERS.tableName());
    if (!given(args, "vipCustomers")) {
      // The catalog's share: 250 VIP lines per 2,000 customers.
      prepare.setVipCustomers(
          users * Entity.VIP_CUSTOMERS.countAtScaleOne() / Entity.CUSTOMERS.countAtScaleOne());
    }
    GeneratePipeline.run(prepare);
    IngestPipeline.run(prepare);
    CuratePipeline.run(prepare);
    System.err.printf("bench: prepared in %.1f s%n", (System.nanoTime() - preparing) / 1e9);

    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try {
      for (String runner : runners) {
        rows.addAll(backlog(withUsers, runner, prepared, scratch, scale, records, notes));
        rows.add(live(withUsers, runner, prepared, scratch, scale, rate, duration, notes));
      }
    } finally {
      deleteScratch(scratch);
    }
    print(rows, notes, records, rate, duration, users);
  }

  /**
   * The stream's users: {@code --customers} if given, else one per {@value #SECONDS_PER_USER_EVENT}
   * s of events at {@code rate}, at least the customers at {@code scale}.
   */
  static long users(Bench.Options options, String[] args, double scale, double rate) {
    if (given(args, "customers")) {
      if (options.getCustomers() == null || options.getCustomers() < 1) {
        throw new IllegalArgumentException(
            "--customers must be at least 1 for the stream benchmark, got "
                + options.getCustomers());
      }
      return options.getCustomers();
    }
    long atScale = Math.round(Entity.CUSTOMERS.countAtScaleOne() * scale);
    return Math.max(Math.max(1, atScale), Math.round(rate * SECONDS_PER_USER_EVENT));
  }

  /** Fills the topic with {@code records} events, then times stream-ingest reading them all. */
  private static List<Row> backlog(
      String[] args,
      String runner,
      Path prepared,
      Path scratch,
      double scale,
      long records,
      List<String> notes) {
    Path lake = scratch.resolve(runner + "-backlog");
    copyEnrichment(prepared, lake);
    Bench.Options options =
        phaseOptions(args, runner, lake, scale, "--rate=" + FILL_RATE, "--limit=" + records);
    try (StreamTopic.Connection kafka = StreamTopic.connect(options, lake.toString())) {
      options.setKafkaBootstrap(kafka.bootstrap());
      System.err.printf("bench: %s: filling the topic with %,d events%n", runner, records);
      StreamGeneratePipeline.Summary sent = StreamGeneratePipeline.run(options);
      String topic = options.getKafkaTopic();
      Map<Integer, Long> end = StreamTopic.endOffsets(kafka.bootstrap(), topic);
      Map<Integer, Long> start =
          StreamTopic.startOffsets(kafka.bootstrap(), topic, options.getConsumerGroup());
      long backlog =
          end.entrySet().stream()
              .mapToLong(e -> e.getValue() - start.getOrDefault(e.getKey(), 0L))
              .sum();
      notes.add(
          String.format(
              Locale.ROOT,
              "%s backlog: %,d events as %,d messages sent in %.1f s (%,.0f events/s with the"
                  + " generator's start-up); ingest read to the end offsets (%,d messages)",
              runner,
              sent.events(),
              sent.messages(),
              sent.seconds(),
              sent.events() / sent.seconds(),
              backlog));
      options.setLimit(0);
      options.setDuration(null);
      System.err.printf("bench: %s: stream-ingest reading %,d messages%n", runner, backlog);
      // Reading exactly the backlog is reading up to the end offsets: the topic holds nothing else.
      Bench.Measured<StreamIngestPipeline.Summary> read =
          Bench.sampled(
              "stream-ingest of the backlog on " + runner,
              () ->
                  StreamIngestPipeline.run(
                      options, new StreamIngestPipeline.Bounds(backlog, null)));
      double reading = StreamStop.readingSeconds();
      long messages = read.value().counter("messages_read");
      OptionalDouble none = OptionalDouble.empty();
      return List.of(
          new Row(
              runner,
              "backlog: first to last read",
              messages,
              reading,
              none,
              none,
              read.peakHeapBytes()),
          new Row(
              runner,
              "backlog: wall (start-up, drain)",
              messages,
              read.seconds(),
              none,
              none,
              read.peakHeapBytes()));
    } finally {
      deleteScratch(lake);
    }
  }

  /**
   * Sends at {@code rate} for {@code duration} while stream-ingest reads alongside, from the moment
   * its readers run, and reads the latency of the pageviews it counted.
   */
  private static Row live(
      String[] args,
      String runner,
      Path prepared,
      Path scratch,
      double scale,
      double rate,
      String duration,
      List<String> notes) {
    Path lake = scratch.resolve(runner + "-live");
    copyEnrichment(prepared, lake);
    Bench.Options options = phaseOptions(args, runner, lake, scale, "--rate=" + rate);
    try (StreamTopic.Connection kafka = StreamTopic.connect(options, lake.toString())) {
      options.setKafkaBootstrap(kafka.bootstrap());
      System.err.printf(
          "bench: %s: stream-ingest, then %,.0f events/s for %s once it reads%n",
          runner, rate, duration);
      Bench.Measured<Fakelake.StreamSideBySide> run =
          Bench.sampled(
              "stream at " + rate + " events/s on " + runner,
              () -> Fakelake.generateWhileIngesting(options, duration, true));
      double reading = StreamStop.readingSeconds();
      double sending = StreamStop.sendingSeconds();
      StreamGeneratePipeline.Summary sent = run.value().sent();
      Map<String, Long> counters = run.value().read().counters();
      String histogram = CountPageviewsByMethod.LATENCY_HISTOGRAM;
      notes.add(
          String.format(
              Locale.ROOT,
              "%s live: %,d events as %,d messages sent in %.1f s (%,.0f events/s with the"
                  + " generator's start-up), their Kafka timestamps spanning %.1f s (%,.0f"
                  + " msgs/s as sent); latency of %s",
              runner,
              sent.events(),
              sent.messages(),
              sent.seconds(),
              sent.events() / sent.seconds(),
              sending,
              sending > 0 ? run.value().read().counter("messages_read") / sending : 0,
              LatencyHistogram.summary(counters, histogram)));
      return new Row(
          runner,
          String.format(Locale.ROOT, "live: %,.0f/s for %s", rate, duration),
          run.value().read().counter("messages_read"),
          reading,
          LatencyHistogram.percentileMs(counters, histogram, 0.5),
          LatencyHistogram.percentileMs(counters, histogram, 0.99),
          run.peakHeapBytes());
    } finally {
      deleteScratch(lake);
    }
  }

  /** The options of one phase: the command line's, with the runner, lake and scale replaced. */
  private static Bench.Options phaseOptions(
      String[] args, String runner, Path lake, double scale, String... more) {
    List<String> replaced =
        new ArrayList<>(List.of("--runner=" + runner, "--lake=" + lake, "--scale=" + scale));
    replaced.addAll(List.of(more));
    String[] phaseArgs = Bench.replacing(args, replaced);
    PipelineOptionsFactory.register(Bench.Options.class);
    return PipelineOptionsFactory.fromArgs(phaseArgs).as(Bench.Options.class);
  }

  /** Whether the command line sets {@code --name}. */
  private static boolean given(String[] args, String name) {
    return Stream.of(args).anyMatch(a -> a.startsWith("--" + name + "="));
  }

  /** Copies the tables enrichment reads from the prepared lake into a phase's lake. */
  private static void copyEnrichment(Path prepared, Path lake) {
    for (WarehouseTable table :
        List.of(WarehouseTable.SILVER_CUSTOMERS, WarehouseTable.SILVER_VIP_CUSTOMERS)) {
      Path from = prepared.resolve(table.dataset()).resolve(table.tableName());
      Path to = lake.resolve(table.dataset()).resolve(table.tableName());
      try (Stream<Path> files = Files.walk(from)) {
        for (Path file : files.toList()) {
          Path target = to.resolve(from.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(target);
          } else {
            Files.copy(file, target);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot copy " + from + " to " + to, e);
      }
    }
  }

  private static void deleteScratch(Path path) {
    Bench.deleteRecursively(path);
  }

  private static void print(
      List<Row> rows, List<String> notes, long records, double rate, String duration, long users) {
    System.out.printf(
        Locale.ROOT,
        "%nStream benchmark (%d cores, max heap %,d MB; backlog of %,d events, live at %,.0f"
            + " events/s for %s, %,d users)%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        records,
        rate,
        duration,
        users);
    System.out.printf(
        "| %-12s | %-32s | %10s | %8s | %10s | %9s | %9s | %12s |%n",
        "runner", "phase", "messages", "seconds", "msgs/s", "p50 ms", "p99 ms", "peak heap MB");
    System.out.printf(
        "|%s|%s|%s|%s|%s|%s|%s|%s|%n",
        "-".repeat(14),
        "-".repeat(34),
        "-".repeat(12),
        "-".repeat(10),
        "-".repeat(12),
        "-".repeat(11),
        "-".repeat(11),
        "-".repeat(14));
    for (Row row : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %-12s | %-32s | %,10d | %8.1f | %,10.0f | %9s | %9s | %,12d |%n",
          row.runner(),
          row.phase(),
          row.events(),
          row.seconds(),
          row.rate(),
          millis(row.p50Ms()),
          millis(row.p99Ms()),
          row.peakHeapBytes() >> 20);
    }
    notes.forEach(note -> System.out.println("- " + note));
    System.out.println(
        "- seconds: from the first message read to the last (the wall row adds start-up, drain and"
            + " the warehouse load); live latency is emitted_at - Kafka create time of every"
            + " pageview counted, the generator starting once ingest's readers ran on every"
            + " partition; the broker runs in this JVM.");
    for (Row row : rows) {
      if (row.phase().startsWith("live") && row.p99Ms().isPresent()) {
        boolean met =
            row.rate() >= GOAL_EVENTS_PER_SECOND && row.p99Ms().getAsDouble() < GOAL_P99_MS;
        System.out.printf(
            Locale.ROOT,
            "- goal (at least %,.0f events/s with p99 under %,.0f ms) on %s: %s (%,.0f msgs/s,"
                + " p99 %,.0f ms)%n",
            GOAL_EVENTS_PER_SECOND,
            GOAL_P99_MS,
            row.runner(),
            met ? "met" : "not met",
            row.rate(),
            row.p99Ms().getAsDouble());
      }
    }
    System.out.printf("Peak process memory (VmHWM): %s%n", Bench.vmHwm());
  }

  private static String millis(OptionalDouble value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%,.0f", value.getAsDouble()) : "-";
  }
}
