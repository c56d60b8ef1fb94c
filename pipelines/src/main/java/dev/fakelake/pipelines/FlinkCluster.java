package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink session cluster on this machine: one JobManager and N TaskManagers, each its own process,
 * run from the jars of the {@code flink-cluster} module. Their configuration, logs and temporary
 * files live in {@code LAKE/_cluster/}, with the processes' ids in {@code cluster.properties}, so
 * that {@code status} and {@code stop} find exactly the processes that {@code start} started.
 *
 * <pre>{@code
 * ./fakelake cluster start --taskmanagers=2 --slots=2
 * ./fakelake run --flinkMaster=127.0.0.1:8081
 * ./fakelake cluster status
 * ./fakelake cluster stop
 * }</pre>
 *
 * <p>The configuration makes Beam batch jobs run and survive a lost TaskManager: enough network
 * memory for Beam's shuffles, a fixed-delay restart strategy that restarts the whole job on the
 * TaskManagers left, and heartbeat and slot-request timeouts of 20 s, so that a job whose last
 * TaskManager is gone fails in about a minute and a half instead of waiting for minutes.
 */
final class FlinkCluster {

  /** Options of {@code ./fakelake cluster start|status|stop}. */
  public interface Options extends FakelakeOptions {
    @Description("TaskManager processes that cluster start runs.")
    @Default.Integer(2)
    int getTaskmanagers();

    void setTaskmanagers(int value);

    @Description(
        "Task slots per TaskManager; a job on the cluster runs with one TaskManager's slots, so"
            + " that it survives losing the others.")
    @Default.Integer(2)
    int getSlots();

    void setSlots(int value);

    @Description("Port of the JobManager's REST API and web UI; 0 picks a free one.")
    @Default.Integer(8081)
    int getRestPort();

    void setRestPort(int value);

    @Description("Memory of each TaskManager process (Flink's taskmanager.memory.process.size).")
    @Default.String("2048m")
    String getTaskmanagerMemory();

    void setTaskmanagerMemory(String value);
  }

  static final String HOST = "127.0.0.1";
  private static final String STATE_FILE = "cluster.properties";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * The JVM flags Flink's own scripts give its processes on Java 17 ({@code env.java.opts.all} of
   * Flink 1.19's default configuration), plus those Beam's coders need.
   */
  private static final List<String> JAVA_17_FLAGS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  /** A cluster's recorded processes and address. */
  record Running(
      Path home, String restAddress, long jobManagerPid, Map<String, Long> taskManagers) {

    /** The web UI and REST API. */
    String webUrl() {
      return "http://" + restAddress;
    }

    List<Long> pids() {
      List<Long> pids = new ArrayList<>(taskManagers.values());
      pids.add(jobManagerPid);
      return pids;
    }
  }

  private FlinkCluster() {}

  /** Runs {@code start}, {@code status} or {@code stop}; returns the process exit code. */
  static int run(String action, Options options) {
    Path home = home(options.getLake());
    switch (action) {
      case "start" -> {
        Optional<Running> already = running(home);
        if (already.isPresent()) {
          System.out.println(
              "cluster: already running at " + already.get().restAddress() + " (" + home + ")");
          return 0;
        }
        long started = System.nanoTime();
        Running cluster = start(options);
        System.out.printf(
            "cluster: up in %s: a JobManager (pid %d) and %d TaskManagers with %d slots each%n"
                + "   REST: %s   web UI: %s%n"
                + "   run on it: ./fakelake run --flinkMaster=%s%n"
                + "   logs: %s%n",
            Progress.clock((System.nanoTime() - started) / 1e9),
            cluster.jobManagerPid(),
            cluster.taskManagers().size(),
            options.getSlots(),
            cluster.restAddress(),
            cluster.webUrl(),
            cluster.restAddress(),
            home.resolve("log"));
        return 0;
      }
      case "status" -> {
        return status(home) ? 0 : 1;
      }
      case "stop" -> {
        stop(home);
        return 0;
      }
      default ->
          throw new IllegalArgumentException(
              "unknown cluster action '" + action + "': use start, status or stop");
    }
  }

  /** Where the cluster of a lake keeps its configuration, logs and process ids. */
  static Path home(String lake) {
    return Path.of(lake).toAbsolutePath().normalize().resolve("_cluster");
  }

  /**
   * Starts a JobManager and {@code --taskmanagers} TaskManagers and waits until all have
   * registered; stops what it started if that does not happen.
   */
  static Running start(Options options) {
    if (options.getTaskmanagers() < 1 || options.getSlots() < 1) {
      throw new IllegalArgumentException("--taskmanagers and --slots must be at least 1");
    }
    Path home = home(options.getLake());
    int restPort = options.getRestPort() == 0 ? freePort() : options.getRestPort();
    if (!isFree(restPort)) {
      throw new IllegalArgumentException(
          "port "
              + restPort
              + " is in use: pass --restPort=PORT for the cluster's REST API (0 picks a free one)");
    }
    Map<String, String> settings = settings(home, options, restPort, freePort());
    try {
      Files.createDirectories(home.resolve("log"));
      Files.createDirectories(home.resolve("tmp"));
      writeConfiguration(home.resolve("conf"), settings);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the cluster's configuration in " + home, e);
    }
    Configuration configuration = Configuration.fromMap(settings);
    TaskExecutorProcessSpec taskManagerSpec;
    try {
      taskManagerSpec =
          TaskExecutorProcessUtils.processSpecFromConfig(
              TaskExecutorProcessUtils.getConfigurationMapLegacyTaskManagerHeapSizeToConfigOption(
                  configuration, TaskManagerOptions.TOTAL_PROCESS_MEMORY));
    } catch (IllegalConfigurationException e) {
      throw new IllegalArgumentException(
          "--taskmanagerMemory="
              + options.getTaskmanagerMemory()
              + " does not fit: "
              + e.getMessage(),
          e);
    }
    String classpath = clusterClasspath();
    long jobManager =
        launch(
            home,
            "jobmanager",
            classpath,
            jobManagerJvmFlags(configuration),
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            List.of());
    Map<String, Long> taskManagers = new LinkedHashMap<>();
    Running cluster = new Running(home, HOST + ":" + restPort, jobManager, taskManagers);
    for (int i = 1; i <= options.getTaskmanagers(); i++) {
      String id = "taskmanager-" + i;
      List<String> dynamic = new ArrayList<>(List.of("-D", "taskmanager.resource-id=" + id));
      dynamic.addAll(
          Arrays.asList(
              TaskExecutorProcessUtils.generateDynamicConfigsStr(taskManagerSpec)
                  .trim()
                  .split(" ")));
      taskManagers.put(
          id,
          launch(
              home,
              id,
              classpath,
              ProcessMemoryUtils.generateJvmParametersStr(taskManagerSpec),
              "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
              dynamic));
    }
    record(cluster);
    try {
      awaitTaskManagers(cluster, options.getTaskmanagers());
    } catch (RuntimeException e) {
      stop(home);
      throw e;
    }
    return cluster;
  }

  /** Prints the recorded processes and what the JobManager reports; whether the cluster is up. */
  static boolean status(Path home) {
    Optional<Running> recorded = recorded(home);
    if (recorded.isEmpty()) {
      System.out.println("cluster: not running (nothing recorded in " + home + ")");
      return false;
    }
    Running cluster = recorded.get();
    System.out.printf("cluster: %s (web UI %s)%n", cluster.restAddress(), cluster.webUrl());
    System.out.printf(
        "   jobmanager      pid %-8d %s%n",
        cluster.jobManagerPid(), isOurs(cluster.jobManagerPid(), home) ? "running" : "gone");
    cluster
        .taskManagers()
        .forEach(
            (id, pid) ->
                System.out.printf(
                    "   %-15s pid %-8d %s%n", id, pid, isOurs(pid, home) ? "running" : "gone"));
    try {
      JsonNode overview = get(cluster.restAddress(), "/overview");
      System.out.printf(
          "   %d TaskManagers registered, %d of %d slots free; jobs: %d running, %d finished,"
              + " %d failed, %d cancelled%n",
          overview.path("taskmanagers").asInt(),
          overview.path("slots-available").asInt(),
          overview.path("slots-total").asInt(),
          overview.path("jobs-running").asInt(),
          overview.path("jobs-finished").asInt(),
          overview.path("jobs-failed").asInt(),
          overview.path("jobs-cancelled").asInt());
      return true;
    } catch (IllegalStateException e) {
      System.out.println("   the JobManager does not answer: " + e.getMessage());
      return false;
    }
  }

  /**
   * Stops the recorded processes: TaskManagers first, then the JobManager; each gets TERM, then
   * KILL if it has not ended within 15 s. A recorded id that now belongs to another process is left
   * alone.
   */
  static void stop(Path home) {
    Optional<Running> recorded = recorded(home);
    if (recorded.isEmpty()) {
      System.out.println("cluster: not running (nothing recorded in " + home + ")");
      return;
    }
    Running cluster = recorded.get();
    List<ProcessHandle> stopping = new ArrayList<>();
    for (long pid : cluster.pids()) {
      if (isOurs(pid, home)) {
        ProcessHandle.of(pid)
            .ifPresent(
                process -> {
                  process.destroy();
                  stopping.add(process);
                });
      }
    }
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (ProcessHandle process : stopping) {
      try {
        process
            .onExit()
            .get(
                Math.max(1, deadline - System.nanoTime()),
                java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        process.destroyForcibly();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("Cannot wait for process " + process.pid(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while stopping the cluster", e);
      }
    }
    try {
      Files.delete(home.resolve(STATE_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + home.resolve(STATE_FILE), e);
    }
    System.out.printf(
        "cluster: stopped %d processes (logs kept in %s)%n", stopping.size(), home.resolve("log"));
  }

  /** The cluster recorded in {@code home}, if its JobManager still runs. */
  static Optional<Running> running(Path home) {
    return recorded(home).filter(cluster -> isOurs(cluster.jobManagerPid(), home));
  }

  /**
   * Readies a command's options for a Flink cluster given as {@code --flinkMaster=HOST:PORT}, and
   * does nothing on other runners and on Flink's in-process cluster:
   *
   * <ul>
   *   <li>checks that the cluster answers and has a TaskManager, with a clear error otherwise;
   *   <li>stages the command's classpath without Flink's own jars, which the cluster has, and those
   *       only the command's JVM uses (unless {@code --filesToStage} is given);
   *   <li>runs the job with the slots of one TaskManager (unless {@code --parallelism} is given),
   *       so that it can restart on any one TaskManager left after losing the others;
   *   <li>makes a local lake path absolute, since the TaskManagers run in another directory.
   * </ul>
   */
  static void prepareSubmission(PipelineOptions options) {
    if (!isRemote(options)) {
      return;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String master = flink.getFlinkMaster();
    Map<String, Integer> slots;
    try {
      slots = taskManagerSlots(master);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(
          "cannot reach the Flink cluster at --flinkMaster="
              + master
              + ": "
              + e.getMessage()
              + ". Start one with ./fakelake cluster start, or give the REST address of yours.",
          e);
    }
    if (slots.isEmpty()) {
      throw new IllegalArgumentException(
          "the Flink cluster at " + master + " has no TaskManager to run the job");
    }
    if (flink.getFilesToStage() == null) {
      flink.setFilesToStage(jobFiles(options));
    }
    if (flink.getParallelism() == null || flink.getParallelism() < 1) {
      flink.setParallelism(slots.values().stream().mapToInt(Integer::intValue).min().orElse(1));
    }
    FakelakeOptions fakelake = options.as(FakelakeOptions.class);
    if (!fakelake.getLake().contains("://")) {
      fakelake.setLake(Path.of(fakelake.getLake()).toAbsolutePath().normalize().toString());
    }
  }

  /**
   * For a streaming job on Flink's in-process cluster, unless {@code --parallelism} is given: one
   * copy of the job per four cores. A streaming job runs all its chains at once, each in a thread
   * of its own, and about four of stream-ingest's are busy (the Kafka read and parse, enrichment,
   * the enriched rows' write, the rating join); more copies than that only add threads and channels
   * between them. On two cores one copy read a 200,000-message backlog with 15% less CPU than
   * Flink's default, a copy per core.
   */
  static void useStreamingParallelism(PipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (FlinkRunner.class.equals(options.getRunner())
        && !isRemote(options)
        && (flink.getParallelism() == null || flink.getParallelism() < 1)) {
      flink.setParallelism(Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
    }
  }

  /**
   * Whether the options run on a Flink cluster given by {@code --flinkMaster=HOST:PORT}, rather
   * than another runner or Flink's in-process cluster ({@code [local]}, {@code [auto]}).
   */
  static boolean isRemote(PipelineOptions options) {
    return FlinkRunner.class.equals(options.getRunner())
        && !options.as(FlinkPipelineOptions.class).getFlinkMaster().startsWith("[");
  }

  /**
   * After a command's job failed on a Flink cluster: where it ran and how many TaskManagers the
   * cluster has now, since a job that lost its TaskManagers fails once its restarts are used up.
   * Empty for other runners.
   */
  static Optional<String> describeAfterFailure(PipelineOptions options) {
    if (!isRemote(options)) {
      return Optional.empty();
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    String state;
    try {
      JsonNode overview = get(master, "/overview");
      state =
          "which has "
              + overview.path("taskmanagers").asInt()
              + " TaskManagers registered now ("
              + overview.path("slots-available").asInt()
              + " free slots); a job restarts twice on the TaskManagers left, then fails";
    } catch (IllegalStateException e) {
      state = "which does not answer now";
    }
    return Optional.of(
        "The job ran on the Flink cluster at "
            + master
            + ", "
            + state
            + ". Its exceptions are in the web UI, http://"
            + master
            + "; what the command wrote so far is not committed, and running it again resumes.");
  }

  /**
   * Jars of this command's classpath that a job on the cluster does not stage, by their path in the
   * Maven repository: Flink's own, which the cluster has, and those only this command's JVM uses
   * (the embedded PostgreSQL binaries, DuckDB, the embedded Kafka broker and the Direct runner).
   * They are nearly half the classpath's bytes, and the cluster takes every staged byte through its
   * REST API for every job.
   */
  private static final java.util.regex.Pattern NOT_STAGED =
      java.util.regex.Pattern.compile(
          "/org/apache/flink/"
              + "|/io/zonky/test/postgres/"
              + "|/org/duckdb/"
              + "|/org/apache/kafka/kafka(?!-clients/)[^/]*/|/org/scala-lang/|/com/typesafe/scala-"
              + "|/org/apache/beam/beam-runners-direct-java/");

  /** What a job on the cluster stages: this command's classpath, found as Beam finds it. */
  static List<String> jobFiles(PipelineOptions options) {
    return PipelineResources.detectClassPathResourcesToStage(
            FlinkCluster.class.getClassLoader(), options)
        .stream()
        .filter(file -> !NOT_STAGED.matcher(file.replace('\\', '/')).find())
        .toList();
  }

  // ---------------------------------------------------------------------------------------------
  // The REST API.

  /** A GET of the JobManager's REST API, as JSON; fails with a message naming the address. */
  static JsonNode get(String restAddress, String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://" + restAddress + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(
          "no Flink REST API at " + restAddress + " (" + e.getClass().getSimpleName() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while asking " + restAddress, e);
    }
  }

  /** The ids of the TaskManagers registered with the cluster, with the slots each offers. */
  static Map<String, Integer> taskManagerSlots(String restAddress) {
    Map<String, Integer> slots = new LinkedHashMap<>();
    for (JsonNode taskManager : get(restAddress, "/taskmanagers").path("taskmanagers")) {
      slots.put(taskManager.path("id").asText(), taskManager.path("slotsNumber").asInt());
    }
    return slots;
  }

  private static void awaitTaskManagers(Running cluster, int expected) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      for (long pid : cluster.pids()) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
          throw new IllegalStateException(
              "a cluster process (pid "
                  + pid
                  + ") ended while starting; see the logs in "
                  + cluster.home().resolve("log")
                  + lastLines(cluster.home().resolve("log")));
        }
      }
      try {
        if (get(cluster.restAddress(), "/overview").path("taskmanagers").asInt() >= expected) {
          return;
        }
      } catch (IllegalStateException e) {
        // Not up yet.
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the cluster did not register "
                + expected
                + " TaskManagers within "
                + READY_TIMEOUT.toSeconds()
                + " s; see the logs in "
                + cluster.home().resolve("log"));
      }
      sleep(250);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration and processes.

  /** The cluster's configuration: Flink's {@code config.yaml} as flat keys. */
  static Map<String, String> settings(Path home, Options options, int restPort, int rpcPort) {
    Map<String, String> settings = new LinkedHashMap<>();
    // Everything on loopback; TaskManagers pick free ports (fixed ranges collide).
    settings.put("jobmanager.rpc.address", HOST);
    settings.put("jobmanager.rpc.port", String.valueOf(rpcPort));
    settings.put("jobmanager.bind-host", HOST);
    settings.put("rest.address", HOST);
    settings.put("rest.bind-address", HOST);
    settings.put("rest.port", String.valueOf(restPort));
    settings.put("taskmanager.host", HOST);
    settings.put("taskmanager.bind-host", HOST);
    settings.put("taskmanager.rpc.port", "0");
    settings.put("taskmanager.data.port", "0");
    settings.put("blob.server.port", "0");
    // Memory and slots.
    settings.put("jobmanager.memory.process.size", "1024m");
    settings.put("taskmanager.memory.process.size", options.getTaskmanagerMemory());
    settings.put("taskmanager.numberOfTaskSlots", String.valueOf(options.getSlots()));
    settings.put("parallelism.default", String.valueOf(options.getSlots()));
    // Beam's streaming jobs keep their state on the heap; its batch sorts need little managed
    // memory at this size. A TaskManager out of heap exits, and its jobs restart on the others.
    settings.put("taskmanager.memory.managed.fraction", "0.2");
    settings.put("taskmanager.jvm-exit-on-oom", "true");
    // Beam's batch shuffles fail with "Insufficient number of network buffers" on the defaults.
    settings.put("taskmanager.memory.network.min", "256m");
    settings.put("taskmanager.memory.network.max", "256m");
    settings.put("taskmanager.network.sort-shuffle.min-buffers", "128");
    // Without checkpointing nothing restarts by default: restart the whole job on the
    // TaskManagers left, twice at most.
    settings.put("restart-strategy.type", "fixed-delay");
    settings.put("restart-strategy.fixed-delay.attempts", "2");
    settings.put("restart-strategy.fixed-delay.delay", "2 s");
    settings.put("jobmanager.execution.failover-strategy", "full");
    // A lost TaskManager is noticed after 20 s, and a job waits 20 s for slots, not 5 minutes.
    settings.put("heartbeat.interval", "4000");
    settings.put("heartbeat.timeout", "20000");
    settings.put("slot.request.timeout", "20000");
    // Deploying a task of a large Beam graph (curate's) to a busy TaskManager can take more than
    // the default 10 s.
    settings.put("pekko.ask.timeout", "60 s");
    // Beam's job classes stay referenced by Flink's threads for a while after a job ends.
    settings.put("classloader.check-leaked-classloader", "false");
    settings.put("io.tmp.dirs", home.resolve("tmp").toString());
    settings.put("blob.storage.directory", home.resolve("tmp").resolve("blob").toString());
    settings.put("web.tmpdir", home.resolve("tmp").resolve("web").toString());
    return settings;
  }

  private static void writeConfiguration(Path conf, Map<String, String> settings)
      throws IOException {
    Files.createDirectories(conf);
    Files.writeString(
        conf.resolve("config.yaml"),
        "# Written by ./fakelake cluster start; rewritten by the next start.\n"
            + settings.entrySet().stream()
                .map(e -> e.getKey() + ": " + quoted(e.getValue()))
                .collect(Collectors.joining("\n", "", "\n")));
    Files.writeString(
        conf.resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.append = true",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            ""));
  }

  private static String quoted(String value) {
    return value.matches("[A-Za-z0-9._/:-]+") ? value : "\"" + value.replace("\"", "\\\"") + "\"";
  }

  private static String jobManagerJvmFlags(Configuration configuration) {
    JobManagerProcessSpec spec =
        JobManagerProcessUtils.processSpecFromConfigWithNewOptionToInterpretLegacyHeap(
            configuration, JobManagerOptions.JVM_HEAP_MEMORY);
    return JobManagerProcessUtils.generateJvmParametersStr(spec, configuration);
  }

  /**
   * Starts one cluster process in its own session (so that it outlives the command and a Ctrl-C in
   * the terminal), logging to {@code log/NAME.log}; returns its process id.
   */
  private static long launch(
      Path home,
      String name,
      String classpath,
      String memoryFlags,
      String mainClass,
      List<String> arguments) {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid");
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(memoryFlags.trim().split("\\s+")));
    command.addAll(JAVA_17_FLAGS);
    command.add("-Dlog.file=" + home.resolve("log").resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=" + home.resolve("conf").resolve("log4j.properties"));
    command.add("-Dfakelake.cluster=" + home);
    command.addAll(
        List.of("-cp", classpath, mainClass, "--configDir", home.resolve("conf").toString()));
    command.addAll(arguments);
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(home.toFile())
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("log").resolve(name + ".out").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      // setsid execs java in place, so the process id is the JVM's.
      return process.pid();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the cluster's " + name, e);
    }
  }

  /**
   * The classpath the {@code flink-cluster} module writes, found above this class's location or the
   * working directory (as the Dataform project is).
   */
  static String clusterClasspath() {
    Path file =
        CheckoutFiles.find("flink-cluster/target/classpath.txt")
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Cannot find the Flink cluster's jars (flink-cluster/target/classpath.txt)"
                            + " above "
                            + CheckoutFiles.searchedFrom()
                            + ": build the project first (mvn -B package -DskipTests)"));
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  private static void record(Running cluster) {
    Properties properties = new Properties();
    properties.setProperty("rest", cluster.restAddress());
    properties.setProperty("jobmanager", String.valueOf(cluster.jobManagerPid()));
    cluster
        .taskManagers()
        .forEach((id, pid) -> properties.setProperty("taskmanager." + id, String.valueOf(pid)));
    try (var out = Files.newBufferedWriter(cluster.home().resolve(STATE_FILE))) {
      properties.store(out, "The Flink session cluster ./fakelake cluster start started");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot record the cluster's processes in " + cluster.home(), e);
    }
  }

  private static Optional<Running> recorded(Path home) {
    Path file = home.resolve(STATE_FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    Map<String, Long> taskManagers = new java.util.TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith("taskmanager.")) {
        taskManagers.put(
            key.substring("taskmanager.".length()), Long.parseLong(properties.getProperty(key)));
      }
    }
    return Optional.of(
        new Running(
            home,
            properties.getProperty("rest"),
            Long.parseLong(properties.getProperty("jobmanager")),
            taskManagers));
  }

  /** Whether a process id still belongs to a process this cluster started (ids are reused). */
  static boolean isOurs(long pid, Path home) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(process -> process.info().commandLine())
        .map(line -> line.contains("-Dfakelake.cluster=" + home + " "))
        .orElse(false);
  }

  private static String lastLines(Path logs) {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(logs)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".out")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        if (!lines.isEmpty()) {
          out.append("\n--- ").append(log.getFileName()).append(":\n");
          lines
              .subList(Math.max(0, lines.size() - 10), lines.size())
              .forEach(l -> out.append(l).append('\n'));
        }
      }
    } catch (IOException e) {
      // The message already names the folder.
    }
    return out.toString();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the cluster", e);
    }
  }
}
