package dev.fakelake.pipelines;

import dev.fakelake.schemas.StreamMessage;
import dev.fakelake.transforms.generate.LiveProgress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads the event stream as {@link StreamMessage} rows stamped with their arrival time: from a
 * Kafka topic (the embedded broker or any bootstrap servers) or from a Pub/Sub subscription.
 *
 * <p>Kafka is read from the consumer group's committed offsets. A run ends when {@link StreamStop}
 * says so: every partition stops, the pipeline drains (windows fire, files are finalized) and
 * finishes; only then does the command commit, for each partition, the offset after the last
 * message read ({@link #commitKafkaOffsets}). A run that fails or is killed commits nothing, so the
 * next run reads its messages again rather than losing them.
 */
final class StreamSource {

  /** Metric namespace of the offsets taken per partition, named {@code TOPIC/PARTITION}. */
  static final String OFFSETS = "stream_offsets";

  /** Metric namespace of the offsets read but left to the next run, per partition. */
  static final String OFFSETS_LEFT = "stream_offsets_left";

  private StreamSource() {}

  static PCollection<Row> kafka(
      Pipeline pipeline,
      String bootstrap,
      String topic,
      String group,
      long durationMillis,
      String controlFile) {
    Map<String, Object> consumer = new HashMap<>();
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return pipeline
        .apply(
            "ReadKafka",
            KafkaIO.<String, byte[]>read()
                .withBootstrapServers(bootstrap)
                .withTopic(topic)
                .withKeyDeserializer(StringDeserializer.class)
                .withValueDeserializer(ByteArrayDeserializer.class)
                .withConsumerConfigUpdates(consumer)
                // The producer's send time: the watermark follows arrival, not event time.
                .withCreateTime(Duration.standardSeconds(2))
                // A stop function also makes KafkaIO read through its splittable DoFn, which ends
                // the pipeline once every partition has stopped.
                .withCheckStopReadingFn(StreamStop.fn(durationMillis, controlFile)))
        .apply("ToStreamMessages", ParDo.of(new FromKafkaFn()))
        .setRowSchema(StreamMessage.SCHEMA);
  }

  static PCollection<Row> pubsub(Pipeline pipeline, String subscription) {
    return pipeline
        .apply(
            "ReadPubsub",
            PubsubIO.readMessagesWithAttributesAndMessageId().fromSubscription(subscription))
        .apply("ToStreamMessages", ParDo.of(new FromPubsubFn()))
        .setRowSchema(StreamMessage.SCHEMA);
  }

  private static class FromKafkaFn extends DoFn<KafkaRecord<String, byte[]>, Row> {
    private final Schema schema = StreamMessage.SCHEMA;
    private final Counter read = Metrics.counter("stream", "messages_read");
    private final Map<String, Distribution> offsets = new HashMap<>();
    private final Map<String, Distribution> left = new HashMap<>();

    @ProcessElement
    public void process(@Element KafkaRecord<String, byte[]> record, OutputReceiver<Row> out) {
      String partition = record.getTopic() + "/" + record.getPartition();
      if (!StreamStop.take(record.getPartition(), record.getOffset(), record.getTimestamp())) {
        // Beyond this run's bound: the commit stops before it, so the next run reads it.
        left.computeIfAbsent(partition, name -> Metrics.distribution(OFFSETS_LEFT, name))
            .update(record.getOffset());
        return;
      }
      Header entity =
          record.getHeaders() == null
              ? null
              : record.getHeaders().lastHeader(StreamMessage.ENTITY_ATTRIBUTE);
      offsets
          .computeIfAbsent(partition, name -> Metrics.distribution(OFFSETS, name))
          .update(record.getOffset());
      byte[] value = record.getKV().getValue();
      out.output(
          Row.withSchema(schema)
              .attachValues(
                  List.of(
                      "kafka:" + partition + "@" + record.getOffset(),
                      entity == null ? null : new String(entity.value(), StandardCharsets.UTF_8),
                      record.getKV().getKey(),
                      value == null ? "" : new String(value, StandardCharsets.UTF_8),
                      new Instant(record.getTimestamp()))));
      read.inc();
      LiveProgress.add("stream-ingest", 1);
    }
  }

  private static class FromPubsubFn extends DoFn<PubsubMessage, Row> {
    private final Schema schema = StreamMessage.SCHEMA;
    private final Counter read = Metrics.counter("stream", "messages_read");

    @ProcessElement
    public void process(
        @Element PubsubMessage message, @Timestamp Instant published, OutputReceiver<Row> out) {
      byte[] payload = message.getPayload();
      out.output(
          Row.withSchema(schema)
              .addValues(
                  "pubsub:" + message.getMessageId(),
                  message.getAttribute(StreamMessage.ENTITY_ATTRIBUTE),
                  null,
                  payload == null ? "" : new String(payload, StandardCharsets.UTF_8),
                  published)
              .build());
      read.inc();
      LiveProgress.add("stream-ingest", 1);
    }
  }

  /**
   * Commits, for the consumer group, where the next run starts in each partition of a finished run:
   * after the last message taken, or at the first message left, if one was read but left (a message
   * taken after it is read again then, and dropped as a copy); returns how many partitions moved.
   */
  static int commitKafkaOffsets(PipelineResult result, String bootstrap, String group) {
    Map<TopicPartition, Long> taken = highest(result, OFFSETS, true);
    Map<TopicPartition, Long> left = highest(result, OFFSETS_LEFT, false);
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    taken.forEach(
        (partition, last) ->
            next.put(
                partition,
                new OffsetAndMetadata(
                    Math.min(last + 1, left.getOrDefault(partition, Long.MAX_VALUE)))));
    if (next.isEmpty()) {
      return 0;
    }
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.commitSync(next);
    }
    return next.size();
  }

  /** Per partition, the highest (or lowest) offset recorded in a namespace of distributions. */
  private static Map<TopicPartition, Long> highest(
      PipelineResult result, String namespace, boolean max) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(namespace))
                    .build());
    for (MetricResult<DistributionResult> offset : metrics.getDistributions()) {
      DistributionResult recorded = offset.getAttempted();
      if (recorded.getCount() == 0) {
        continue;
      }
      String name = offset.getName().getName();
      int slash = name.lastIndexOf('/');
      TopicPartition partition =
          new TopicPartition(name.substring(0, slash), Integer.parseInt(name.substring(slash + 1)));
      offsets.merge(
          partition, max ? recorded.getMax() : recorded.getMin(), max ? Math::max : Math::min);
    }
    return offsets;
  }
}
