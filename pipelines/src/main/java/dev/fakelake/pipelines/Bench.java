package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.pipelines.dataform.Models;
import dev.fakelake.pipelines.report.Report;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Pageview;
import dev.fakelake.transforms.generate.GenerationSpec;
import dev.fakelake.transforms.generate.RecordFactory;
import dev.fakelake.transforms.io.JsonRecords;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The benchmarks: generation (pageviews per second from a plain single-thread loop, the limit, then
 * from the generate pipeline on each runner, with the ratio to the loop and peak heap), the batch
 * path, every stage of the main job, and the stream path through Kafka (sustained events per
 * second, and event-to-aggregate latency at a fixed rate).
 *
 * <pre>{@code
 * ./fakelake bench --records=1000000
 * ./fakelake bench --stages=run --scale=1
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
            + " where pageviews = --records), 'run' (every stage of ./fakelake run per runner at"
            + " --scale: generate, ingest, curate, the stream burst, models, training, report) or"
            + " 'stream' (per runner: stream-ingest reading a"
            + " backlog of --records events, 600,000 unless given, from Kafka; then"
            + " stream-generate at --rate, 22,000/s unless given, for --duration, 60s unless"
            + " given, with stream-ingest alongside, for the event-to-aggregate latency; the"
            + " stream's users are --customers, or 10 s of events at --rate (at least the"
            + " customers at --scale, 0.1 unless given)).")
    @Default.String("generate")
    String getStages();

    void setStages(String value);
  }

  /** The fewest pageviews the single-thread loop generates for the limit. */
  private static final long LOOP_PAGEVIEWS = 1_000_000;

  /** The stages whose records are the data set's, and so compare with the generation loop. */
  private static final List<String> DATA_SET_STAGES =
      List.of("generate", "ingest", "curate + load", "batch path", "main job");

  /**
   * One stage measured on one target. Stages whose records are not the data set's (the fixed cost,
   * messages of a timed burst, model rows, report sections) have a rate but no ratio to the loop.
   */
  record Row(String stage, String target, long records, double seconds, long peakHeapBytes) {

    boolean comparableToLoop() {
      return DATA_SET_STAGES.contains(stage);
    }
  }

  private Bench() {}

  static void run(Options options, String[] args) {
    if (options.getRecords() < 1 || options.getRecords() > 1_000_000_000L) {
      throw new IllegalArgumentException("--records must be 1 to 1,000,000,000");
    }
    if (!List.of("generate", "batch", "run", "stream").contains(options.getStages())) {
      throw new IllegalArgumentException(
          "--stages must be generate, batch, run or stream, got '" + options.getStages() + "'");
    }
    if (options.getStages().equals("stream")) {
      StreamBench.run(options, args);
      return;
    }
    // The loop runs long enough for the JIT to have compiled it: at least the foundation
    // benchmark's million pageviews.
    long pageviews =
        options.getStages().equals("run")
            ? GeneratePipeline.spec(options).count(Entity.PAGEVIEWS)
            : options.getRecords();
    GenerationSpec loopSpec =
        GeneratePipeline.spec(options).toBuilder()
            .count(Entity.PAGEVIEWS, Math.max(pageviews, LOOP_PAGEVIEWS))
            .build();
    Measured<Long> loop = sampled("the loop", () -> loop(loopSpec));
    System.err.printf(
        "bench: plain Java loop, 1 thread: %,d records in %.1f s%n", loop.value(), loop.seconds());
    Path scratch = Path.of(options.getLake(), "_bench");
    List<Row> rows = new ArrayList<>();
    for (String runner : options.getRunners().split(",")) {
      try (Target target = Target.of(runner.trim(), options)) {
        if (!options.getStages().equals("run")) {
          rows.add(fixedCost(args, target, scratch));
          deleteRecursively(scratch);
        }
        switch (options.getStages()) {
          case "batch" -> rows.addAll(batchPath(options, args, target, scratch));
          case "run" -> rows.addAll(mainJob(options, args, target, scratch));
          default -> rows.add(generateOnly(options, args, target, scratch));
        }
      }
      deleteRecursively(scratch);
    }
    System.out.print(render(title(options), loop, rows));
    System.out.printf(
        "Peak process memory (VmHWM): %s%n",
        Files.isReadable(Path.of("/proc/self/status")) ? vmHwm() : "n/a");
  }

  private static String title(Options options) {
    return switch (options.getStages()) {
      case "run" -> String.format("the main job's stages at scale %s", options.getScale());
      case "batch" ->
          String.format(
              "the batch path at scale %s (%,d pageviews)",
              batchScale(options), options.getRecords());
      default -> String.format("generation of %,d pageviews", options.getRecords());
    };
  }

  private static Row generateOnly(Options options, String[] args, Target target, Path scratch) {
    Options runOptions =
        options(
            target.withArgs(
                args,
                "--lake=" + scratch,
                "--entities=pageviews",
                "--pageviews=" + options.getRecords()));
    return measure(
        "generate",
        target,
        () ->
            GenerateSummary.of(GeneratePipeline.run(runOptions), runOptions)
                .records(Entity.PAGEVIEWS));
  }

  /**
   * Generate, ingest and curate (with the warehouse load) into a scratch lake, every entity at the
   * scale where pageviews number {@code --records}; ingest and curate count the records they read.
   */
  private static List<Row> batchPath(Options options, String[] args, Target target, Path scratch) {
    Options runOptions =
        options(target.withArgs(args, "--lake=" + scratch, "--scale=" + batchScale(options)));
    List<Row> rows = new ArrayList<>();
    long started = System.nanoTime();
    rows.addAll(batchStages(runOptions, target));
    rows.add(total("batch path", target, rows.get(1).records(), started, rows));
    return rows;
  }

  /** The scale at which pageviews number {@code --records}. */
  private static double batchScale(Options options) {
    return options.getRecords() / (double) Entity.PAGEVIEWS.countAtScaleOne();
  }

  /**
   * Every stage of {@code ./fakelake run} at {@code --scale} into a scratch lake: the batch path,
   * the stream burst on the scratch lake's embedded broker, the models, training and the report.
   */
  private static List<Row> mainJob(Options options, String[] args, Target target, Path scratch) {
    Options runOptions = options(target.withArgs(args, "--lake=" + scratch));
    List<Row> rows = new ArrayList<>();
    long started = System.nanoTime();
    rows.addAll(batchStages(runOptions, target));
    if (!runOptions.getStreamBurst().equals("off")) {
      rows.add(
          measure(
              "stream burst (messages)",
              target,
              () -> Fakelake.burst(runOptions).read().counter("messages_read")));
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    rows.add(
        measure(
            "models (rows out)",
            target,
            () ->
                Models.run(runOptions, quiet).models().stream()
                    .mapToLong(r -> r.rows() == null ? 0 : r.rows())
                    .sum()));
    rows.add(
        measure(
            "train (feature rows)", target, () -> TrainModel.run(runOptions, quiet).featureRows()));
    rows.add(
        measure(
            "report (sections)", target, () -> (long) Report.run(runOptions, quiet).sections()));
    rows.add(total("main job", target, rows.get(1).records(), started, rows));
    return rows;
  }

  /** Generate, ingest, and curate with the warehouse load. */
  private static List<Row> batchStages(Options runOptions, Target target) {
    List<Row> rows = new ArrayList<>();
    rows.add(
        measure(
            "generate",
            target,
            () -> GenerateSummary.of(GeneratePipeline.run(runOptions), runOptions).totalRecords()));
    long[] bronzeRows = new long[1];
    rows.add(
        measure(
            "ingest",
            target,
            () -> {
              IngestPipeline.Summary ingest = IngestPipeline.run(runOptions);
              bronzeRows[0] =
                  ingest.loadStats().stream().mapToLong(r -> r.getInt64("rows_written")).sum();
              return ingest.rowsRead();
            }));
    rows.add(
        measure(
            "curate + load",
            target,
            () -> {
              CuratePipeline.run(runOptions);
              return bronzeRows[0];
            }));
    return rows;
  }

  /** The stages together: the records ingested, over the time from the first to the last. */
  private static Row total(
      String name, Target target, long records, long startedNanos, List<Row> stages) {
    long peak = stages.stream().mapToLong(Row::peakHeapBytes).max().orElse(0);
    return new Row(name, target.label(), records, (System.nanoTime() - startedNanos) / 1e9, peak);
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
        "fixed cost (1-record job)",
        target,
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
      return new Target(
          runner.equals("FlinkRunner") ? "FlinkRunner [local]" : runner,
          List.of("--runner=" + runner),
          null);
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

  private static Row measure(String stage, Target target, Work work) {
    String name = stage + " on " + target.label();
    Measured<Long> measured = sampled(name, work::records);
    System.err.printf(
        "bench: %s: %,d records in %.1f s%n", name, measured.value(), measured.seconds());
    return new Row(
        stage, target.label(), measured.value(), measured.seconds(), measured.peakHeapBytes());
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

  /**
   * One table: a row per stage, and per target (side by side) the stage's records, seconds, records
   * per second, the ratio of that rate to the single-thread loop's, and the peak heap.
   */
  static String render(String title, Measured<Long> loop, List<Row> rows) {
    double limit = loop.value() / loop.seconds();
    List<String> targets = rows.stream().map(Row::target).distinct().toList();
    List<String> stages = rows.stream().map(Row::stage).distinct().toList();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%nBenchmark: %s (%d cores, max heap %,d MB)%n",
            title,
            Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() >> 20));
    out.append(
        String.format(
            "Single-thread generation limit (a plain Java loop, no pipeline): %,d pageviews in"
                + " %.1f s, %,.0f records/s; 'vs loop' is a stage's records/s against it.%n%n",
            loop.value(), loop.seconds(), limit));
    StringBuilder header = new StringBuilder(String.format("| %-26s |", "stage"));
    StringBuilder rule = new StringBuilder("|" + "-".repeat(28) + "|");
    for (String target : targets) {
      header.append(
          String.format(" %s: records | seconds | records/s | vs loop | peak heap MB |", target));
      rule.append("---:|---:|---:|---:|---:|");
    }
    out.append(header).append('\n').append(rule).append('\n');
    for (String stage : stages) {
      out.append(String.format("| %-26s |", stage));
      for (String target : targets) {
        Row row =
            rows.stream()
                .filter(r -> r.stage().equals(stage) && r.target().equals(target))
                .findFirst()
                .orElse(null);
        if (row == null) {
          out.append(" — | — | — | — | — |");
          continue;
        }
        double rate = row.records() / row.seconds();
        out.append(
            String.format(
                " %,d | %.1f | %,.0f | %s | %,d |",
                row.records(),
                row.seconds(),
                rate,
                row.comparableToLoop() ? String.format("%.2fx", rate / limit) : "—",
                row.peakHeapBytes() >> 20));
      }
      out.append('\n');
    }
    return out.toString();
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
