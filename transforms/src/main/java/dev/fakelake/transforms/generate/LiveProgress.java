package dev.fakelake.transforms.generate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records generated so far in this JVM, for the live progress line of a command running the Direct
 * runner or Flink's local cluster. Beam metrics remain the authority for the summary; on a remote
 * cluster these stay at zero and only elapsed time is shown.
 */
public final class LiveProgress {

  private static final Map<String, LongAdder> RECORDS = new ConcurrentHashMap<>();
  private static final Map<String, LongAccumulator> HIGHEST = new ConcurrentHashMap<>();

  private LiveProgress() {}

  public static void add(String name, long records) {
    RECORDS.computeIfAbsent(name, n -> new LongAdder()).add(records);
  }

  public static long total() {
    return RECORDS.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Notes that index {@code index} of a sequence was generated. */
  public static void mark(String name, long index) {
    HIGHEST.computeIfAbsent(name, n -> new LongAccumulator(Math::max, -1)).accumulate(index);
  }

  /** The highest index of a sequence generated in this JVM, or -1. */
  public static long highest(String name) {
    LongAccumulator highest = HIGHEST.get(name);
    return highest == null ? -1 : highest.get();
  }

  public static void reset() {
    RECORDS.clear();
    HIGHEST.clear();
  }
}
