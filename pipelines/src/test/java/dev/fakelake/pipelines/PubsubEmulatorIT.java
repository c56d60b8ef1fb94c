package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fakelake.schemas.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beam's PubsubIO against the Pub/Sub emulator, as the stream pipelines use it on GCP: one pipeline
 * publishes messages with the {@code entity} attribute, a streaming one reads them back with their
 * attributes and message ids. Proves the {@link PubsubEmulator} harness and the options it takes.
 */
class PubsubEmulatorIT {

  /** What the reading pipeline saw; the Direct runner runs its DoFns in this JVM. */
  private static final Queue<String> RECEIVED = new ConcurrentLinkedQueue<>();

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(90);

  @Test
  void beamPublishesToAndReadsFromTheEmulatorWithTheEntityAttribute(@TempDir Path folder)
      throws Exception {
    List<PubsubMessage> sent =
        List.of(
            message("{\"event_id\":\"p1\",\"user_id\":12}", "pageviews"),
            message("{\"event_id\":\"r1\",\"user_id\":7,\"stars\":5}", "ratings"),
            message("{\"event_id\":", "pageviews"));
    RECEIVED.clear();

    try (PubsubEmulator emulator =
        PubsubEmulator.start(folder, "fakelake-test", "fakelake-events", "stream-ingest")) {
      Pipeline writer = Pipeline.create(options(emulator, false));
      writer
          .apply("CreateMessages", Create.of(sent).withCoder(PubsubMessageWithAttributesCoder.of()))
          .apply("PublishMessages", PubsubIO.writeMessages().to(emulator.topicPath()));
      writer.run().waitUntilFinish();

      Pipeline reader = Pipeline.create(options(emulator, true));
      reader
          .apply(
              "ReadMessages",
              PubsubIO.readMessagesWithAttributesAndMessageId()
                  .fromSubscription(emulator.subscriptionPath()))
          .apply("RecordMessages", ParDo.of(new RecordFn()));
      PipelineResult reading = reader.run();
      try {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (RECEIVED.size() < sent.size() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
      } finally {
        reading.cancel();
      }
    }

    List<String> received = new ArrayList<>(RECEIVED);
    received.sort(null);
    assertEquals(
        List.of(
            "pageviews {\"event_id\":",
            "pageviews {\"event_id\":\"p1\",\"user_id\":12}",
            "ratings {\"event_id\":\"r1\",\"user_id\":7,\"stars\":5}"),
        received);
  }

  @Test
  void restPublishAndPullRoundTripKeepsDataAndAttributes(@TempDir Path folder) throws Exception {
    try (PubsubEmulator emulator =
        PubsubEmulator.start(folder, "fakelake-test", "fakelake-events", "checks")) {
      String id = emulator.publish("{\"user_id\":3}", Map.of(StreamMessage.ENTITY_ATTRIBUTE, "x"));

      List<PubsubEmulator.Message> pulled = emulator.pull(10, Duration.ofSeconds(30));

      assertEquals(
          List.of(
              new PubsubEmulator.Message(
                  id, "{\"user_id\":3}", Map.of(StreamMessage.ENTITY_ATTRIBUTE, "x"))),
          pulled);
      assertFalse(id.isBlank());
    }
  }

  /**
   * The options PubsubIO needs to talk to the emulator. Only {@code --pubsubRootUrl} is required
   * (tried: with it alone both pipelines work, since topic and subscription are given as full
   * {@code projects/...} paths). {@code --project} spares Beam's default-project lookup and {@code
   * NoopCredentialFactory} its search for Application Default Credentials, which otherwise logs an
   * IOException on a machine without them and sends a real token to the emulator on one with them.
   */
  private static PubsubOptions options(PubsubEmulator emulator, boolean streaming) {
    PubsubOptions options =
        PipelineOptionsFactory.fromArgs(
                "--pubsubRootUrl=" + emulator.rootUrl(),
                "--project=" + emulator.project(),
                "--credentialFactoryClass="
                    + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory")
            .as(PubsubOptions.class);
    options.setStreaming(streaming);
    // The streaming reader never ends by itself: run() returns and the test cancels it.
    options.as(DirectOptions.class).setBlockOnRun(!streaming);
    options.as(DirectOptions.class).setTargetParallelism(1);
    return options;
  }

  private static PubsubMessage message(String payload, String entity) {
    return new PubsubMessage(
        payload.getBytes(StandardCharsets.UTF_8), Map.of(StreamMessage.ENTITY_ATTRIBUTE, entity));
  }

  private static final class RecordFn extends DoFn<PubsubMessage, Void> {
    @ProcessElement
    public void process(@Element PubsubMessage message) {
      if (message.getMessageId() == null || message.getMessageId().isBlank()) {
        throw new IllegalStateException("A message without an id: " + message);
      }
      RECEIVED.add(
          message.getAttribute(StreamMessage.ENTITY_ATTRIBUTE)
              + " "
              + new String(message.getPayload(), StandardCharsets.UTF_8));
    }
  }
}
