package dev.fakelake.pipelines;

import dev.fakelake.pipelines.dataform.DuckDbModelRunner;
import dev.fakelake.pipelines.dataform.Models;
import dev.fakelake.pipelines.report.Report;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The {@code fakelake} command: runs one stage, or the whole main job, with Beam-style options.
 *
 * <pre>{@code
 * ./fakelake run                       # the main job on the embedded defaults
 * ./fakelake generate --scale=0.1 --locale=de
 * ./fakelake run --runner=FlinkRunner  # the same on Flink's local cluster
 * ./fakelake bench --records=1000000
 * ./fakelake generate --help
 * }</pre>
 */
public final class Fakelake {

  /** The subcommands and the options each accepts. */
  private static final Map<String, Class<? extends PipelineOptions>> COMMANDS =
      new LinkedHashMap<>();

  private static final Map<String, String> SUMMARIES = new LinkedHashMap<>();

  static {
    command("run", MainJobOptions.class, "the main job: every stage in order, with a summary");
    command(
        "generate",
        GeneratePipeline.Options.class,
        "generate the synthetic data set into the landing zone");
    command(
        "ingest",
        IngestPipeline.Options.class,
        "ingest the landing zone and source tables into bronze, with dead letters and load stats");
    command(
        "curate",
        CuratePipeline.Options.class,
        "curate bronze into silver and gold, score quality against the truth, load the warehouse");
    command(
        "models",
        Models.Options.class,
        "run the Dataform models, assertions and unit tests on the local DuckDB warehouse");
    command(
        "train",
        TrainModel.Options.class,
        "train the order-value regression on gold.ml_features when enough new rows arrived");
    command(
        "score",
        ScoreModel.Options.class,
        "score feature rows with a saved order-value model, writing predictions");
    command(
        "report",
        Report.Options.class,
        "write LAKE/report/index.html: the warehouse's charts and tables in one offline page");
    command(
        "stream-generate",
        StreamGeneratePipeline.Options.class,
        "send pageview and rating events to Kafka (embedded by default) or Pub/Sub at a rate");
    command(
        "stream-ingest",
        StreamIngestPipeline.Options.class,
        "capture, clean, enrich and window the event stream into the lake and the warehouse");
    command(
        "cluster",
        FlinkCluster.Options.class,
        "start, show or stop a Flink session cluster on this machine: cluster start|status|stop");
    command(
        "bench",
        Bench.Options.class,
        "measure generation, the batch path or the stream path on Direct and Flink [local]");
  }

  private static void command(
      String name, Class<? extends PipelineOptions> options, String summary) {
    COMMANDS.put(name, options);
    SUMMARIES.put(name, summary);
  }

  private Fakelake() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns the process exit code. */
  static int execute(String[] args) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      System.out.println(usage());
      return 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (!COMMANDS.containsKey(command)) {
      System.err.println("fakelake: unknown command '" + command + "'.\n\n" + usage());
      return 2;
    }
    if (Arrays.stream(rest).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      System.out.println(help(command));
      return 0;
    }
    String clusterAction = null;
    if (command.equals("cluster")) {
      if (rest.length == 0 || rest[0].startsWith("--")) {
        System.err.println("fakelake cluster: say start, status or stop.\n\n" + help(command));
        return 2;
      }
      clusterAction = rest[0];
      rest = Arrays.copyOfRange(rest, 1, rest.length);
    } else {
      rest = withCommandDefaults(rest);
    }
    PipelineOptions options;
    try {
      PipelineOptionsFactory.register(COMMANDS.get(command));
      options = PipelineOptionsFactory.fromArgs(rest).withValidation().as(COMMANDS.get(command));
    } catch (IllegalArgumentException e) {
      System.err.println("fakelake " + command + ": " + e.getMessage());
      System.err.println("See ./fakelake " + command + " --help for every option.");
      return 2;
    }
    String stage = command;
    try {
      if (!command.equals("cluster")) {
        FlinkCluster.prepareSubmission(options);
      }
      switch (command) {
        case "run" -> runMainJob(options.as(MainJobOptions.class));
        case "generate" -> generate(options.as(GeneratePipeline.Options.class));
        case "curate" -> curate(options.as(CuratePipeline.Options.class));
        case "ingest" -> ingest(options.as(IngestPipeline.Options.class));
        case "models" -> models(options.as(Models.Options.class));
        case "train" -> train(options.as(TrainModel.Options.class));
        case "score" -> score(options.as(ScoreModel.Options.class));
        case "report" -> report(options.as(Report.Options.class));
        case "stream-generate" -> streamGenerate(options.as(StreamGeneratePipeline.Options.class));
        case "stream-ingest" -> streamIngest(options.as(StreamIngestPipeline.Options.class));
        case "bench" -> Bench.run(options.as(Bench.Options.class), rest);
        case "cluster" -> {
          return FlinkCluster.run(clusterAction, options.as(FlinkCluster.Options.class));
        }
        default -> throw new IllegalStateException(command);
      }
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("fakelake " + stage + ": " + e.getMessage());
      return 2;
    } catch (DuckDbModelRunner.ActionFailedException | Models.UnitTestsFailedException e) {
      System.err.println("fakelake " + stage + ": " + e.getMessage());
      return 1;
    } catch (StageFailedException e) {
      System.err.println("fakelake " + stage + ": " + e.getMessage());
      FlinkCluster.describeAfterFailure(options).ifPresent(System.err::println);
      System.err.println(
          "What earlier stages wrote is kept; run the same command again to resume.");
      return 1;
    } catch (RuntimeException e) {
      System.err.println("fakelake " + stage + " failed: " + rootCause(e));
      FlinkCluster.describeAfterFailure(options).ifPresent(System.err::println);
      return 1;
    }
  }

  /**
   * The command runs on Flink's in-process cluster unless {@code --runner} says otherwise: on two
   * cores it runs the main job about three times faster than the Direct runner, whose grouping
   * steps pay per bundle; Flink passes elements between chained steps without copying them. The
   * Direct runner, when chosen, runs without its per-element immutability and encodability checks,
   * which cost more than half its throughput; tests keep them on. Each can be set back.
   */
  static String[] withCommandDefaults(String[] args) {
    java.util.List<String> all = new java.util.ArrayList<>();
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--runner="))) {
      all.add("--runner=FlinkRunner");
    }
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--reIterableGroupByKeyResult="))) {
      // Joins read a group's values once per input; past Beam's 10,000-value cache, Flink must
      // be allowed to read a group again (Dataflow always is).
      all.add("--reIterableGroupByKeyResult=true");
    }
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--objectReuse="))) {
      // No step changes an element it was given (the Direct runner's immutability check holds
      // every test to that), so Flink may hand an element to the next chained step as it is
      // instead of copying it through its coder.
      all.add("--objectReuse=true");
    }
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--fasterCopy="))
        && Arrays.stream(args).noneMatch(a -> a.startsWith("--checkpointingInterval="))) {
      // For the same reason, an element that goes to several chained steps is handed to each as
      // it is; otherwise Flink copies it through its coder for every step but the last. Not with
      // checkpoints: Flink's heap state would then hand a checkpoint being written the very
      // objects a step goes on to change.
      all.add("--fasterCopy=true");
    }
    for (String check : new String[] {"--enforceImmutability", "--enforceEncodability"}) {
      if (Arrays.stream(args).noneMatch(a -> a.startsWith(check + "="))) {
        all.add(check + "=false");
      }
    }
    all.addAll(Arrays.asList(args));
    return all.toArray(String[]::new);
  }

  private static GenerateSummary generate(GeneratePipeline.Options options) {
    PipelineResult result;
    double seconds;
    try (Progress progress = Progress.start("generate")) {
      result = GeneratePipeline.run(options);
      seconds = progress.elapsedSeconds();
    }
    GenerateSummary summary = GenerateSummary.of(result, options);
    System.out.print(summary.render());
    System.out.printf(
        "generate: %,d records in %s (%,.0f records/s)%n",
        summary.totalRecords(), Progress.clock(seconds), summary.totalRecords() / seconds);
    return summary;
  }

  private static StreamGeneratePipeline.Summary streamGenerate(
      StreamGeneratePipeline.Options options) {
    StreamGeneratePipeline.Summary summary;
    try (Progress progress = Progress.start("stream-generate")) {
      summary = StreamGeneratePipeline.run(options);
    }
    System.out.print(summary.render());
    return summary;
  }

  private static StreamIngestPipeline.Summary streamIngest(StreamIngestPipeline.Options options) {
    StreamIngestPipeline.Summary summary;
    double seconds;
    StreamStop.onSignals();
    try (Progress progress = Progress.start("stream-ingest")) {
      summary = StreamIngestPipeline.run(options);
      seconds = progress.elapsedSeconds();
    }
    System.out.print(StreamIngestPipeline.render(summary));
    long read = summary.counter("messages_read");
    System.out.printf(
        "stream-ingest: %,d messages in %s (%,.0f messages/s)%n",
        read, Progress.clock(seconds), read / seconds);
    return summary;
  }

  private static IngestPipeline.Summary ingest(IngestPipeline.Options options) {
    IngestPipeline.Summary summary;
    double seconds;
    try (Progress progress = Progress.start("ingest")) {
      summary = IngestPipeline.run(options);
      seconds = progress.elapsedSeconds();
    }
    System.out.print(IngestPipeline.render(summary));
    System.out.printf(
        "ingest: %,d records in %s (%,.0f records/s)%n",
        summary.rowsRead(), Progress.clock(seconds), summary.rowsRead() / seconds);
    return summary;
  }

  private static CuratePipeline.Summary curate(CuratePipeline.Options options) {
    CuratePipeline.Summary summary;
    double seconds;
    try (Progress progress = Progress.start("curate")) {
      summary = CuratePipeline.run(options);
      seconds = progress.elapsedSeconds();
    }
    System.out.print(CuratePipeline.render(summary));
    System.out.printf("curate: done in %s%n", Progress.clock(seconds));
    return summary;
  }

  private static Models.Summary models(Models.Options options) {
    Models.Summary summary = Models.run(options, System.out);
    System.out.print(Models.render(summary));
    return summary;
  }

  private static TrainModel.Summary train(TrainModel.Options options) {
    return printedAndTimed("train", () -> TrainModel.run(options, System.out), TrainModel::render);
  }

  private static ScoreModel.Summary score(ScoreModel.Options options) {
    return printedAndTimed("score", () -> ScoreModel.run(options, System.out), ScoreModel::render);
  }

  private static Report.Summary report(Report.Options options) {
    return printedAndTimed("report", () -> Report.run(options, System.out), Report::render);
  }

  /** Runs a command that prints its own progress, then prints its summary and its time. */
  private static <T> T printedAndTimed(
      String command,
      java.util.function.Supplier<T> run,
      java.util.function.Function<T, String> render) {
    long started = System.nanoTime();
    T summary = run.get();
    System.out.print(render.apply(summary));
    System.out.printf(
        "%s: done in %s%n", command, Progress.clock((System.nanoTime() - started) / 1e9));
    return summary;
  }

  /** Options of the main job: those of every stage it runs. */
  public interface MainJobOptions
      extends GeneratePipeline.Options,
          IngestPipeline.Options,
          CuratePipeline.Options,
          StreamGeneratePipeline.Options,
          StreamIngestPipeline.Options,
          Models.Options,
          TrainModel.Options,
          Report.Options {

    @Description("How long the main job's burst of the event stream lasts; off skips the burst.")
    @Default.String("10s")
    String getStreamBurst();

    void setStreamBurst(String value);

    @Description(
        "Stages of the main job to leave out, comma separated: generate, ingest, curate, stream,"
            + " models, train, report. What they would write stays as an earlier run left it.")
    @Default.String("")
    String getSkip();

    void setSkip(String value);
  }

  /** The main job's stages, in the order it runs them. */
  static final List<String> MAIN_JOB_STAGES =
      List.of("generate", "ingest", "curate", "stream", "models", "train", "report");

  /** The stages {@code --skip} names; an unknown name is an error that lists the stages. */
  static java.util.Set<String> skippedStages(String skip) {
    java.util.Set<String> stages = new java.util.LinkedHashSet<>();
    for (String name : skip.split(",")) {
      String stage = name.trim();
      if (stage.isEmpty()) {
        continue;
      }
      if (!MAIN_JOB_STAGES.contains(stage)) {
        throw new IllegalArgumentException(
            "--skip: unknown stage '"
                + stage
                + "'; the stages are "
                + String.join(", ", MAIN_JOB_STAGES));
      }
      stages.add(stage);
    }
    return stages;
  }

  private static <T> @Nullable T skippedOnBigQuery(String note) {
    System.out.println(note);
    return null;
  }

  private static void runMainJob(MainJobOptions options) {
    long started = System.nanoTime();
    System.out.printf(
        "fakelake run: lake=%s runner=%s seed=%d scale=%s locale=%s warehouse=%s%n",
        options.getLake(),
        options.getRunner().getSimpleName(),
        options.getSeed(),
        options.getScale(),
        options.getLocale(),
        options.getWarehouse());
    java.util.Set<String> skip = skippedStages(options.getSkip());
    stage(1, "generate", skip, () -> generate(options));
    IngestPipeline.Summary ingest = stage(2, "ingest", skip, () -> ingest(options));
    CuratePipeline.Summary curate = stage(3, "curate", skip, () -> curate(options));
    StreamIngestPipeline.Summary stream = stage(4, "stream", skip, () -> streamBurst(options));
    Models.Summary models =
        stage(
            5,
            "models",
            skip,
            () ->
                Warehouses.isBigQuery(options)
                    ? skippedOnBigQuery(
                        "models: skipped; on BigQuery the Dataform repository's workflow runs them")
                    : models(options));
    TrainModel.Summary train =
        stage(
            6,
            "train",
            skip,
            () ->
                Warehouses.isBigQuery(options)
                    ? skippedOnBigQuery(
                        "train: skipped; on BigQuery the Dataform workflow trains with BigQuery ML")
                    : train(options));
    Report.Summary report =
        stage(
            7,
            "report",
            skip,
            () ->
                Warehouses.isBigQuery(options)
                    ? skippedOnBigQuery(
                        "report: skipped; on BigQuery the Looker Studio report (terraform output"
                            + " looker_studio_report) stands in for it")
                    : report(options));
    System.out.print(
        new MainJobSummary(
                (System.nanoTime() - started) / 1e9,
                options.getLake(),
                Warehouses.isBigQuery(options) ? null : DuckDbWarehouse.file(options.getLake()),
                warehouseLocation(options),
                ingest,
                curate,
                stream,
                models,
                train,
                report)
            .render());
  }

  /**
   * A burst of the event stream: stream-generate sends for {@code --streamBurst} while
   * stream-ingest reads alongside, and ingest stops once it has read everything the burst sent.
   * Both use the lake's embedded broker (or {@code --kafkaBootstrap}).
   */
  private static StreamIngestPipeline.Summary streamBurst(MainJobOptions options) {
    if (options.getStreamBurst().equals("off")) {
      System.out.println("stream: skipped (--streamBurst=off)");
      return null;
    }
    // Checks the option before anything starts.
    StreamOptions.parseDuration("streamBurst", options.getStreamBurst());
    try (Progress progress = Progress.start("stream burst")) {
      StreamSideBySide run = burst(options);
      System.out.print(run.sent().render());
      System.out.print(StreamIngestPipeline.render(run.read()));
      System.out.printf(
          "stream: a %s burst, %,d messages sent and read in %s%n",
          options.getStreamBurst(),
          run.read().counter("messages_read"),
          Progress.clock(progress.elapsedSeconds()));
      return run.read();
    }
  }

  /**
   * stream-generate for {@code --streamBurst} with stream-ingest alongside, on the lake's embedded
   * broker (or {@code --kafkaBootstrap}).
   */
  static StreamSideBySide burst(MainJobOptions options) {
    try (StreamTopic.Connection kafka = StreamTopic.connect(options, options.getLake())) {
      options.setKafkaBootstrap(kafka.bootstrap());
      return generateWhileIngesting(options, options.getStreamBurst(), false);
    }
  }

  /** What stream-generate sent and stream-ingest read, side by side. */
  record StreamSideBySide(StreamGeneratePipeline.Summary sent, StreamIngestPipeline.Summary read) {}

  /**
   * Runs stream-ingest in the background, on an independent copy of {@code options} and without
   * bounds of its own, while stream-generate sends for {@code generateFor} on this thread; then
   * stops ingest once it has read up to the offsets the topic ended at, and waits for it to drain.
   * Both use {@code options.getKafkaBootstrap()}, which must be set.
   *
   * @param afterReadersStart whether the generator waits until ingest's Kafka readers run (so that
   *     the events' latency does not include ingest's start-up), or starts at once
   */
  static StreamSideBySide generateWhileIngesting(
      MainJobOptions options, String generateFor, boolean afterReadersStart) {
    options.setLimit(0);
    options.setDuration(null);
    // Each pipeline gets its own options: stream-ingest turns on streaming for its run only.
    StreamIngestPipeline.Options ingestOptions =
        copyOf(options).as(StreamIngestPipeline.Options.class);
    // Forget the previous run's readers, so that the wait below sees this run's.
    StreamStop.reset(0, Map.of());
    java.util.concurrent.CompletableFuture<StreamIngestPipeline.Summary> ingest =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> StreamIngestPipeline.run(ingestOptions, StreamIngestPipeline.Bounds.NONE));
    StreamGeneratePipeline.Summary sent;
    try {
      if (afterReadersStart) {
        awaitReaders(
            ingest,
            StreamTopic.endOffsets(options.getKafkaBootstrap(), options.getKafkaTopic()).size());
      }
      options.setDuration(generateFor);
      sent = StreamGeneratePipeline.run(options);
    } catch (RuntimeException e) {
      StreamStop.request();
      throw e;
    }
    StreamStop.until(StreamTopic.endOffsets(options.getKafkaBootstrap(), options.getKafkaTopic()));
    try {
      return new StreamSideBySide(sent, ingest.join());
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * Waits until the Kafka readers of a stream-ingest run have started on every partition; fails
   * with ingest's own error if it ended first.
   */
  static void awaitReaders(java.util.concurrent.CompletableFuture<?> ingest, int partitions) {
    while (!StreamStop.readersStarted(partitions)) {
      if (ingest.isDone()) {
        try {
          ingest.join();
        } catch (java.util.concurrent.CompletionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        throw new IllegalStateException("stream-ingest ended before its readers started");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for stream-ingest", e);
      }
    }
  }

  /** An independent copy of a command's options, through the JSON form runners ship them in. */
  static PipelineOptions copyOf(PipelineOptions options) {
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .registerModules(
                com.fasterxml.jackson.databind.ObjectMapper.findModules(
                    org.apache.beam.sdk.util.common.ReflectHelpers.findClassLoader()));
    try {
      PipelineOptions copy =
          mapper.readValue(mapper.writeValueAsString(options), PipelineOptions.class);
      // The runner is not part of the JSON form.
      copy.setRunner(options.getRunner());
      return copy;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot copy the options: " + e.getMessage(), e);
    }
  }

  private static String warehouseLocation(MainJobOptions options) {
    return Warehouses.isBigQuery(options)
        ? "BigQuery project " + WarehouseOptions.bigQueryProject(options)
        : DuckDbWarehouse.file(options.getLake()).toString();
  }

  /** Runs one stage of the main job, naming the stage when it fails. */
  /**
   * Runs stage {@code number} of the main job under its heading, unless {@code skip} names it; a
   * skipped stage (or one that does not apply, which returns null) gives null.
   */
  private static <T> @Nullable T stage(
      int number,
      String name,
      java.util.Set<String> skip,
      java.util.function.Supplier<@Nullable T> body) {
    System.out.printf(
        "== stage %d/%d: %s%n",
        number, MAIN_JOB_STAGES.size(), name.equals("stream") ? "stream burst" : name);
    if (skip.contains(name)) {
      System.out.println(name + ": skipped (--skip)");
      return null;
    }
    return stage(name, body);
  }

  private static <T> T stage(String name, java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("stage " + name + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new StageFailedException(name, e);
    }
  }

  /** A stage of the main job failed; what it wrote so far is left for a rerun to resume. */
  static final class StageFailedException extends RuntimeException {
    StageFailedException(String stage, RuntimeException cause) {
      super("stage " + stage + " failed: " + rootCause(cause), cause);
    }
  }

  static String usage() {
    StringBuilder out =
        new StringBuilder("Usage: ./fakelake COMMAND [--option=value ...]\n\nCommands:\n");
    SUMMARIES.forEach((name, summary) -> out.append(String.format("  %-10s %s%n", name, summary)));
    out.append("\n./fakelake COMMAND --help lists the command's options with their defaults.\n");
    return out.toString();
  }

  /** Every option of a command, with its description and default. */
  static String help(String command) {
    StringBuilder out =
        new StringBuilder("Usage: ./fakelake " + command + " [--option=value ...]\n");
    out.append(SUMMARIES.get(command)).append("\n\nOptions:\n");
    Arrays.stream(COMMANDS.get(command).getMethods())
        .filter(m -> m.getName().startsWith("get") && m.getParameterCount() == 0)
        .filter(m -> m.isAnnotationPresent(Description.class))
        .filter(m -> m.getDeclaringClass().getPackageName().startsWith("dev.fakelake"))
        .sorted(Comparator.comparing(Fakelake::optionName))
        .forEach(
            m ->
                out.append(
                    String.format(
                        "  --%-22s %s (default: %s)%n",
                        optionName(m), m.getAnnotation(Description.class).value(), defaultOf(m))));
    out.append("\nRunner options (Beam):\n");
    out.append(
        String.format(
            "  --%-22s %s%n", "runner", "FlinkRunner (default, [local]) or DirectRunner"));
    out.append(
        String.format(
            "  --%-22s %s%n", "flinkMaster", "[local] (default) or HOST:PORT of a Flink cluster"));
    out.append(
        String.format(
            "  --%-22s %s%n", "parallelism", "Flink parallelism (default: number of cores)"));
    out.append(
        String.format(
            "  --%-22s %s%n",
            "targetParallelism", "Direct runner threads (default: max(cores, 3))"));
    return out.toString();
  }

  private static String optionName(Method getter) {
    String name = getter.getName().substring(3);
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  private static String defaultOf(Method getter) {
    if (getter.isAnnotationPresent(Default.String.class)) {
      String value = getter.getAnnotation(Default.String.class).value();
      return value.isEmpty() ? "empty" : value;
    } else if (getter.isAnnotationPresent(Default.Long.class)) {
      return String.valueOf(getter.getAnnotation(Default.Long.class).value());
    } else if (getter.isAnnotationPresent(Default.Integer.class)) {
      return String.valueOf(getter.getAnnotation(Default.Integer.class).value());
    } else if (getter.isAnnotationPresent(Default.Double.class)) {
      return String.valueOf(getter.getAnnotation(Default.Double.class).value());
    } else if (getter.isAnnotationPresent(Default.Boolean.class)) {
      return String.valueOf(getter.getAnnotation(Default.Boolean.class).value());
    }
    return "derived from --scale";
  }

  static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return cause == e ? message : message + " (" + e.getMessage() + ")";
  }
}
