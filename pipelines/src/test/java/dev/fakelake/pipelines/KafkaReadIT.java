package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.joda.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How KafkaIO 2.70 with kafka-clients 4.3 behaves on the local runners, for the stream-ingest
 * pipeline: a streaming read with {@code withCheckStopReadingFn} (which makes KafkaIO use its
 * splittable DoFn, not the legacy UnboundedSource) ends the pipeline once every partition has
 * stopped, having read every message, and {@code commitOffsetsInFinalize()} commits the group's
 * offsets.
 */
class KafkaReadIT {

  private static final String TOPIC = "events";
  private static final int MESSAGES = 40;

  @ParameterizedTest
  // Flink is left out: with --checkpointingInterval (needed, see below) its Impulse source stays
  // open for checkpoints, and the job did not end within 4 minutes; open question for
  // stream-ingest.
  @ValueSource(strings = {"DirectRunner"})
  void aStreamingReadEndsWhenEveryPartitionStopsAndCommitsItsOffsets(
      String runner, @TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      kafka.ensureTopic(TOPIC, 2);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                  ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                  ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
        for (int i = 0; i < MESSAGES; i++) {
          producer.send(new ProducerRecord<>(TOPIC, String.valueOf(i % 7), "m" + i));
        }
      }
      PipelineOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--runner=" + runner,
                  "--streaming=true",
                  // Flink: the SDF read's offset commit is @RequiresStableInput, which Flink only
                  // runs with checkpointing on (translation fails without it).
                  "--checkpointingInterval=2000")
              .create();
      options.as(StreamingOptions.class).setStreaming(true);
      Pipeline pipeline = Pipeline.create(options);
      long stopAt = System.currentTimeMillis() + 25_000;
      pipeline
          .apply(
              "ReadEvents",
              KafkaIO.<String, String>read()
                  .withBootstrapServers(kafka.bootstrapServers())
                  .withTopic(TOPIC)
                  .withKeyDeserializer(StringDeserializer.class)
                  .withValueDeserializer(StringDeserializer.class)
                  .withConsumerConfigUpdates(
                      Map.of(
                          ConsumerConfig.GROUP_ID_CONFIG,
                          "ingest-" + runner,
                          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                          "earliest"))
                  .commitOffsetsInFinalize()
                  .withCheckStopReadingFn(partition -> System.currentTimeMillis() > stopAt)
                  .withoutMetadata())
          .apply("CountEvents", ParDo.of(new CountFn()));

      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish(Duration.standardSeconds(120));

      assertEquals(PipelineResult.State.DONE, state);
      assertEquals(MESSAGES, PipelineMetrics.counters(result, "experiment").get("read"));
      long committed;
      try (Admin admin = EmbeddedKafka.admin(kafka.bootstrapServers())) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin
                .listConsumerGroupOffsets("ingest-" + runner)
                .partitionsToOffsetAndMetadata()
                .get();
        committed = offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
      }
      System.out.printf("%s: state %s, committed offsets sum %d%n", runner, state, committed);
      assertEquals(MESSAGES, committed);
    }
  }

  private static class CountFn extends DoFn<KV<String, String>, Void> {
    private final Counter read = Metrics.counter("experiment", "read");

    @ProcessElement
    public void processElement() {
      read.inc();
    }
  }
}
