package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker is a real Kafka: messages produced before a stop, and a consumer group's
 * committed offset, are there again after a restart over the same directory; and closing it leaves
 * no Kafka thread behind.
 */
class EmbeddedKafkaIT {

  private static final String TOPIC = "events";
  private static final String GROUP = "reader";

  @Test
  void messagesAndCommittedOffsetsSurviveARestartOverTheSameDirectory(@TempDir Path dir) {
    String firstCluster;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      System.out.printf(
          "embedded Kafka started in %d ms, heap used %d MB%n",
          kafka.startMillis(), usedHeapMegabytes());
      kafka.ensureTopic(TOPIC, 2);
      kafka.ensureTopic(TOPIC, 2);
      produce(kafka.bootstrapServers(), 0, 10);
      List<String> firstRead = consume(kafka.bootstrapServers(), 4);
      assertEquals(4, firstRead.size());
      firstCluster = clusterId(kafka.bootstrapServers());
      assertTrue(EmbeddedKafka.runningAt(dir).isPresent());
    }
    assertFalse(EmbeddedKafka.runningAt(dir).isPresent());

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      assertEquals(firstCluster, clusterId(kafka.bootstrapServers()));
      produce(kafka.bootstrapServers(), 10, 12);
      // The group resumes after its committed offsets: the 6 unread of the first run, and the 2
      // new.
      List<String> rest = consume(kafka.bootstrapServers(), 8);
      assertEquals(8, rest.size());
      assertEquals(12, readAllFromStart(kafka.bootstrapServers()).size());
    }
    Set<String> kafkaThreads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !t.isDaemon())
            .map(Thread::getName)
            .filter(name -> !name.equals("main") && !name.startsWith("surefire"))
            .filter(name -> !name.startsWith("junit") && !name.startsWith("process reaper"))
            .collect(Collectors.toSet());
    assertEquals(Set.of(), kafkaThreads, "non-daemon threads left after close");
  }

  private static void produce(String bootstrap, int from, int to) {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
      for (int i = from; i < to; i++) {
        producer.send(new ProducerRecord<>(TOPIC, String.valueOf(i), "message-" + i));
      }
      producer.flush();
    }
  }

  /** Reads {@code count} messages as the group and commits what it read. */
  private static List<String> consume(String bootstrap, int count) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer(bootstrap, GROUP)) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.currentTimeMillis() + 30_000;
      while (values.size() < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (values.size() < count) {
            values.add(record.value());
            consumer.commitSync(
                Map.of(
                    new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1)));
          }
        }
      }
    }
    return values;
  }

  private static List<String> readAllFromStart(String bootstrap) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer(bootstrap, null)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(TOPIC).stream()
              .map(p -> new TopicPartition(TOPIC, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + 20_000;
      while (values.size() < 12 && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
      }
    }
    return values;
  }

  static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
    Map<String, Object> config =
        new java.util.HashMap<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                1));
    if (group != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    return new KafkaConsumer<>(config);
  }

  private static String clusterId(String bootstrap) {
    try (var admin = EmbeddedKafka.admin(bootstrap)) {
      return admin.describeCluster().clusterId().get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long usedHeapMegabytes() {
    Runtime runtime = Runtime.getRuntime();
    return (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
