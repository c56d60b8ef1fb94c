package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Pageview;
import dev.fakelake.transforms.generate.GenerationSpec;
import dev.fakelake.transforms.generate.RecordFactory;
import dev.fakelake.transforms.io.JsonRecords;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The benchmarks: generation (pageviews per second from a plain single-thread loop, the limit, then
 * from the generate pipeline on each runner, with the ratio to the loop and peak heap), the batch
 * path, and the stream path through Kafka (sustained events per second, and event-to-aggregate
 * latency at a fixed rate).
 *
 * <pre>{@code
 * ./fakelake bench --records=1000000
 * FAKELAKE_HEAP=1g ./fakelake bench --records=10000000 --runners=FlinkRunner
 * ./fakelake bench --stages=batch --records=1000000 --runners=FlinkRunner
 * ./fakelake bench --stages=batch --records=300000 --runners=FlinkRunner,cluster:1,cluster:2
 * ./fakelake bench --stages=stream --runners=FlinkRunner --records=600000 --rate=20000 --duration=60s
 * }</pre>
 */
final class Bench {

  /** Options of the benchmark. */
  public interface Options extends Fakelake.MainJobOptions, FlinkCluster.Options {
    @Description("Pageviews each measurement generates.")
    @Default.Long(1_000_000)
    long getRecords();

    void setRecords(long value);

    @Description(
        "Runners to measure, comma separated: DirectRunner, FlinkRunner (its in-process cluster),"
            + " cluster:N (a Flink session cluster of N TaskManagers with --slots each, started for"
            + " the measurement; jobs run with every slot), or HOST:PORT of a running cluster.")
    @Default.String("DirectRunner,FlinkRunner")
    String getRunners();

    void setRunners(String value);

    @Description(
        "What to measure: 'generate' (generation per runner against the loop), 'batch' (generate,"
            + " ingest and curate with the warehouse load per runner, every entity at the scale"
            + " where pageviews = --records) or 'stream' (per runner: stream-ingest reading a"
            + " backlog of --records events, 600,000 unless given, from Kafka; then"
            + " stream-generate at --rate, 20,000/s unless given, for --duration, 60s unless"
            + " given, with stream-ingest alongside, for the event-to-aggregate latency; the"
            + " stream's users are --customers, or 10 s of events at --rate (at least the"
            + " customers at --scale, 0.1 unless given)).")
    @Default.String("generate")
    String getStages();

    void setStages(String value);
  }

  private record Row(String name, long records, double seconds, long peakHeapBytes) {}

  private Bench() {}

  static void run(Options options, String[] args) {
    if (options.getRecords() < 1 || options.getRecords() > 1_000_000_000L) {
      throw new IllegalArgumentException("--records must be 1 to 1,000,000,000");
    }
    if (!List.of("generate", "batch", "stream").contains(options.getStages())) {
      throw new IllegalArgumentException(
          "--stages must be generate, batch or stream, got '" + options.getStages() + "'");
    }
    if (options.getStages().equals("stream")) {
      StreamBench.run(options, args);
      return;
    }
    List<Row> rows = new ArrayList<>();
    GenerationSpec spec =
        GeneratePipeline.spec(options).toBuilder()
            .count(Entity.PAGEVIEWS, options.getRecords())
            .build();
    rows.add(measure("plain Java loop, 1 thread", () -> loop(spec)));
    Path scratch = Path.of(options.getLake(), "_bench");
    if (options.getStages().equals("batch")) {
      for (String runner : options.getRunners().split(",")) {
        try (Target target = Target.of(runner.trim(), options)) {
          rows.add(fixedCost(args, target, scratch));
          deleteRecursively(scratch);
          rows.addAll(batchPath(options, args, target, scratch));
        }
        deleteRecursively(scratch);
      }
      print(rows);
      return;
    }
    for (String runner : options.getRunners().split(",")) {
      try (Target target = Target.of(runner.trim(), options)) {
        rows.add(fixedCost(args, target, scratch));
        String[] runArgs =
            target.withArgs(
                args,
                "--lake=" + scratch,
                "--entities=pageviews",
                "--pageviews=" + options.getRecords());
        Options runOptions = options(runArgs);
        rows.add(
            measure(
                "generate on " + target.label(),
                () -> {
                  PipelineResult result = GeneratePipeline.run(runOptions);
                  return GenerateSummary.of(result, runOptions).records(Entity.PAGEVIEWS);
                }));
      }
      deleteRecursively(scratch);
    }
    print(rows);
  }

  /**
   * Generate, ingest and curate (with the warehouse load) into a scratch lake, every entity at the
   * scale where pageviews number {@code --records}; ingest and curate count the records they read.
   */
  private static List<Row> batchPath(Options options, String[] args, Target target, Path scratch) {
    double scale = options.getRecords() / (double) Entity.PAGEVIEWS.countAtScaleOne();
    Options runOptions = options(target.withArgs(args, "--lake=" + scratch, "--scale=" + scale));
    String runner = target.label();
    List<Row> rows = new ArrayList<>();
    long started = System.nanoTime();
    rows.add(
        measure(
            "generate on " + runner,
            () -> GenerateSummary.of(GeneratePipeline.run(runOptions), runOptions).totalRecords()));
    long[] bronzeRows = new long[1];
    rows.add(
        measure(
            "ingest on " + runner,
            () -> {
              IngestPipeline.Summary ingest = IngestPipeline.run(runOptions);
              bronzeRows[0] =
                  ingest.loadStats().stream().mapToLong(r -> r.getInt64("rows_written")).sum();
              return ingest.rowsRead();
            }));
    rows.add(
        measure(
            "curate + load on " + runner,
            () -> {
              CuratePipeline.run(runOptions);
              return bronzeRows[0];
            }));
    double seconds = (System.nanoTime() - started) / 1e9;
    long peak = rows.stream().mapToLong(Row::peakHeapBytes).max().orElse(0);
    rows.add(new Row("batch path on " + runner, rows.get(1).records(), seconds, peak));
    return rows;
  }

  /**
   * What a job costs before and after its work on a runner: generate of a single pageview, whose
   * time is building, submitting, scheduling and finishing the job.
   */
  private static Row fixedCost(String[] args, Target target, Path scratch) {
    Options runOptions =
        options(
            target.withArgs(args, "--lake=" + scratch, "--entities=pageviews", "--pageviews=1"));
    return measure(
        "fixed cost (1 record) on " + target.label(),
        () -> GenerateSummary.of(GeneratePipeline.run(runOptions), runOptions).totalRecords());
  }

  /** A command line's options, parsed and readied for the runner as the command readies them. */
  private static Options options(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options =
        PipelineOptionsFactory.fromArgs(Fakelake.withCommandDefaults(args)).as(Options.class);
    FlinkCluster.prepareSubmission(options);
    return options;
  }

  /**
   * Where a measurement runs: a runner, or a Flink session cluster that it starts for the
   * measurement (and stops after) or that already runs.
   */
  private record Target(String label, List<String> runnerArgs, @Nullable Path clusterHome)
      implements AutoCloseable {

    static Target of(String runner, Options options) {
      java.util.regex.Matcher cluster =
          java.util.regex.Pattern.compile("cluster:(\\d+)").matcher(runner);
      if (cluster.matches()) {
        int taskManagers = Integer.parseInt(cluster.group(1));
        FlinkCluster.Options clusterOptions =
            Fakelake.copyOf(options).as(FlinkCluster.Options.class);
        clusterOptions.setLake(Path.of(options.getLake(), "_bench_cluster").toString());
        clusterOptions.setTaskmanagers(taskManagers);
        clusterOptions.setRestPort(0);
        FlinkCluster.Running running = FlinkCluster.start(clusterOptions);
        return new Target(
            "cluster, " + taskManagers + " TM x " + options.getSlots() + " slots",
            List.of(
                "--runner=FlinkRunner",
                "--flinkMaster=" + running.restAddress(),
                "--parallelism=" + taskManagers * options.getSlots()),
            running.home());
      }
      if (runner.matches("[^:\\[]+:\\d+")) {
        return new Target(
            "cluster at " + runner,
            List.of("--runner=FlinkRunner", "--flinkMaster=" + runner),
            null);
      }
      if (!runner.equals("DirectRunner") && !runner.equals("FlinkRunner")) {
        throw new IllegalArgumentException(
            "--runners: unknown runner '"
                + runner
                + "': use DirectRunner, FlinkRunner, cluster:N or HOST:PORT");
      }
      return new Target(runner, List.of("--runner=" + runner), null);
    }

    /** The command line's arguments with this target's runner and the given ones instead. */
    String[] withArgs(String[] args, String... more) {
      List<String> replaced = new ArrayList<>(runnerArgs);
      replaced.addAll(List.of(more));
      return replacing(args, replaced);
    }

    @Override
    public void close() {
      if (clusterHome != null) {
        FlinkCluster.stop(clusterHome);
      }
    }
  }

  /** A command line with each {@code --name=value} of {@code replaced} instead of its own. */
  static String[] replacing(String[] args, List<String> replaced) {
    return Stream.concat(
            Stream.of(args)
                .filter(
                    a ->
                        replaced.stream()
                            .noneMatch(r -> a.startsWith(r.substring(0, r.indexOf('=') + 1)))),
            replaced.stream())
        .toArray(String[]::new);
  }

  /** The generation limit: the same pageview records and JSON lines, no pipeline around them. */
  private static long loop(GenerationSpec spec) {
    RecordFactory factory = new RecordFactory(spec);
    ObjectMapper mapper = new ObjectMapper();
    SerializableFunction<Pageview, org.apache.beam.sdk.values.Row> toRow =
        JsonRecords.toRowFunction(Pageview.class);
    long bytes = 0;
    long count = spec.count(Entity.PAGEVIEWS);
    for (long i = 0; i < count; i++) {
      bytes += JsonRecords.toJson(toRow.apply(factory.pageview(i)), mapper).toString().length();
    }
    return bytes > 0 ? count : 0;
  }

  private interface Work {
    long records() throws Exception;
  }

  private static Row measure(String name, Work work) {
    Measured<Long> measured = sampled(name, work::records);
    System.err.printf(
        "bench: %s: %,d records in %.1f s%n", name, measured.value(), measured.seconds());
    return new Row(name, measured.value(), measured.seconds(), measured.peakHeapBytes());
  }

  /** What a piece of work returned, how long it took, and the most heap in use meanwhile. */
  record Measured<T>(T value, double seconds, long peakHeapBytes) {}

  /** Runs {@code work} after a GC, timing it and sampling the heap in use every 20 ms. */
  static <T> Measured<T> sampled(String name, java.util.concurrent.Callable<T> work) {
    System.gc();
    AtomicLong peak = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    long started = System.nanoTime();
    T value;
    try {
      value = work.call();
    } catch (Exception e) {
      throw new IllegalStateException(name + " failed: " + e.getMessage(), e);
    } finally {
      sampler.interrupt();
    }
    return new Measured<>(value, (System.nanoTime() - started) / 1e9, peak.get());
  }

  private static void print(List<Row> rows) {
    double limit = rows.get(0).records() / rows.get(0).seconds();
    long maxHeap = Runtime.getRuntime().maxMemory();
    System.out.printf(
        "%nBenchmark (%d cores, max heap %,d MB; vs loop = against the single-thread generation limit)%n",
        Runtime.getRuntime().availableProcessors(), maxHeap >> 20);
    System.out.printf(
        "| %-32s | %12s | %9s | %12s | %8s | %14s |%n",
        "run", "records", "seconds", "records/s", "vs loop", "peak heap MB");
    System.out.println(
        "|"
            + "-".repeat(34)
            + "|"
            + "-".repeat(14)
            + "|"
            + "-".repeat(11)
            + "|"
            + "-".repeat(14)
            + "|"
            + "-".repeat(10)
            + "|"
            + "-".repeat(16)
            + "|");
    for (Row row : rows) {
      double rate = row.records() / row.seconds();
      System.out.printf(
          "| %-32s | %,12d | %9.1f | %,12.0f | %7.2fx | %,14d |%n",
          row.name(), row.records(), row.seconds(), rate, rate / limit, row.peakHeapBytes() >> 20);
    }
    System.out.printf(
        "Peak process memory (VmHWM): %s%n",
        Files.isReadable(Path.of("/proc/self/status")) ? vmHwm() : "n/a");
  }

  static String vmHwm() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines
          .filter(l -> l.startsWith("VmHWM"))
          .map(l -> l.replaceAll("VmHWM:\\s*", ""))
          .findFirst()
          .orElse("n/a");
    } catch (Exception e) {
      return "n/a";
    }
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("bench: could not remove " + path + ": " + e.getMessage());
    }
  }
}
