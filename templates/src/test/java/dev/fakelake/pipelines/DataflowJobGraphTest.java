package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.dataflow.model.DataflowPackage;
import com.google.api.services.dataflow.model.Job;
import com.google.api.services.dataflow.model.Step;
import com.google.api.services.storage.Storage;
import dev.fakelake.templates.FlexTemplates;
import dev.fakelake.transforms.generate.GenerationSpec;
import dev.fakelake.transforms.ingest.SourceSpec;
import dev.fakelake.transforms.io.CaptureRawMessages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.dataflow.util.PackageUtil;
import org.apache.beam.runners.dataflow.util.Stager;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.extensions.gcp.util.GcsUtil;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.util.StringUtils;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xerial.snappy.SnappyInputStream;

/**
 * Every flex template's pipeline translates into a Dataflow job, offline: the graph is built as the
 * template's main class builds it on the launcher, from the arguments a launch passes (the
 * parameters Terraform sets, and the environment's project, region, locations and workers), and
 * {@link DataflowRunner} translates it and writes the job to {@code --templateLocation}, as it does
 * for the launcher. The test reads that job back and checks its steps.
 *
 * <p>What needs Google Cloud is replaced, and nothing else:
 *
 * <ul>
 *   <li>what a main class reads before it builds the graph (the source database's rows, the lake's
 *       listing, the ingest ledger) is given as the state of a lake after one cycle, and the
 *       database is not contacted ({@link SourceDatabase#unreached}); its password's secret is read
 *       by a fake Secret Manager that counts the reads and answers {@link #DB_PASSWORD_SENTINEL},
 *       so that the test can tell that the job never holds it;
 *   <li>no credentials ({@link NoopCredentialFactory}), no bucket checks ({@link
 *       NoopPathValidator}), Cloud Storage calls fail at once instead of after minutes of retries
 *       ({@link #unreachableStorage}: the runner's best-effort size estimate of the files curate
 *       reads is the only one it makes), staged files are not uploaded and a staged job graph is
 *       kept in a local folder ({@link LocalStaging}), and {@code --templateLocation} is a local
 *       file;
 *   <li>BigQueryIO's check that each dataset exists, which only BigQuery can answer, is the one
 *       validation left out of those {@code Pipeline.run} makes.
 * </ul>
 *
 * <p>The test lives in the pipelines' package so that it builds each graph through the same
 * package-private steps as the pipeline's {@code run}.
 */
class DataflowJobGraphTest {

  private static final String PROJECT = "fakelake-demo";
  private static final String REGION = "europe-west3";
  private static final String LAKE_BUCKET = "fakelake-demo-fakelake-lake";
  private static final String LAKE = "gs://" + LAKE_BUCKET;
  private static final String DATAFLOW_BUCKET = "gs://fakelake-demo-fakelake-dataflow";
  private static final String TOPIC = "projects/fakelake-demo/topics/fakelake-events";
  private static final String SUBSCRIPTION =
      "projects/fakelake-demo/subscriptions/fakelake-stream-ingest";
  private static final String JDBC_URL = "jdbc:postgresql://10.20.0.3:5432/shop";

  /** The secret version Terraform passes as jdbcPasswordSecret. */
  private static final String DB_PASSWORD_SECRET =
      "projects/fakelake-demo/secrets/fakelake-source-db-password/versions/latest";

  /** What the fake Secret Manager answers for the database password. */
  private static final String DB_PASSWORD_SENTINEL = "db-password-sentinel-5e1f0c";

  /** How often the fake Secret Manager was read while the graphs were built and translated. */
  private static final AtomicInteger SECRET_READS = new AtomicInteger();

  /**
   * The fake Secret Manager; capturing nothing, it serializes no value into the steps that carry
   * it.
   */
  private static final DatabasePassword.SecretReader FAKE_SECRET_MANAGER =
      version -> {
        SECRET_READS.incrementAndGet();
        return DB_PASSWORD_SENTINEL;
      };

  /** When the launch happens: the ingest batch, the curate run and the stream run's id. */
  private static final Instant LAUNCHED = Instant.parse("2026-03-01T06:00:00Z");

  @TempDir static Path folder;

  /** Where {@link LocalStaging} keeps what it stages. */
  private static Path staged;

  /** Jobs already translated, by template: each test checks one side of the same job. */
  private static final Map<String, Job> JOBS = new ConcurrentHashMap<>();

  private static final Map<String, String> DECODED_STEPS = new ConcurrentHashMap<>();

  /** A pipeline's graph, built from the launch arguments as its main class builds it. */
  private record Graph(
      List<String> parameters,
      Function<String[], Pipeline> build,
      String jobType,
      List<String> mainSteps,
      List<String> services) {

    boolean streaming() {
      return jobType.equals("JOB_TYPE_STREAMING");
    }
  }

  private static final Map<String, Graph> GRAPHS =
      Map.of(
          "generate",
          new Graph(
              List.of(
                  "--lake=" + LAKE,
                  "--jdbcUrl=" + JDBC_URL,
                  "--jdbcUser=fakelake",
                  "--jdbcPasswordSecret=" + DB_PASSWORD_SECRET),
              DataflowJobGraphTest::generate,
              "JOB_TYPE_BATCH",
              List.of(
                  "ClearPreviousOutput",
                  "GenerateCustomers",
                  "GenerateProducts",
                  "GenerateCarListingsBatch1",
                  "GenerateOrders",
                  "WriteOrdersToSourceDatabase",
                  "WriteOrderItemsToSourceDatabase",
                  "WriteTruth"),
              List.of(JDBC_URL, DB_PASSWORD_SECRET)),
          "ingest",
          new Graph(
              List.of(
                  "--lake=" + LAKE,
                  "--jdbcUrl=" + JDBC_URL,
                  "--jdbcUser=fakelake",
                  "--jdbcPasswordSecret=" + DB_PASSWORD_SECRET,
                  "--warehouse=bigquery",
                  "--bigQueryProject=" + PROJECT,
                  "--bigQueryDatasetLocation=EU"),
              DataflowJobGraphTest::ingest,
              "JOB_TYPE_BATCH",
              List.of(
                  "ReadCustomers",
                  "WriteCustomersToBronze",
                  "ReadProducts",
                  "ReadOrders",
                  "WriteOrdersToBronze",
                  "ReadOrderItems",
                  "WriteDeadLetters",
                  "WaitForWrites",
                  "WriteLoadStats",
                  "WriteLoadStatsToBigQuery",
                  "WriteAlertsToBigQuery",
                  "CommitBatch",
                  "ArchiveLandingFiles"),
              List.of(
                  JDBC_URL,
                  DB_PASSWORD_SECRET,
                  PROJECT + ":ops.load_stats",
                  PROJECT + ":ops.alerts")),
          "curate",
          new Graph(
              List.of(
                  "--lake=" + LAKE,
                  "--warehouse=bigquery",
                  "--bigQueryProject=" + PROJECT,
                  "--bigQueryDatasetLocation=EU"),
              DataflowJobGraphTest::curate,
              "JOB_TYPE_BATCH",
              List.of(
                  "ReadBronzeCustomers",
                  "DeduplicateCustomers",
                  "CurateOrders",
                  "BuildGoldTables",
                  "WriteSilverOrdersToLake",
                  "RemoveStaleSilverOrdersFiles",
                  "WriteSilverOrdersToBigQuery",
                  "ScoreQuality",
                  "WriteScoresToBigQuery"),
              List.of(PROJECT + ":silver.orders", PROJECT + ":ops.quality_scores")),
          "stream-generate",
          new Graph(
              List.of("--lake=" + LAKE, "--rate=50", "--pubsubTopic=" + TOPIC),
              DataflowJobGraphTest::streamGenerate,
              "JOB_TYPE_STREAMING",
              List.of("GenerateEvents", "PublishToPubsub", "WriteTruth"),
              // The service's form of projects/P/topics/T.
              List.of("/topics/fakelake-demo/fakelake-events")),
          "stream-ingest",
          new Graph(
              List.of(
                  "--lake=" + LAKE,
                  "--pubsubSubscription=" + SUBSCRIPTION,
                  "--warehouse=bigquery",
                  "--bigQueryProject=" + PROJECT,
                  "--bigQueryDatasetLocation=EU"),
              DataflowJobGraphTest::streamIngest,
              "JOB_TYPE_STREAMING",
              List.of(
                  "ReadPubsub",
                  "CaptureRawMessages",
                  "ParseMessages",
                  "ReadCapture0",
                  "ReadCustomers",
                  "ReadVipCustomers",
                  "EnrichPageviews",
                  "WriteSilverPageviewsEnrichedToBigQuery",
                  "WriteGoldSessionsToBigQuery",
                  "WriteDeadLetters"),
              List.of(
                  "/subscriptions/fakelake-demo/fakelake-stream-ingest",
                  PROJECT + ":silver.pageviews_enriched",
                  PROJECT + ":gold.sessions")));

  static List<String> templates() {
    return FlexTemplates.ALL.stream().map(FlexTemplates.Template::name).toList();
  }

  @Test
  void everyFlexTemplateHasItsGraphHere() {
    assertEquals(new TreeSet<>(templates()), new TreeSet<>(GRAPHS.keySet()));
  }

  @Test
  void aTemplateLaunchReturnsOnceTheJobIsWrittenWithoutWaitingForIt() throws IOException {
    Path jobFile = folder.resolve("launch-job_object");
    staged = folder.resolve("launch-staging");
    List<String> args = new ArrayList<>(launchEnvironment("generate", false));
    args.add("--templateLocation=" + jobFile);
    args.addAll(offline());
    args.addAll(GRAPHS.get("generate").parameters());
    Pipeline pipeline = generate(args.toArray(String[]::new));

    // Waiting on the result of a template's creation, or reading its metrics, would throw.
    PipelineRuns.run(pipeline);

    assertTrue(PipelineRuns.isTemplateLaunch(pipeline.getOptions()));
    Job job = Transport.getJsonFactory().fromString(Files.readString(jobFile), Job.class);
    assertEquals("JOB_TYPE_BATCH", job.getType());
  }

  @Test
  void theCommandIsNoTemplateLaunch() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--lake=" + LAKE).create();

    assertFalse(PipelineRuns.isTemplateLaunch(options));
  }

  @ParameterizedTest
  @MethodSource("templates")
  void theJobHasThePipelinesMainSteps(String template) {
    Set<String> steps = userNames(job(template));

    for (String step : GRAPHS.get(template).mainSteps()) {
      assertTrue(
          steps.stream().anyMatch(s -> s.equals(step) || s.startsWith(step + "/")),
          () -> template + " has no step " + step + " among " + steps);
    }
  }

  @ParameterizedTest
  @MethodSource("templates")
  void onlyTheStreamPairIsAStreamingJob(String template) {
    assertEquals(GRAPHS.get(template).jobType(), job(template).getType(), template);
  }

  @ParameterizedTest
  @MethodSource("templates")
  void noStepNamesALocalPath(String template) {
    String steps = decodedSteps(template);
    String workingDirectory = Path.of("").toAbsolutePath().toString();

    for (String local : List.of("file:", "fakelake-data", workingDirectory, folder.toString())) {
      assertFalse(steps.contains(local), () -> template + "'s steps name " + local);
    }
  }

  @ParameterizedTest
  @MethodSource("templates")
  void theStepsReadAndWriteTheLakeBucketAndTheirServices(String template) {
    String steps = decodedSteps(template);

    // A serialized GCS path holds the bucket and the object name apart.
    assertTrue(steps.contains(LAKE_BUCKET), () -> template + "'s steps never name " + LAKE);
    for (String service : GRAPHS.get(template).services()) {
      assertTrue(steps.contains(service), () -> template + "'s steps never name " + service);
    }
  }

  @ParameterizedTest
  @MethodSource("templates")
  void theJobNeverHoldsTheDatabasePasswordNorReadsIt(String template) throws IOException {
    Job job = job(template);
    String options = Transport.getJsonFactory().toString(job.getEnvironment());
    String steps = decodedSteps(template);
    boolean usesDatabase =
        GRAPHS.get(template).parameters().stream().anyMatch(p -> p.startsWith("--jdbcUrl="));

    assertFalse(options.contains(DB_PASSWORD_SENTINEL), () -> template + "'s options hold it");
    assertFalse(steps.contains(DB_PASSWORD_SENTINEL), () -> template + "'s steps hold it");
    assertEquals(0, SECRET_READS.get(), "the secret was read while the graph was built");
    if (usesDatabase) {
      assertTrue(
          options.contains(DB_PASSWORD_SECRET), () -> template + "'s options name no secret");
      assertTrue(
          steps.contains(SourceDataSource.class.getName()),
          () ->
              template + "'s steps reach the database another way than " + SourceDataSource.class);
    }
  }

  private static synchronized Job job(String template) {
    return JOBS.computeIfAbsent(template, DataflowJobGraphTest::translate);
  }

  /**
   * Builds the template's graph and translates it as the launcher does; a graph too large for one
   * request is staged by the runner and read back from there, as the service reads it.
   */
  private static Job translate(String template) {
    Graph graph = GRAPHS.get(template);
    Path jobFile = folder.resolve(template + "-job_object");
    staged = folder.resolve(template + "-staging");
    List<String> args = new ArrayList<>(launchEnvironment(template, graph.streaming()));
    args.add("--templateLocation=" + jobFile);
    args.addAll(offline());
    args.addAll(graph.parameters());
    Pipeline pipeline = graph.build().apply(args.toArray(String[]::new));
    DataflowRunner runner = DataflowRunner.fromOptions(pipeline.getOptions());
    validateAllButBigQueryDatasets(pipeline);
    runner.run(pipeline);
    try {
      Job job = Transport.getJsonFactory().fromString(Files.readString(jobFile), Job.class);
      if (job.getStepsLocation() != null) {
        String name = job.getStepsLocation().substring(job.getStepsLocation().lastIndexOf('/') + 1);
        job.setSteps(
            Transport.getJsonFactory()
                .fromString(Files.readString(staged.resolve(name)), Job.class)
                .getSteps());
      }
      return job;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a flex template launch passes besides the parameters (terraform-gcp's environment). */
  private static List<String> launchEnvironment(String template, boolean streaming) {
    List<String> environment =
        new ArrayList<>(
            List.of(
                "--runner=DataflowRunner",
                "--project=" + PROJECT,
                "--region=" + REGION,
                "--jobName=fakelake-" + template,
                "--serviceAccount=fakelake-"
                    + template
                    + "@"
                    + PROJECT
                    + ".iam.gserviceaccount.com",
                "--subnetwork=regions/" + REGION + "/subnetworks/fakelake-dataflow",
                "--usePublicIps=false",
                "--maxNumWorkers=4",
                "--tempLocation=" + DATAFLOW_BUCKET + "/temp",
                "--stagingLocation=" + DATAFLOW_BUCKET + "/staging",
                "--labels={\"app\":\"fakelake\"}"));
    if (streaming) {
      // google_dataflow_flex_template_job.stream sets enable_streaming_engine.
      environment.add("--enableStreamingEngine=true");
    }
    return environment;
  }

  /** What keeps the runner from reaching Google Cloud. */
  private static List<String> offline() {
    Path pipelinesCode;
    try {
      pipelinesCode =
          Path.of(
              GeneratePipeline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return List.of(
        "--credentialFactoryClass=" + NoopCredentialFactory.class.getName(),
        "--pathValidatorClass=" + NoopPathValidator.class.getName(),
        "--stagerClass=" + LocalStaging.class.getName(),
        // The launcher stages its whole classpath; hashing it here would only cost time.
        "--filesToStage=" + pipelinesCode);
  }

  /**
   * Everything {@code Pipeline.run} validates, but whether BigQuery has each dataset, which only
   * BigQuery can answer.
   */
  private static void validateAllButBigQueryDatasets(Pipeline pipeline) {
    PipelineOptions options = pipeline.getOptions();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (node.getTransform() != null && !(node.getTransform() instanceof BigQueryIO.Write)) {
              node.getTransform().validate(options, node.getInputs(), node.getOutputs());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            node.getTransform().validate(options, node.getInputs(), node.getOutputs());
          }
        });
  }

  /** Parses the arguments as the main class does, with Cloud Storage out of reach. */
  private static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    PipelineOptionsFactory.register(type);
    T options = PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    options.as(GcsOptions.class).setGcsUtil(unreachableStorage(options));
    return options;
  }

  /**
   * Cloud Storage as this machine sees it, unreachable, but failing at the first attempt: Beam's
   * own client retries each call for minutes first.
   */
  private static GcsUtil unreachableStorage(PipelineOptions options) {
    HttpTransport unreachable =
        new HttpTransport() {
          @Override
          protected LowLevelHttpRequest buildRequest(String method, String url) throws IOException {
            throw new IOException("Cloud Storage is not reachable from this test: " + url);
          }
        };
    Storage storage =
        new Storage.Builder(unreachable, GsonFactory.getDefaultInstance(), request -> {})
            .setApplicationName("fakelake-dataflow-job-graph-test")
            .build();
    return GcsUtil.GcsUtilFactory.create(
        options,
        storage,
        request -> {},
        Executors.newSingleThreadExecutor(),
        null,
        null,
        GcsUtil.GcsCountersOptions.create(null, null),
        options.as(GcsOptions.class).getGoogleCloudStorageReadOptions());
  }

  /** As {@link GeneratePipeline#run}, with the source database not contacted. */
  private static Pipeline generate(String[] args) {
    GeneratePipeline.Options options = parse(args, GeneratePipeline.Options.class);
    GenerationSpec spec = GeneratePipeline.spec(options);
    Pipeline pipeline = Pipeline.create(options);
    GeneratePipeline.build(
        pipeline,
        options.getLake(),
        spec,
        GeneratePipeline.entities(options.getEntities()),
        SourceDatabase.unreached(
            options.getJdbcUrl(),
            options.getJdbcUser(),
            DatabasePassword.of(options, FAKE_SECRET_MANAGER)));
    return pipeline;
  }

  /**
   * As {@link IngestPipeline#run}, with the batch it would plan on a lake that generate has just
   * filled: one landing file per file source, and every source table from its first row.
   */
  private static Pipeline ingest(String[] args) {
    IngestPipeline.Options options = parse(args, IngestPipeline.Options.class);
    WarehouseOptions.validate(options);
    List<SourceSpec> sources = SourcesFile.load(options.getSources());
    List<IngestBatch.LandingFile> files = new ArrayList<>();
    List<IngestBatch.TableRange> tables = new ArrayList<>();
    for (SourceSpec source : sources) {
      if (source.isFiles()) {
        String path = options.getLake() + "/" + source.location().replace("*", "part-00000");
        files.add(new IngestBatch.LandingFile(source.name(), path, "0".repeat(64)));
      } else {
        tables.add(new IngestBatch.TableRange(source.name(), null, LAUNCHED));
      }
    }
    Pipeline pipeline = Pipeline.create(options);
    IngestPipeline.build(
        pipeline,
        options.getLake(),
        sources,
        IngestBatch.start(LAUNCHED, files, tables),
        SourceDatabase.unreached(
            options.getJdbcUrl(),
            options.getJdbcUser(),
            DatabasePassword.of(options, FAKE_SECRET_MANAGER)),
        options.getMaxRecordBytes(),
        Thresholds.load(options.getThresholds()),
        LAUNCHED,
        Warehouses.isBigQuery(options) ? options : null);
    return pipeline;
  }

  /** As {@link CuratePipeline#run}. */
  private static Pipeline curate(String[] args) {
    CuratePipeline.Options options = parse(args, CuratePipeline.Options.class);
    WarehouseOptions.validate(options);
    Pipeline pipeline = Pipeline.create(options);
    CuratePipeline.build(
        pipeline,
        options.getLake(),
        SourcesFile.load(options.getSources()),
        CuratePipeline.regionOfCity(options.getLocale()),
        LocalDate.of(2026, 3, 1),
        options.getLatencyCapMs(),
        options.getLateAfterMinutes() * 60_000L,
        LAUNCHED,
        "c" + LAUNCHED.getMillis(),
        Warehouses.isBigQuery(options) ? options : null);
    return pipeline;
  }

  /** As {@link StreamGeneratePipeline#run} on a lake where no stream ran yet. */
  private static Pipeline streamGenerate(String[] args) {
    StreamGeneratePipeline.Options options = parse(args, StreamGeneratePipeline.Options.class);
    GenerationSpec spec = GeneratePipeline.spec(options);
    Duration duration = StreamOptions.parseDuration("duration", options.getDuration());
    StreamGeneratePipeline.validate(options);
    Pipeline pipeline = Pipeline.create(options);
    StreamGeneratePipeline.build(pipeline, options, spec, 0, duration);
    return pipeline;
  }

  /**
   * As {@link StreamIngestPipeline#run} from a Pub/Sub subscription, on a lake that curate has
   * filled and where an earlier run captured three windows of messages.
   */
  private static Pipeline streamIngest(String[] args) {
    StreamIngestPipeline.Options options = parse(args, StreamIngestPipeline.Options.class);
    StreamIngestPipeline.Config config =
        StreamIngestPipeline.config(options, "stream-" + LAUNCHED.getMillis());
    options.as(StreamingOptions.class).setStreaming(true);
    String capture = CaptureRawMessages.parquetFolder(options.getLake() + "/landing/stream");
    List<String> captured = new ArrayList<>();
    for (String window : List.of("05-57-00Z", "05-58-00Z", "05-59-00Z")) {
      captured.add(capture + "/stream-1-2026-03-01T" + window + "-p0-00000-of-00001.parquet");
    }
    Pipeline pipeline = Pipeline.create(options);
    StreamIngestPipeline.build(
        pipeline,
        StreamSource.pubsub(pipeline, options.getPubsubSubscription()),
        config,
        options,
        new StreamIngestPipeline.LakeState(
            captured, Set.copyOf(StreamIngestPipeline.LakeState.CURATED_TABLES)));
    return pipeline;
  }

  /**
   * Every text of the job's steps, with each serialized function, source or sink decoded, so that
   * the paths, tables and topics they hold can be searched.
   */
  private static synchronized String decodedSteps(String template) {
    return DECODED_STEPS.computeIfAbsent(template, t -> decode(job(t)));
  }

  private static String decode(Job job) {
    List<String> texts = new ArrayList<>();
    for (Step step : job.getSteps()) {
      collectStrings(step.getProperties(), texts);
    }
    StringBuilder decoded = new StringBuilder();
    for (String text : texts) {
      decoded.append(text).append('\n');
      byte[] bytes;
      try {
        bytes = StringUtils.jsonStringToByteArray(text);
      } catch (RuntimeException notEncoded) {
        continue;
      }
      try (InputStream serialized = new SnappyInputStream(new ByteArrayInputStream(bytes))) {
        bytes = serialized.readAllBytes();
      } catch (IOException notCompressed) {
        // Encoded but not compressed, e.g. a coder's payload: search it as it is.
      }
      decoded.append(new String(bytes, StandardCharsets.ISO_8859_1)).append('\n');
    }
    return decoded.toString();
  }

  private static Set<String> userNames(Job job) {
    Set<String> names = new TreeSet<>();
    for (Step step : job.getSteps()) {
      names.add(text(step.getProperties().get("user_name")));
    }
    return names;
  }

  /** A step property's text: the job file writes them as {@code {"@type": ..., "value": ...}}. */
  private static String text(Object property) {
    return property instanceof Map<?, ?> typed
        ? String.valueOf(typed.get("value"))
        : String.valueOf(property);
  }

  private static void collectStrings(Object value, List<String> strings) {
    if (value instanceof Map<?, ?> map) {
      map.values().forEach(v -> collectStrings(v, strings));
    } else if (value instanceof Collection<?> list) {
      list.forEach(v -> collectStrings(v, strings));
    } else if (value instanceof String text) {
      strings.add(text);
    }
  }

  /**
   * Answers where {@code GcsStager} would have put each file, under {@code --stagingLocation} by
   * the name the runner chose, and uploads nothing: the classpath is not copied, and what the
   * runner stages from memory (its pipeline, a large job graph) is kept in a local folder instead.
   */
  public static final class LocalStaging implements Stager {
    private final String stagingLocation;

    private LocalStaging(String stagingLocation) {
      this.stagingLocation = stagingLocation;
    }

    public static LocalStaging fromOptions(PipelineOptions options) {
      return new LocalStaging(options.as(DataflowPipelineOptions.class).getStagingLocation());
    }

    @Override
    public List<DataflowPackage> stageFiles(List<PackageUtil.StagedFile> filesToStage) {
      List<DataflowPackage> packages = new ArrayList<>();
      for (PackageUtil.StagedFile file : filesToStage) {
        packages.add(staged(file.getDestination()));
      }
      return packages;
    }

    @Override
    public DataflowPackage stageToFile(byte[] bytes, String baseName) {
      try {
        Files.createDirectories(staged);
        Files.write(staged.resolve(baseName), bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return staged(baseName);
    }

    private DataflowPackage staged(String name) {
      return new DataflowPackage().setName(name).setLocation(stagingLocation + "/" + name);
    }
  }
}
