package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.transforms.ingest.RecordParser;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream-generate --limit=N} into the embedded broker, once on the Direct runner and once on
 * Flink's local cluster over the same lake, read back with a plain consumer: every event arrives
 * (duplicates twice), with its entity header and user key, numbering continues across the runs, and
 * every payload parses as a landing line unless the truth says it was made unparsable.
 */
class StreamGenerateIT {

  private static final int EVENTS = 300;
  private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"([^\"]+)\"");
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void sendsEveryEventWithHeaderAndKeyOnDirectAndOnFlink(@TempDir Path lake) throws Exception {
    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      int code =
          Fakelake.execute(
              new String[] {
                "stream-generate",
                "--lake=" + lake,
                "--runner=" + runner,
                "--scale=0.05",
                "--limit=" + EVENTS,
                "--rate=500",
                "--malformedRate=0.05",
                "--duplicateRate=0.05",
                "--wrongTypeRate=0.05"
              });
      assertEquals(0, code, runner);
    }
    assertEquals(
        String.valueOf(2 * EVENTS),
        Files.readString(lake.resolve(StreamGeneratePipeline.NEXT_INDEX_FILE)).trim());

    Map<String, Set<String>> truth = truth(lake);
    long duplicates = truth.values().stream().filter(kinds -> kinds.contains("duplicate")).count();
    assertTrue(duplicates > 0, "no duplicates injected");
    List<ConsumerRecord<String, String>> messages;
    try (EmbeddedKafka kafka =
        EmbeddedKafka.start(StreamTopic.embeddedKafkaDirectory(lake.toString()))) {
      messages = readAll(kafka.bootstrapServers(), "fakelake-events", 2 * EVENTS + duplicates);
    }

    assertEquals(2 * EVENTS + duplicates, messages.size());
    Set<String> eventIds = new HashSet<>();
    int unparsable = 0;
    for (ConsumerRecord<String, String> message : messages) {
      Header header = message.headers().lastHeader(StreamMessage.ENTITY_ATTRIBUTE);
      String entity = new String(header.value(), StandardCharsets.UTF_8);
      assertTrue(Set.of("pageviews", "ratings").contains(entity), entity);
      Matcher id = EVENT_ID.matcher(message.value());
      assertTrue(id.find(), message.value());
      eventIds.add(id.group(1));
      Set<String> kinds = truth.getOrDefault(id.group(1), Set.of());
      RecordParser.Result parsed =
          new RecordParser(Entity.fromTableName(entity)).parse(message.value());
      // Dirt's latency outlier overwrites a wrong-typed latency with a number (as in batch): the
      // truth then names both, and the payload parses.
      boolean overwritten = kinds.contains("latency_outlier");
      if (kinds.contains("malformed") || (kinds.contains("wrong_type") && !overwritten)) {
        assertTrue(!parsed.ok(), "dirty payload parsed: " + message.value());
        unparsable++;
      } else if (!kinds.contains("wrong_type")) {
        assertTrue(parsed.ok(), message.value() + ": " + parsed.reason());
        JsonNode json = mapper.readTree(message.value());
        assertEquals(json.get("user_id").asText(), message.key());
      }
    }
    assertEquals(2 * EVENTS, eventIds.size(), "event ids repeat across the two runs");
    assertTrue(unparsable > 0, "no unparsable payload injected");
  }

  /** Event id to the kinds of dirt the truth records for it. */
  private Map<String, Set<String>> truth(Path lake) throws Exception {
    Map<String, Set<String>> truth = new HashMap<>();
    try (Stream<Path> files = Files.list(lake.resolve("_truth/stream"))) {
      for (Path file :
          files.filter(f -> Files.isRegularFile(f) && f.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(file)) {
          JsonNode defect = mapper.readTree(line);
          truth
              .computeIfAbsent(defect.get("key").asText(), k -> new HashSet<>())
              .add(defect.get("defect").asText());
        }
      }
    }
    return truth;
  }

  private static List<ConsumerRecord<String, String>> readAll(
      String bootstrap, String topic, long expected) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = EmbeddedKafkaIT.consumer(bootstrap, null)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        if (records.size() >= expected) {
          // Poll once more: a surplus (an unexpected extra message) must show up too.
          consumer.poll(Duration.ofMillis(1_000)).forEach(records::add);
          break;
        }
      }
    }
    return records;
  }
}
