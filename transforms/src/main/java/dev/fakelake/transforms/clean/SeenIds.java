package dev.fakelake.transforms.clean;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The event ids one bucket of {@link DropDuplicateEvents} remembers, each with its first arrival.
 * An id in the canonical form of a UUID ({@link EventIds}) is kept as its 128 bits in
 * open-addressed arrays of primitives; any other id as a string in a map. The two forms are exact:
 * no two ids share an entry.
 *
 * <p>Why not a {@code MapState<String, Long>}: at 20,000 events/s two minutes of ids are 2.4
 * million entries, and as strings in hash map nodes each cost about 140 bytes and three objects for
 * the garbage collector to trace; here a UUID id costs 24 to 96 bytes (three longs, the table
 * filled to between a quarter and two thirds) in arrays the collector does not look into.
 *
 * <p>A set is changed in place and then written back to its state cell, so the runner always holds
 * the set as changed. Where a checkpoint may be taken meanwhile, that is safe only because the
 * runner copies state a snapshot still needs before handing it out: Flink's heap state does,
 * through the state's coder, unless {@code --fasterCopy} is on, which fakelake sets only for runs
 * without {@code --checkpointingInterval}.
 */
final class SeenIds {

  /** The smallest table; always a power of two. */
  private static final int MIN_CAPACITY = 16;

  /** Marks an empty slot of {@link #firstSeen}: no arrival time is this early. */
  private static final long EMPTY = Long.MIN_VALUE;

  private long[] high = new long[MIN_CAPACITY];
  private long[] low = new long[MIN_CAPACITY];
  private long[] firstSeen = emptySlots(MIN_CAPACITY);
  private int uuids;
  private final Map<String, Long> others = new HashMap<>();

  /** How many ids the set holds. */
  int size() {
    return uuids + others.size();
  }

  /** Adds {@code id} first seen at {@code arrivalMs}; false, changing nothing, if it is there. */
  boolean add(String id, long arrivalMs) {
    if (!EventIds.isCanonicalUuid(id)) {
      return others.putIfAbsent(id, arrivalMs) == null;
    }
    long idHigh = EventIds.high(id);
    long idLow = EventIds.low(id);
    int slot = slotOf(high, low, firstSeen, idHigh, idLow);
    if (firstSeen[slot] != EMPTY) {
      return false;
    }
    high[slot] = idHigh;
    low[slot] = idLow;
    firstSeen[slot] = arrivalMs;
    uuids++;
    if (uuids * 3 > firstSeen.length * 2) {
      rebuild(firstSeen.length * 2, EMPTY);
    }
    return true;
  }

  /**
   * Forgets the ids first seen at or before {@code cutoffMs}.
   *
   * @return the earliest first arrival of the ids still held, {@code Long.MAX_VALUE} if none
   */
  long forgetUpTo(long cutoffMs) {
    long oldestKept = Long.MAX_VALUE;
    int kept = 0;
    for (long seen : firstSeen) {
      if (seen != EMPTY && seen > cutoffMs) {
        kept++;
        oldestKept = Math.min(oldestKept, seen);
      }
    }
    rebuild(capacityFor(kept), cutoffMs);
    for (Iterator<Long> seen = others.values().iterator(); seen.hasNext(); ) {
      long arrival = seen.next();
      if (arrival <= cutoffMs) {
        seen.remove();
      } else {
        oldestKept = Math.min(oldestKept, arrival);
      }
    }
    return oldestKept;
  }

  /** Moves the UUID ids first seen after {@code cutoffMs} into a table of {@code capacity}. */
  private void rebuild(int capacity, long cutoffMs) {
    long[] oldHigh = high;
    long[] oldLow = low;
    long[] oldSeen = firstSeen;
    high = new long[capacity];
    low = new long[capacity];
    firstSeen = emptySlots(capacity);
    uuids = 0;
    for (int i = 0; i < oldSeen.length; i++) {
      if (oldSeen[i] != EMPTY && oldSeen[i] > cutoffMs) {
        put(oldHigh[i], oldLow[i], oldSeen[i]);
      }
    }
  }

  private void put(long idHigh, long idLow, long arrivalMs) {
    int slot = slotOf(high, low, firstSeen, idHigh, idLow);
    high[slot] = idHigh;
    low[slot] = idLow;
    firstSeen[slot] = arrivalMs;
    uuids++;
  }

  /** The slot holding the id, or the empty slot where it belongs (linear probing). */
  private static int slotOf(long[] high, long[] low, long[] firstSeen, long idHigh, long idLow) {
    int mask = firstSeen.length - 1;
    int slot = (int) mix(idHigh ^ Long.rotateLeft(idLow, 32)) & mask;
    while (firstSeen[slot] != EMPTY && (high[slot] != idHigh || low[slot] != idLow)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** Spreads the bits of a key over the table (the finaliser of MurmurHash3). */
  private static long mix(long key) {
    key ^= key >>> 33;
    key *= 0xff51afd7ed558ccdL;
    key ^= key >>> 33;
    key *= 0xc4ceb9fe1a85ec53L;
    return key ^ (key >>> 33);
  }

  /** A table where {@code ids} fill at most half, leaving room to grow before the next rebuild. */
  private static int capacityFor(int ids) {
    int capacity = MIN_CAPACITY;
    while (capacity < ids * 2) {
      capacity *= 2;
    }
    return capacity;
  }

  private static long[] emptySlots(int capacity) {
    long[] slots = new long[capacity];
    java.util.Arrays.fill(slots, EMPTY);
    return slots;
  }

  /** The coder of a set, for its state cell. */
  static Coder<SeenIds> coder() {
    return SeenIdsCoder.INSTANCE;
  }

  private static final class SeenIdsCoder extends CustomCoder<SeenIds> {
    private static final SeenIdsCoder INSTANCE = new SeenIdsCoder();
    private static final Coder<Integer> COUNT = VarIntCoder.of();
    private static final Coder<Long> TIME = VarLongCoder.of();
    private static final Coder<String> ID = StringUtf8Coder.of();

    @Override
    public void encode(SeenIds ids, OutputStream out) throws IOException {
      COUNT.encode(ids.uuids, out);
      DataOutputStream bits = new DataOutputStream(out);
      for (int i = 0; i < ids.firstSeen.length; i++) {
        if (ids.firstSeen[i] != EMPTY) {
          bits.writeLong(ids.high[i]);
          bits.writeLong(ids.low[i]);
          TIME.encode(ids.firstSeen[i], out);
        }
      }
      bits.flush();
      COUNT.encode(ids.others.size(), out);
      for (Map.Entry<String, Long> other : ids.others.entrySet()) {
        ID.encode(other.getKey(), out);
        TIME.encode(other.getValue(), out);
      }
    }

    @Override
    public SeenIds decode(InputStream in) throws IOException {
      SeenIds ids = new SeenIds();
      int uuids = COUNT.decode(in);
      int capacity = capacityFor(uuids);
      ids.high = new long[capacity];
      ids.low = new long[capacity];
      ids.firstSeen = emptySlots(capacity);
      DataInputStream bits = new DataInputStream(in);
      for (int i = 0; i < uuids; i++) {
        long idHigh = bits.readLong();
        long idLow = bits.readLong();
        ids.put(idHigh, idLow, TIME.decode(in));
      }
      int others = COUNT.decode(in);
      for (int i = 0; i < others; i++) {
        ids.others.put(ID.decode(in), TIME.decode(in));
      }
      return ids;
    }
  }
}
