package dev.fakelake.pipelines;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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

  /** Connects to the stream's broker and makes sure the topic exists. */
  static Connection connect(StreamOptions options, String lake) {
    String bootstrap = options.getKafkaBootstrap().trim();
    EmbeddedKafka started = null;
    if (bootstrap.isEmpty()) {
      if (lake.contains("://")) {
        throw new IllegalArgumentException(
            "the embedded Kafka broker needs a local lake; give --kafkaBootstrap");
      }
      Path directory = embeddedKafkaDirectory(lake);
      bootstrap = EmbeddedKafka.runningAt(directory).orElse("");
      if (bootstrap.isEmpty()) {
        started = EmbeddedKafka.start(directory);
        bootstrap = started.bootstrapServers();
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
