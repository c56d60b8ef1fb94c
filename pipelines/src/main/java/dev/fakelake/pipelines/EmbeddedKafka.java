package dev.fakelake.pipelines;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft combined mode: broker and controller in one process) run
 * inside this JVM on 127.0.0.1, so the stream commands work with zero set-up.
 *
 * <p>Everything lives in the directory the caller gives (the stream commands use {@code
 * LAKE/_stream/kafka}): storage is formatted only when it was never formatted, and the cluster id
 * stays in its {@code meta.properties}, so a restart over the same directory keeps the topics, the
 * messages and the committed consumer-group offsets. Ports are free ones picked at each start;
 * while the broker runs, its address is in {@value #BOOTSTRAP_FILE} of the directory, so that a
 * second command on the same lake can use it (see {@link #runningAt}) instead of failing on the
 * directory lock.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of("fakelake-data/_stream/kafka"))) {
 *   kafka.ensureTopic("fakelake-events", 2);
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** The file, in the broker's directory, that holds the address of the running broker. */
  public static final String BOOTSTRAP_FILE = "bootstrap.servers";

  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final long READY_TIMEOUT_MILLIS = 60_000;

  private final Path directory;
  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final long startMillis;
  private boolean closed;

  private EmbeddedKafka(
      Path directory, KafkaRaftServer server, String bootstrapServers, long startMillis) {
    this.directory = directory;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.startMillis = startMillis;
  }

  /**
   * Starts a broker over {@code directory}, formatting it first if it was never formatted, and
   * returns once the broker answers requests.
   */
  public static EmbeddedKafka start(Path directory) {
    long started = System.nanoTime();
    Path logDir = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the Kafka directory " + logDir, e);
    }
    int brokerPort = freePort();
    int controllerPort = freePort();
    KafkaConfig config = KafkaConfig.fromProps(properties(logDir, brokerPort, controllerPort));
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(logDir);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    String bootstrap = "127.0.0.1:" + brokerPort;
    try {
      server.startup();
      awaitReady(bootstrap);
    } catch (RuntimeException e) {
      stop(server);
      throw new IllegalStateException(
          "The embedded Kafka broker over " + logDir + " did not start: " + e.getMessage(), e);
    }
    try {
      Files.writeString(logDir.resolve(BOOTSTRAP_FILE), bootstrap + "\n");
    } catch (IOException e) {
      stop(server);
      throw new UncheckedIOException("Cannot write " + logDir.resolve(BOOTSTRAP_FILE), e);
    }
    return new EmbeddedKafka(logDir, server, bootstrap, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The address of a broker that another process runs over {@code directory} right now, if any: a
   * second stream command on the same lake joins it rather than starting its own.
   */
  public static Optional<String> runningAt(Path directory) {
    Path file = directory.resolve(BOOTSTRAP_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String bootstrap = Files.readString(file).trim();
      int colon = bootstrap.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress(
                bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))),
            1_000);
      }
      return Optional.of(bootstrap);
    } catch (IOException | RuntimeException e) {
      // A file left by a broker that died without closing: nobody is there.
      return Optional.empty();
    }
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path directory() {
    return directory;
  }

  /** How long {@link #start} took, from the call to the first answered request. */
  public long startMillis() {
    return startMillis;
  }

  /** Creates {@code topic} with {@code partitions} partitions unless it exists already. */
  public void ensureTopic(String topic, int partitions) {
    try (Admin admin = admin(bootstrapServers)) {
      Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!topics.contains(topic)) {
        admin
            .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "Cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Shuts the broker down in a controlled way and waits until its threads have ended. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Files.deleteIfExists(directory.resolve(BOOTSTRAP_FILE));
    } catch (IOException e) {
      // The file only helps other commands find a live broker; runningAt checks the port anyway.
    }
    stop(server);
  }

  private static void stop(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  static Properties properties(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://127.0.0.1:"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One broker: every internal topic has one replica, and one in-sync replica is enough.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("num.partitions", "1");
    // A lone consumer need not wait for others to join its group.
    p.put("group.initial.rebalance.delay.ms", "0");
    // A laptop-sized broker: few threads, and a small buffer for compacting the offsets topic
    // (the default 128 MB would be most of its memory).
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    // Small segments so retention can free disk on a long stream.
    p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    return p;
  }

  private static void format(Path logDir) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot format the Kafka directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  private static void awaitReady(String bootstrap) {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
    Exception last = null;
    try (Admin admin = admin(bootstrap)) {
      while (System.currentTimeMillis() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
      }
    }
    throw new IllegalStateException(
        "no answer on " + bootstrap + " within " + READY_TIMEOUT_MILLIS / 1000 + " s", last);
  }

  static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            10_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            30_000));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1", e);
    }
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers + " over " + directory + "]";
  }
}
