package dev.fakelake.pipelines;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.io.kafka.CheckStopReadingFn;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * When a stream-ingest run stops reading: after its duration, after its message limit, once it has
 * read up to given offsets, or when the command is asked to stop (Ctrl-C). Kafka's reader asks
 * before each poll; once every partition has stopped, the pipeline drains: windows fire, files are
 * finalized, offsets are committed, and the run ends as a finished job, so that the next run starts
 * exactly where this one stopped.
 *
 * <p>The conditions live in this JVM, where the command runs its pipeline on the Direct runner or
 * Flink's in-process cluster, and in the run's control file in the lake ({@code
 * _stream/control/RUN.properties}), which the readers look at every second: that is how a stop
 * request and the offsets to read up to reach readers on a Flink cluster. The message limit is
 * counted per JVM, so it holds only for a run in the command's own JVM.
 */
final class StreamStop {

  private static final AtomicLong READ = new AtomicLong();
  private static final AtomicLong LIMIT = new AtomicLong(Long.MAX_VALUE);
  private static volatile boolean requested;
  // The next offset to read per partition, and where to stop (null: no such target).
  private static final Map<Integer, Long> NEXT = new ConcurrentHashMap<>();
  private static volatile @Nullable Map<Integer, Long> until;
  // When the run read its first and its latest message (System.nanoTime), and the partitions whose
  // reader has asked whether to stop: what the benchmark times and waits for.
  private static final AtomicLong FIRST_READ_NANOS = new AtomicLong();
  private static volatile long lastReadNanos;
  // The earliest and latest Kafka timestamp of the messages read: when they were sent.
  private static final AtomicLong EARLIEST_SENT_MILLIS = new AtomicLong(Long.MAX_VALUE);
  private static final AtomicLong LATEST_SENT_MILLIS = new AtomicLong(Long.MIN_VALUE);
  private static final Set<Integer> CHECKED = ConcurrentHashMap.newKeySet();
  // The run's control file, where this JVM writes stop requests and targets for readers elsewhere.
  private static volatile @Nullable String control;
  private static final long CONTROL_READ_INTERVAL_MILLIS = 1_000;

  private StreamStop() {}

  /**
   * Starts a run: nothing read yet, no stop asked; stop requests and targets are also written to
   * {@code controlFile} (null: this JVM only).
   */
  static void reset(long limit, Map<Integer, Long> startOffsets, @Nullable String controlFile) {
    reset(limit, startOffsets);
    control = controlFile;
    if (controlFile != null && LakeFiles.exists(controlFile)) {
      LakeFiles.delete(List.of(controlFile));
    }
  }

  /** Starts a run in this JVM only: nothing read yet, no stop asked. */
  static void reset(long limit, Map<Integer, Long> startOffsets) {
    control = null;
    READ.set(0);
    LIMIT.set(limit > 0 ? limit : Long.MAX_VALUE);
    requested = false;
    NEXT.clear();
    NEXT.putAll(startOffsets);
    until = null;
    FIRST_READ_NANOS.set(0);
    lastReadNanos = 0;
    EARLIEST_SENT_MILLIS.set(Long.MAX_VALUE);
    LATEST_SENT_MILLIS.set(Long.MIN_VALUE);
    CHECKED.clear();
  }

  /** Stops each partition once everything before {@code endOffsets} of it has been read. */
  static void until(Map<Integer, Long> endOffsets) {
    until = Map.copyOf(endOffsets);
    writeControl();
  }

  /** Stops the run once this many messages were read in all (the limit can be set late). */
  static void limit(long messages) {
    LIMIT.set(messages);
  }

  /** Asks the run to stop after what it has read. */
  static void request() {
    requested = true;
    writeControl();
  }

  /** The run's control file: whether to stop, and the offsets to read up to. */
  private static void writeControl() {
    String file = control;
    if (file == null) {
      return;
    }
    StringBuilder text = new StringBuilder("stop=" + requested + "\n");
    Map<Integer, Long> targets = until;
    if (targets != null) {
      targets.forEach(
          (partition, offset) ->
              text.append("until.").append(partition).append('=').append(offset).append('\n'));
    }
    LakeFiles.write(file, text.toString());
  }

  /** Takes what the control file says into this JVM (a reader's, on a cluster). */
  private static void readControl(String file) {
    if (!LakeFiles.exists(file)) {
      return;
    }
    java.util.Properties lines = new java.util.Properties();
    try {
      lines.load(new java.io.StringReader(LakeFiles.read(file)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + file, e);
    }
    Map<Integer, Long> targets = new java.util.HashMap<>();
    for (String key : lines.stringPropertyNames()) {
      if (key.startsWith("until.")) {
        targets.put(
            Integer.parseInt(key.substring("until.".length())),
            Long.parseLong(lines.getProperty(key)));
      }
    }
    if (!targets.isEmpty()) {
      until = Map.copyOf(targets);
    }
    if (Boolean.parseBoolean(lines.getProperty("stop"))) {
      requested = true;
    }
  }

  /**
   * Makes the first Ctrl-C (or TERM) a request to stop after what was read, so the run drains and
   * commits instead of dying mid-window; a second one ends the process at once.
   */
  static void onSignals() {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            signal -> {
              if (requested) {
                Runtime.getRuntime().halt(130);
              }
              System.err.println(
                  "\nstream-ingest: stopping after the messages read so far; the windows drain"
                      + " and the offsets are committed ("
                      + name
                      + " again to abort)");
              requested = true;
            });
      } catch (IllegalArgumentException e) {
        // The platform does not know this signal; the default handling stays.
      }
    }
  }

  /**
   * Whether the run takes a message it has read: not past its message limit, nor past the offset it
   * reads up to. Kafka hands over messages in batches, so a reader may get some beyond either bound
   * before it stops; those are left to the next run, which starts after the last message taken (per
   * partition, the messages taken are the first ones read).
   */
  static boolean take(int partition, long offset, long sentMillis) {
    Map<Integer, Long> targets = until;
    if (targets != null && offset >= targets.getOrDefault(partition, Long.MAX_VALUE)) {
      return false;
    }
    long taken = READ.get();
    while (taken < LIMIT.get()) {
      if (READ.compareAndSet(taken, taken + 1)) {
        long now = System.nanoTime();
        if (taken == 0) {
          FIRST_READ_NANOS.set(now);
        }
        lastReadNanos = now;
        EARLIEST_SENT_MILLIS.accumulateAndGet(sentMillis, Math::min);
        LATEST_SENT_MILLIS.accumulateAndGet(sentMillis, Math::max);
        NEXT.merge(partition, offset + 1, Math::max);
        return true;
      }
      taken = READ.get();
    }
    return false;
  }

  static long read() {
    return READ.get();
  }

  /** Seconds from the run's first message read to its latest, or 0 before two were read. */
  static double readingSeconds() {
    long first = FIRST_READ_NANOS.get();
    return first == 0 ? 0 : Math.max(0, lastReadNanos - first) / 1e9;
  }

  /**
   * Seconds from the earliest Kafka timestamp of the messages the run read to the latest: how long
   * their sending took, or 0 before two were read.
   */
  static double sendingSeconds() {
    long earliest = EARLIEST_SENT_MILLIS.get();
    long latest = LATEST_SENT_MILLIS.get();
    return latest > earliest ? (latest - earliest) / 1e3 : 0;
  }

  /** Whether the readers of this many partitions have asked whether to stop: they are running. */
  static boolean readersStarted(int partitions) {
    return CHECKED.size() >= partitions;
  }

  /**
   * The check the Kafka reader calls; {@code durationMillis} 0 means no time limit, and the reader
   * looks at {@code controlFile} every second (null: no control file).
   */
  static CheckStopReadingFn fn(long durationMillis, @Nullable String controlFile) {
    return new Check(durationMillis, controlFile);
  }

  private static final class Check implements CheckStopReadingFn {
    private final long durationMillis;
    private final @Nullable String controlFile;
    // The duration counts from the first check, when reading starts, not from the job's start-up.
    private transient long firstCheckMillis;
    private transient long controlReadMillis;

    Check(long durationMillis, @Nullable String controlFile) {
      this.durationMillis = durationMillis;
      this.controlFile = controlFile;
    }

    @Override
    public Boolean apply(TopicPartition partition) {
      CHECKED.add(partition.partition());
      long now = System.currentTimeMillis();
      if (firstCheckMillis == 0) {
        firstCheckMillis = now;
      }
      if (controlFile != null && now - controlReadMillis >= CONTROL_READ_INTERVAL_MILLIS) {
        controlReadMillis = now;
        readControl(controlFile);
      }
      Map<Integer, Long> targets = until;
      return requested
          || READ.get() >= LIMIT.get()
          || (durationMillis > 0 && now - firstCheckMillis >= durationMillis)
          || (targets != null
              && NEXT.getOrDefault(partition.partition(), 0L)
                  >= targets.getOrDefault(partition.partition(), 0L));
    }
  }
}
