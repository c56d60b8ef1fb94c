package dev.fakelake.pipelines;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.transforms.generate.GenerateStreamEvents;
import dev.fakelake.transforms.generate.GenerationSpec;
import dev.fakelake.transforms.generate.LiveProgress;
import dev.fakelake.transforms.generate.StreamEvent;
import dev.fakelake.transforms.io.JsonRecords;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.ProducerRecordCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Sends an endless (or limited) stream of pageview and rating messages to Kafka, by default to an
 * embedded broker it starts under {@code LAKE/_stream/kafka}, or to a Pub/Sub topic. Each message
 * is a landing-line JSON payload with the {@code entity} attribute, keyed by user id on Kafka. The
 * dirt it injects is recorded under {@code LAKE/_truth/stream/}.
 *
 * <p>Event ids are a function of the event index, so no two runs on the same lake may generate the
 * same index; neither may two launches of the flex template, whose {@code main} returns before the
 * job runs and so can record nothing after it. The index range is therefore chosen before the job
 * runs:
 *
 * <ul>
 *   <li>a bounded run ({@code --limit} or {@code --duration}) knows how many indexes it generates,
 *       and reserves them before it runs: it starts at the index in {@code LAKE/_stream/next-index}
 *       (0 at first) and writes its end there first. A run that fails part way leaves a gap, never
 *       a repeat.
 *   <li>an endless run (on Dataflow, a streaming job that runs until it is stopped) cannot know
 *       where it ends, so it starts at {@link #endlessStartIndex the microseconds since the Unix
 *       epoch} of its launch, or at the next index if that is higher. No run generates more than
 *       one index per microsecond ({@code --rate} is at most 1,000,000 events/s), so a run never
 *       reaches the start of a run launched after it; relaunches after a job is stopped, or drained
 *       and replaced, never overlap (two endless jobs running at the same time would). Bounded runs
 *       that follow keep counting from {@code next-index}, far below, since their reserved ranges
 *       add up to far less than the microseconds since 1970.
 * </ul>
 *
 * <pre>{@code
 * ./fakelake stream-generate --rate=200 --duration=5m
 * ./fakelake stream-generate --limit=10000 --kafkaBootstrap=broker:9092 --runner=DirectRunner
 * ./fakelake stream-generate --pubsubTopic=projects/p/topics/events \
 *     --pubsubRootUrl=http://127.0.0.1:8085
 * }</pre>
 */
public class StreamGeneratePipeline {

  /** The file under the lake that holds the first index of the next run. */
  static final String NEXT_INDEX_FILE = "_stream/next-index";

  private static final Pattern PUBSUB_TOPIC =
      Pattern.compile(
          "projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/topics/[a-zA-Z][-a-zA-Z0-9._~+%]{2,254}");

  /** Options of the stream generator. */
  public interface Options extends GeneratePipeline.Options, StreamOptions {

    @Description("Events per second (a duplicate adds a second message on top).")
    @Default.Double(100)
    double getRate();

    void setRate(double value);

    @Description(
        "First event index; by default the run continues where the previous one on this lake stopped.")
    @Nullable Long getStartIndex();

    void setStartIndex(@Nullable Long value);

    @Description(
        "Publish to this Pub/Sub topic (projects/P/topics/T) instead of Kafka; an emulator is "
            + "reached with --pubsubRootUrl.")
    @Nullable String getPubsubTopic();

    void setPubsubTopic(@Nullable String value);
  }

  /** What a run sent, read from its metrics. */
  public record Summary(
      long startIndex,
      long nextIndex,
      Map<String, Long> counters,
      double seconds,
      String destination) {

    public long events() {
      return counters.getOrDefault("events_pageviews", 0L)
          + counters.getOrDefault("events_ratings", 0L);
    }

    public long messages() {
      return counters.getOrDefault("messages_pageviews", 0L)
          + counters.getOrDefault("messages_ratings", 0L);
    }

    public long defects(DefectKind kind) {
      return counters.getOrDefault("defects_" + kind.label(), 0L);
    }

    public String render() {
      StringBuilder text = new StringBuilder();
      text.append(
          String.format(
              "stream-generate: %,d events (%,d pageviews, %,d ratings) as %,d messages to %s%n",
              events(),
              counters.getOrDefault("events_pageviews", 0L),
              counters.getOrDefault("events_ratings", 0L),
              messages(),
              destination));
      text.append("  dirt:");
      for (DefectKind kind : DefectKind.values()) {
        if (kind != DefectKind.ORPHAN) {
          text.append(String.format(" %s %,d", kind.label(), defects(kind)));
        }
      }
      text.append(
          String.format(
              "%n  indexes %,d to %,d (the next run starts at %,d); %,.1f events/s over %s%n",
              startIndex,
              nextIndex - 1,
              nextIndex,
              seconds > 0 ? events() / seconds : 0,
              Progress.clock(seconds)));
      return text.toString();
    }
  }

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    Summary summary = run(options);
    if (PipelineRuns.isTemplateLaunch(options)) {
      System.out.print(PipelineRuns.submitted("stream-generate", options));
      System.out.printf(
          "  its events start at index %,d, to %s%n", summary.startIndex(), summary.destination());
    } else {
      System.out.print(summary.render());
    }
  }

  /**
   * Reserves the run's index range, then runs until the limit or the duration is reached (or, with
   * neither, until the process or the job is stopped). Under a template launch it returns once the
   * job is written, with no counters.
   */
  public static Summary run(Options options) {
    GenerationSpec spec = GeneratePipeline.spec(options);
    @Nullable Duration duration = StreamOptions.parseDuration("duration", options.getDuration());
    validate(options);
    String lake = options.getLake();
    long bounded =
        GenerateStreamEvents.boundedCount(options.getRate(), options.getLimit(), duration);
    long startIndex;
    if (options.getStartIndex() != null) {
      startIndex = options.getStartIndex();
    } else if (bounded > 0) {
      startIndex = readNextIndex(lake);
    } else {
      startIndex = Math.max(readNextIndex(lake), endlessStartIndex(Instant.now()));
    }
    if (startIndex < 0) {
      throw new IllegalArgumentException("--startIndex must be 0 or more, got " + startIndex);
    }
    if (bounded > 0) {
      writeNextIndex(lake, startIndex + bounded);
    }
    long started = System.nanoTime();
    StreamTopic.Connection connection = null;
    String destination;
    if (options.getPubsubTopic() != null) {
      destination = "Pub/Sub " + options.getPubsubTopic();
    } else {
      connection = StreamTopic.connect(options, lake);
      options.setKafkaBootstrap(connection.bootstrap());
      destination = connection.describe(options.getKafkaTopic());
    }
    EmbeddedKafka embedded = connection == null ? null : connection.started();
    // An endless run ends with Ctrl-C: stop the broker in a controlled way so that it restarts
    // cleanly.
    Thread onInterrupt = new Thread(() -> close(embedded), "fakelake-stream-generate-stop");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    try {
      Pipeline pipeline = Pipeline.create(options);
      build(pipeline, options, spec, startIndex, duration);
      PipelineResult result = PipelineRuns.run(pipeline);
      if (PipelineRuns.isTemplateLaunch(options)) {
        return new Summary(startIndex, startIndex + bounded, Map.of(), 0, destination);
      }
      Map<String, Long> counters =
          PipelineMetrics.counters(result, GenerateStreamEvents.METRICS_NAMESPACE);
      long nextIndex =
          bounded > 0 ? startIndex + bounded : Math.max(startIndex, highestIndex(result) + 1);
      return new Summary(
          startIndex, nextIndex, counters, (System.nanoTime() - started) / 1e9, destination);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook runs.
      }
      close(embedded);
    }
  }

  private static void close(@Nullable EmbeddedKafka broker) {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * The first index of an endless run launched at {@code now}: the microseconds since the Unix
   * epoch, which grow faster than any run's indexes (see the class comment).
   */
  static long endlessStartIndex(Instant now) {
    return Math.multiplyExact(now.getMillis(), 1000L);
  }

  /** Adds the stream-generate graph to {@code pipeline}; tests use it to run on TestPipeline. */
  public static void build(
      Pipeline pipeline,
      Options options,
      GenerationSpec spec,
      long startIndex,
      @Nullable Duration duration) {
    PCollection<StreamEvent> events =
        pipeline.apply(
            "GenerateEvents",
            GenerateStreamEvents.of(spec)
                .withStartIndex(startIndex)
                .withRate(options.getRate())
                .withLimit(options.getLimit())
                .withMaxReadTime(duration));
    if (options.getPubsubTopic() != null) {
      events
          .apply(
              "ToPubsubMessages",
              MapElements.into(TypeDescriptor.of(PubsubMessage.class))
                  .via(
                      (StreamEvent e) ->
                          new PubsubMessage(
                              e.getPayload().getBytes(StandardCharsets.UTF_8),
                              Map.of(StreamMessage.ENTITY_ATTRIBUTE, e.getEntity()))))
          .apply("PublishToPubsub", PubsubIO.writeMessages().to(options.getPubsubTopic()));
    } else {
      String topic = options.getKafkaTopic();
      events
          .apply(
              "ToProducerRecords",
              MapElements.into(new TypeDescriptor<ProducerRecord<String, String>>() {})
                  .via(
                      (StreamEvent e) ->
                          new ProducerRecord<>(
                              topic,
                              null,
                              null,
                              e.getKey(),
                              e.getPayload(),
                              List.of(
                                  new RecordHeader(
                                      StreamMessage.ENTITY_ATTRIBUTE,
                                      e.getEntity().getBytes(StandardCharsets.UTF_8))))))
          .setCoder(ProducerRecordCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
          .apply(
              "SendToKafka",
              KafkaIO.<String, String>writeRecords()
                  .withBootstrapServers(options.getKafkaBootstrap())
                  .withTopic(topic)
                  .withKeySerializer(StringSerializer.class)
                  .withValueSerializer(StringSerializer.class));
    }
    // The truth is written per minute of generation; runs never share a file name, since each
    // starts at an index no earlier run generated.
    events
        .apply("KeepFirstCopies", Filter.by((StreamEvent e) -> !e.isCopy()))
        .apply(
            "ToDefects",
            FlatMapElements.into(TypeDescriptor.of(Defect.class))
                .via((StreamEvent e) -> e.getDefects()))
        .apply(
            "FormatDefects",
            MapElements.into(TypeDescriptors.strings())
                .via(JsonRecords.formatter(Defect.class)::apply))
        .apply("WindowDefectsByMinute", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply(
            "WriteTruth",
            TextIO.write()
                .to(options.getLake() + "/_truth/stream/defects-from-" + startIndex)
                .withSuffix(".jsonl")
                .withWindowedWrites()
                .withNumShards(1));
  }

  static void validate(Options options) {
    if (!(options.getRate() > 0 && options.getRate() <= 1_000_000)) {
      throw new IllegalArgumentException(
          "--rate must be above 0 and at most 1,000,000 events/s, got " + options.getRate());
    }
    if (options.getLimit() < 0) {
      throw new IllegalArgumentException(
          "--limit must be 0 (no limit) or more, got " + options.getLimit());
    }
    if (options.getPubsubTopic() != null) {
      if (!PUBSUB_TOPIC.matcher(options.getPubsubTopic()).matches()) {
        throw new IllegalArgumentException(
            "--pubsubTopic must look like projects/PROJECT/topics/TOPIC, got '"
                + options.getPubsubTopic()
                + "'");
      }
    } else {
      StreamTopic.validate(options, options.getLake());
    }
  }

  static long readNextIndex(String lake) {
    String file = lake + "/" + NEXT_INDEX_FILE;
    if (!LakeFiles.exists(file)) {
      return 0;
    }
    String text = LakeFiles.read(file).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          file + " should hold the next event index, holds '" + text + "'; give --startIndex");
    }
  }

  static void writeNextIndex(String lake, long next) {
    LakeFiles.write(lake + "/" + NEXT_INDEX_FILE, next + "\n");
  }

  /** The highest index the run generated, from its metrics, or this JVM's mark, or -1. */
  private static long highestIndex(PipelineResult result) {
    long highest = LiveProgress.highest(GenerateStreamEvents.PROGRESS_NAME);
    Iterable<MetricResult<DistributionResult>> distributions =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(
                            GenerateStreamEvents.METRICS_NAMESPACE,
                            GenerateStreamEvents.INDEX_METRIC))
                    .build())
            .getDistributions();
    for (MetricResult<DistributionResult> distribution : distributions) {
      DistributionResult value;
      try {
        value = distribution.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = distribution.getAttempted();
      }
      if (value.getCount() > 0) {
        highest = Math.max(highest, value.getMax());
      }
    }
    return highest;
  }

  private StreamGeneratePipeline() {}
}
