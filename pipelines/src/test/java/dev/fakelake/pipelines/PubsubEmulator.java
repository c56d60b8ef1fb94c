package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The Pub/Sub emulator of the Google Cloud CLI, started for a test on 127.0.0.1 and a free port,
 * with one topic and one subscription made through its REST API: the offline stand-in for Pub/Sub
 * (ARCHITECTURE.md). Beam's PubsubIO reaches it with {@code --pubsubRootUrl=}{@link #rootUrl()}.
 *
 * <p>The {@code cloud-pubsub-emulator} script is found through the environment variable {@value
 * #SCRIPT_ENV}, else under the SDK root that {@code gcloud info} names, else under the usual
 * install folders. When none has it, {@link #start} fails with a message saying what to install: CI
 * has the emulator, so a test that needs it must not pass by skipping.
 *
 * <p>The emulator keeps everything in memory; its working folder (log) is under the given folder.
 * {@link #close()} kills the script and every process it started.
 */
public final class PubsubEmulator implements AutoCloseable {

  /** Overrides where the {@code cloud-pubsub-emulator} script is. */
  public static final String SCRIPT_ENV = "PUBSUB_EMULATOR_SCRIPT";

  private static final String SCRIPT_IN_SDK = "platform/pubsub-emulator/bin/cloud-pubsub-emulator";
  private static final List<String> KNOWN_SDK_ROOTS =
      List.of(
          "/usr/lib/google-cloud-sdk",
          "/usr/share/google-cloud-sdk",
          "/opt/google-cloud-sdk",
          System.getProperty("user.home") + "/google-cloud-sdk");
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Process process;
  private final Path log;
  private final String rootUrl;
  private final String project;
  private final String topic;
  private final String subscription;
  private final HttpClient http = HttpClient.newHttpClient();

  private PubsubEmulator(
      Process process, Path log, int port, String project, String topic, String subscription) {
    this.process = process;
    this.log = log;
    this.rootUrl = "http://127.0.0.1:" + port;
    this.project = project;
    this.topic = topic;
    this.subscription = subscription;
  }

  /**
   * Starts the emulator with its working folder under {@code folder}, waits until it answers, and
   * creates {@code topic} and {@code subscription} (to that topic) in {@code project}.
   */
  public static PubsubEmulator start(Path folder, String project, String topic, String subscription)
      throws IOException, InterruptedException {
    Path script = findScript();
    int port = freePort();
    Path workDir = Files.createDirectories(folder.resolve("pubsub-emulator"));
    Path log = workDir.resolve("emulator.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                script.toString(), "--host=127.0.0.1", "--port=" + port, "--projects=" + project)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // Its own JVM: a small heap, since builds run beside it on two cores.
    builder.environment().put("JAVA_OPTS", "-Xmx256m");
    PubsubEmulator emulator =
        new PubsubEmulator(builder.start(), log, port, project, topic, subscription);
    try {
      emulator.awaitReady();
      emulator.put("/v1/" + emulator.topicPath(), "{}");
      emulator.put(
          "/v1/" + emulator.subscriptionPath(),
          MAPPER
              .createObjectNode()
              .put("topic", emulator.topicPath())
              .put("ackDeadlineSeconds", 60)
              .toString());
      return emulator;
    } catch (IOException | InterruptedException | RuntimeException e) {
      emulator.close();
      throw e;
    }
  }

  /** The value for Beam's {@code --pubsubRootUrl}, e.g. {@code http://127.0.0.1:8538}. */
  public String rootUrl() {
    return rootUrl;
  }

  public String project() {
    return project;
  }

  /** {@code projects/PROJECT/topics/TOPIC}, as PubsubIO's {@code to(...)} takes it. */
  public String topicPath() {
    return "projects/" + project + "/topics/" + topic;
  }

  /**
   * {@code projects/PROJECT/subscriptions/SUBSCRIPTION}, for PubsubIO's {@code fromSubscription}.
   */
  public String subscriptionPath() {
    return "projects/" + project + "/subscriptions/" + subscription;
  }

  /**
   * Creates one more subscription to the topic, in the project, and returns its path. A test reads
   * what was published through it without taking messages from the subscription a pipeline reads.
   */
  public String addSubscription(String name) throws IOException, InterruptedException {
    String path = "projects/" + project + "/subscriptions/" + name;
    put(
        "/v1/" + path,
        MAPPER
            .createObjectNode()
            .put("topic", topicPath())
            .put("ackDeadlineSeconds", 60)
            .toString());
    return path;
  }

  /** A message as the emulator delivered it. */
  public record Message(String id, String data, Map<String, String> attributes) {}

  /** Publishes one UTF-8 message with attributes to the topic; returns its message id. */
  public String publish(String data, Map<String, String> attributes)
      throws IOException, InterruptedException {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("data", Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)));
    ObjectNode attrs = message.putObject("attributes");
    attributes.forEach(attrs::put);
    ObjectNode body = MAPPER.createObjectNode();
    body.putArray("messages").add(message);
    JsonNode answer = post("/v1/" + topicPath() + ":publish", body.toString());
    return answer.get("messageIds").get(0).asText();
  }

  /**
   * Pulls and acknowledges up to {@code max} messages from the subscription, waiting up to {@code
   * timeout} for at least one; an empty list when none came.
   */
  public List<Message> pull(int max, Duration timeout) throws IOException, InterruptedException {
    return pull(subscriptionPath(), max, timeout);
  }

  /**
   * {@link #pull(int, Duration)} from another subscription ({@code projects/P/subscriptions/S}).
   */
  public List<Message> pull(String subscription, int max, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Message> messages = new ArrayList<>();
    do {
      JsonNode answer =
          post(
              "/v1/" + subscription + ":pull",
              MAPPER
                  .createObjectNode()
                  .put("maxMessages", max)
                  // Else the emulator holds an empty pull open past the request's timeout.
                  .put("returnImmediately", true)
                  .toString());
      ArrayNode acks = MAPPER.createArrayNode();
      for (JsonNode received : answer.path("receivedMessages")) {
        JsonNode message = received.get("message");
        Map<String, String> attributes = new TreeMap<>();
        message
            .path("attributes")
            .fields()
            .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        String data =
            new String(
                Base64.getDecoder().decode(message.path("data").asText("")),
                StandardCharsets.UTF_8);
        messages.add(new Message(message.get("messageId").asText(), data, attributes));
        acks.add(received.get("ackId").asText());
      }
      if (!acks.isEmpty()) {
        ObjectNode ack = MAPPER.createObjectNode();
        ack.set("ackIds", acks);
        post("/v1/" + subscription + ":acknowledge", ack.toString());
        return messages;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return messages;
  }

  /** Kills the emulator and every process it started, and waits for them to end. */
  @Override
  public void close() {
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
      }
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The Pub/Sub emulator exited with "
                + process.exitValue()
                + " before answering; its log "
                + log
                + ":\n"
                + tail());
      }
      try {
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create(rootUrl + "/"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "The Pub/Sub emulator did not answer on "
            + rootUrl
            + " within "
            + STARTUP
            + ":\n"
            + tail());
  }

  private JsonNode put(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(rootUrl + path)).PUT(bodyOf(body)), path);
  }

  private JsonNode post(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(rootUrl + path)).POST(bodyOf(body)), path);
  }

  private static HttpRequest.BodyPublisher bodyOf(String body) {
    return HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
  }

  private JsonNode send(HttpRequest.Builder request, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> answer =
        http.send(
            request
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() / 100 != 2) {
      throw new IOException(
          "Pub/Sub emulator answered "
              + answer.statusCode()
              + " to "
              + path
              + ": "
              + answer.body());
    }
    return answer.body().isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(answer.body());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The emulator script, or a failure saying how to get one. */
  static Path findScript() {
    String override = System.getenv(SCRIPT_ENV);
    if (override != null && !override.isBlank()) {
      Path script = Path.of(override);
      if (!Files.isExecutable(script)) {
        throw new IllegalStateException(SCRIPT_ENV + "=" + override + " is not an executable file");
      }
      return script;
    }
    List<String> roots = new ArrayList<>();
    gcloudSdkRoot().ifPresent(roots::add);
    roots.addAll(KNOWN_SDK_ROOTS);
    for (String root : roots) {
      Path script = Path.of(root).resolve(SCRIPT_IN_SDK);
      if (Files.isExecutable(script)) {
        return script;
      }
    }
    throw new IllegalStateException(
        "The Pub/Sub emulator is not installed: no cloud-pubsub-emulator under "
            + roots
            + ". Install the Google Cloud CLI component (apt: google-cloud-cli-pubsub-emulator,"
            + " or: gcloud components install pubsub-emulator), or set "
            + SCRIPT_ENV
            + " to the script's path.");
  }

  private static Optional<String> gcloudSdkRoot() {
    try {
      Process gcloud =
          new ProcessBuilder("gcloud", "info", "--format=value(installation.sdk_root)")
              .redirectErrorStream(false)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(gcloud.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!gcloud.waitFor(30, TimeUnit.SECONDS)) {
        gcloud.destroyForcibly();
        return Optional.empty();
      }
      String root = out.strip();
      return gcloud.exitValue() == 0 && !root.isEmpty() ? Optional.of(root) : Optional.empty();
    } catch (IOException e) {
      // No gcloud on the PATH: the known folders are tried next.
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
