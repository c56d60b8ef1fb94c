package dev.fakelake.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The Kafka topic of the stream commands: on the bootstrap servers given, or on the lake's embedded
 * broker, joined when another command already runs it and started otherwise.
 */
final class StreamTopic {

  private StreamTopic() {}

  /** A reachable broker with the topic in place; closing stops the broker if this started it. */
  record Connection(String bootstrap, @Nullable EmbeddedKafka started) implements AutoCloseable {

    String describe(String topic) {
      return "Kafka "
          + bootstrap
          + " topic "
          + topic
          + (started != null ? " (embedded broker in " + started.directory() + ")" : "");
    }

    @Override
    public void close() {
      if (started != null) {
        started.close();
      }
    }
  }

  /** The embedded broker's folder in a lake. */
  static Path embeddedKafkaDirectory(String lake) {
    return Path.of(lake, "_stream", "kafka");
  }

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /**
   * Checks the Kafka options of a stream command before anything starts.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  static void validate(StreamOptions options, String lake) {
    String topic = options.getKafkaTopic();
    if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw new IllegalArgumentException(
          "--kafkaTopic must be 1-249 letters, digits, '.', '_' or '-', got '" + topic + "'");
    }
    if (options.getKafkaPartitions() < 1 || options.getKafkaPartitions() > 1000) {
      throw new IllegalArgumentException(
          "--kafkaPartitions must be 1 to 1000, got " + options.getKafkaPartitions());
    }
    if (options.getKafkaBootstrap().isBlank() && lake.contains("://")) {
      throw new IllegalArgumentException(
          "the embedded Kafka broker needs a local lake; give --kafkaBootstrap, or use Pub/Sub");
    }
  }

  /** Connects to the stream's broker and makes sure the topic exists. */
  static Connection connect(StreamOptions options, String lake) {
    validate(options, lake);
    String bootstrap = options.getKafkaBootstrap().trim();
    EmbeddedKafka started = null;
    if (bootstrap.isEmpty()) {
      Path directory = embeddedKafkaDirectory(lake);
      // Two commands starting together: one starts the broker, the other then finds it running.
      Path lockFile = directory.resolveSibling("kafka-start.lock");
      try {
        Files.createDirectories(directory.getParent());
        try (FileChannel channel =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          bootstrap = EmbeddedKafka.runningAt(directory).orElse("");
          if (bootstrap.isEmpty()) {
            started = EmbeddedKafka.start(directory);
            bootstrap = started.bootstrapServers();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot lock " + lockFile, e);
      }
    }
    try {
      ensureTopic(bootstrap, options.getKafkaTopic(), options.getKafkaPartitions());
    } catch (RuntimeException e) {
      if (started != null) {
        started.close();
      }
      throw e;
    }
    return new Connection(bootstrap, started);
  }

  /** The offset after the last message of each partition of the topic, now. */
  static Map<Integer, Long> endOffsets(String bootstrap, String topic) {
    return offsets(bootstrap, topic, OffsetSpec.latest());
  }

  /**
   * Where a consumer group resumes in each partition: its committed offset, or the partition's
   * first offset when the group has committed none there.
   */
  static Map<Integer, Long> startOffsets(String bootstrap, String topic, String group) {
    Map<Integer, Long> start = offsets(bootstrap, topic, OffsetSpec.earliest());
    try (Admin admin = EmbeddedKafka.admin(bootstrap)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      committed.forEach(
          (partition, offset) -> {
            if (partition.topic().equals(topic) && offset != null) {
              start.put(partition.partition(), offset.offset());
            }
          });
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot read the offsets of consumer group " + group + ": " + Fakelake.rootCause(e), e);
    }
    return start;
  }

  private static Map<Integer, Long> offsets(String bootstrap, String topic, OffsetSpec spec) {
    try (Admin admin = EmbeddedKafka.admin(bootstrap)) {
      int partitions =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .size();
      Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        wanted.put(new TopicPartition(topic, p), spec);
      }
      Map<Integer, Long> offsets = new TreeMap<>();
      admin
          .listOffsets(wanted)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((partition, info) -> offsets.put(partition.partition(), info.offset()));
      return offsets;
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot read the offsets of topic " + topic + ": " + Fakelake.rootCause(e), e);
    }
  }

  /** Checks the broker answers, and creates the topic if it is missing. */
  static void ensureTopic(String bootstrap, String topic, int partitions) {
    try (Admin admin = EmbeddedKafka.admin(bootstrap)) {
      Set<String> topics;
      try {
        topics = admin.listTopics().names().get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "cannot reach Kafka at " + bootstrap + " (--kafkaBootstrap): " + Fakelake.rootCause(e));
      }
      if (!topics.contains(topic)) {
        try {
          admin
              .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
              .all()
              .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          if (!Fakelake.rootCause(e).contains("already exists")) {
            throw new IllegalStateException(
                "cannot create topic " + topic + " on " + bootstrap + ": " + Fakelake.rootCause(e),
                e);
          }
        }
      }
    }
  }
}
