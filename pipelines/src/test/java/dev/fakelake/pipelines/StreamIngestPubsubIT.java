package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.transforms.ingest.ParseStreamMessages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event stream end to end through the Pub/Sub emulator: {@code stream-generate --pubsubTopic}
 * publishes a limited burst, and the stream-ingest graph, streaming on the Direct runner from a
 * subscription, reads it. A second subscription to the same topic records what was published, so
 * the test knows every message, its id, entity attribute and event id independently of the
 * pipelines.
 *
 * <p>It checks the run by its counters, not by the lake's files. The files are written per
 * event-time window when the watermark passes it, and PubsubIO's watermark does not move on the
 * Direct runner: the reader estimates it from the publish times of at least 10 messages spread over
 * two 5-second samples, and the Direct runner replaces the reader (from its checkpoint) after any
 * bundle with a 5% chance, which drops those samples; idle, it replaces it within a fraction of a
 * second. Tried: after a 314-message burst and then 20 messages a second for two minutes no window
 * had closed.
 */
class StreamIngestPubsubIT {

  private static final int EVENTS = 300;
  private static final String PROJECT = "fakelake-test";
  private static final String TOPIC = "fakelake-events";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SETTLE = Duration.ofSeconds(5);
  private static final String NOOP_CREDENTIALS =
      "--credentialFactoryClass=org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory";
  private static final Pattern MESSAGES_SENT = Pattern.compile(" as ([\\d,.]+) messages to ");
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void readsEveryPublishedMessageOnceParsesByEntityAttributeAndDeadLettersMalformedOnes(
      @TempDir Path work) throws Exception {
    Path lake = work.resolve("lake");
    try (PubsubEmulator emulator = PubsubEmulator.start(work, PROJECT, TOPIC, "stream-ingest")) {
      String audit = emulator.addSubscription("audit");
      PipelineResult ingest = startIngest(emulator, lake);
      try {
        String generated = generate(emulator, lake);

        List<PubsubEmulator.Message> published = pullAll(emulator, audit);
        Map<String, Set<String>> truth = truth(lake);
        long duplicates = truth.values().stream().filter(k -> k.contains("duplicate")).count();
        Matcher sent = MESSAGES_SENT.matcher(generated);
        assertTrue(sent.find(), "no summary line in the generator's output:\n" + generated);
        assertEquals(
            EVENTS + duplicates,
            Long.parseLong(sent.group(1).replaceAll("[,.]", "")),
            "the generator's count of messages");
        assertEquals(EVENTS + duplicates, published.size(), "messages on the topic");

        Set<String> messageIds = new HashSet<>();
        Set<String> pageviewIds = new HashSet<>();
        Set<String> malformedMessages = new HashSet<>();
        for (PubsubEmulator.Message message : published) {
          messageIds.add("pubsub:" + message.id());
          List<String> eventId = ParseStreamMessages.eventId(message.data());
          assertEquals(1, eventId.size(), "no event id in " + message.data());
          String entity = message.attributes().get(StreamMessage.ENTITY_ATTRIBUTE);
          assertTrue(Set.of("pageviews", "ratings").contains(entity), message.toString());
          if (entity.equals("pageviews")) {
            pageviewIds.add(eventId.get(0));
          }
          if (truth.getOrDefault(eventId.get(0), Set.of()).contains("malformed")) {
            malformedMessages.add("pubsub:" + message.id());
          }
        }
        assertTrue(!malformedMessages.isEmpty(), "the generator sent no malformed message");

        // Wait until the reader has read as many messages as were published, then a little
        // longer: a message delivered twice would show up as a surplus.
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        Map<String, Long> counters = PipelineMetrics.counters(ingest, "stream");
        while (counters.getOrDefault("messages_read", 0L) < published.size()
            && System.nanoTime() < deadline) {
          Thread.sleep(500);
          counters = PipelineMetrics.counters(ingest, "stream");
        }
        Thread.sleep(SETTLE.toMillis());
        counters = PipelineMetrics.counters(ingest, "stream");

        assertEquals(
            published.size(), counters.getOrDefault("messages_read", 0L), "counters " + counters);
        assertTrue(counters.getOrDefault("pageviews_parsed", 0L) > 0, "counters " + counters);
        assertTrue(counters.getOrDefault("ratings_parsed", 0L) > 0, "counters " + counters);
        assertEquals(
            counters.get("events_parsed"),
            counters.get("pageviews_parsed") + counters.get("ratings_parsed"),
            "counters " + counters);
        assertTrue(
            counters.getOrDefault("events_dead_lettered", 0L) >= malformedMessages.size(),
            malformedMessages.size() + " malformed messages; counters " + counters);
        assertEquals(
            counters.get("pageviews_parsed") - counters.getOrDefault("pageviews_duplicates", 0L),
            counters.getOrDefault("pageviews_enriched", 0L)
                + counters.getOrDefault("pageviews_too_late", 0L),
            "every parsed pageview enriched unless a copy or too late; counters " + counters);
        assertTrue(pageviewIds.size() > 0, "no pageview sent");
      } finally {
        ingest.cancel();
      }
    }
  }

  /**
   * Starts the stream-ingest graph reading the emulator's subscription; it runs until cancelled.
   */
  private static PipelineResult startIngest(PubsubEmulator emulator, Path lake) {
    PipelineOptionsFactory.register(StreamIngestPipeline.Options.class);
    StreamIngestPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--lake=" + lake,
                "--runner=DirectRunner",
                "--fileWindow=2s",
                "--pubsubSubscription=" + emulator.subscriptionPath(),
                "--pubsubRootUrl=" + emulator.rootUrl(),
                "--project=" + emulator.project(),
                NOOP_CREDENTIALS)
            .withValidation()
            .as(StreamIngestPipeline.Options.class);
    options.as(StreamingOptions.class).setStreaming(true);
    options.as(DirectOptions.class).setBlockOnRun(false);
    Pipeline pipeline = Pipeline.create(options);
    StreamIngestPipeline.build(
        pipeline,
        StreamSource.pubsub(pipeline, options.getPubsubSubscription()),
        StreamIngestPipeline.config(options, "stream-it"),
        options);
    return pipeline.run();
  }

  /** Runs {@code ./fakelake stream-generate} to the emulator's topic; returns what it printed. */
  private static String generate(PubsubEmulator emulator, Path lake) {
    PrintStream console = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code;
    try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      code =
          Fakelake.execute(
              new String[] {
                "stream-generate",
                "--lake=" + lake,
                "--runner=DirectRunner",
                "--scale=0.05",
                "--limit=" + EVENTS,
                "--rate=1000",
                "--malformedRate=0.05",
                "--duplicateRate=0.05",
                "--pubsubTopic=" + emulator.topicPath(),
                "--pubsubRootUrl=" + emulator.rootUrl(),
                "--project=" + emulator.project(),
                NOOP_CREDENTIALS
              });
    } finally {
      System.setOut(console);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    console.print(output);
    assertEquals(0, code, "stream-generate failed:\n" + output);
    return output;
  }

  /** Every message published to the topic, through the test's own subscription. */
  private static List<PubsubEmulator.Message> pullAll(PubsubEmulator emulator, String subscription)
      throws IOException, InterruptedException {
    List<PubsubEmulator.Message> all = new ArrayList<>();
    while (true) {
      List<PubsubEmulator.Message> batch = emulator.pull(subscription, 1000, Duration.ofSeconds(2));
      if (batch.isEmpty()) {
        return all;
      }
      all.addAll(batch);
    }
  }

  /** Event id to the kinds of dirt the generator's truth records for it. */
  private Map<String, Set<String>> truth(Path lake) throws IOException {
    Map<String, Set<String>> truth = new HashMap<>();
    for (Path file : files(lake.resolve("_truth/stream"), ".jsonl")) {
      for (String line : Files.readAllLines(file)) {
        JsonNode defect = mapper.readTree(line);
        truth
            .computeIfAbsent(defect.get("key").asText(), k -> new HashSet<>())
            .add(defect.get("defect").asText());
      }
    }
    return truth;
  }

  /** The files under a folder with the suffix. */
  private static List<Path> files(Path folder, String suffix) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .sorted()
          .toList();
    }
  }
}
