package dev.fakelake.transforms.clean;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Keeps the first of the stream events that share an event id and counts the others. An id is
 * remembered for at least {@code memory} of event time after its first arrival (element timestamps
 * are arrival times here), and at most a quarter longer, which covers a producer's retries and the
 * generator's duplicates; the raw capture still holds every copy.
 *
 * <p>The ids are kept in {@value #BUCKETS} keyed maps (by the id's hash), each with one timer that
 * forgets its ids once they are older than the memory: a key and a timer per event id would cost
 * several hundred bytes per id, which a fast stream's minutes of ids cannot afford.
 *
 * <p>A run starts with no memory of its own; {@link #withAlreadySeen} hands it the ids a previous
 * run read last, so that a copy arriving just after a restart is still recognised.
 */
public class DropDuplicateEvents extends PTransform<PCollection<Row>, PCollection<Row>> {

  /** Keys the ids are spread over: enough for every worker's share to be even. */
  static final int BUCKETS = 4096;

  private final String idField;
  private final Duration memory;
  private final String entity;
  private final @Nullable PCollectionView<Map<String, Boolean>> alreadySeen;

  private DropDuplicateEvents(
      String entity,
      String idField,
      Duration memory,
      @Nullable PCollectionView<Map<String, Boolean>> alreadySeen) {
    this.entity = entity;
    this.idField = idField;
    this.memory = memory;
    this.alreadySeen = alreadySeen;
  }

  /** Drops repeats of {@code event_id} seen within {@code memory} of the first. */
  public static DropDuplicateEvents byEventId(String entity, Duration memory) {
    return new DropDuplicateEvents(entity, "event_id", memory, null);
  }

  /** Also drops the events whose id is a key of {@code ids}, as read before this run. */
  public DropDuplicateEvents withAlreadySeen(PCollectionView<Map<String, Boolean>> ids) {
    return new DropDuplicateEvents(entity, idField, memory, ids);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> events) {
    Schema schema = events.getSchema();
    String field = idField;
    KeepFirstFn keepFirst = new KeepFirstFn(entity, field, memory, alreadySeen);
    return events
        .apply(
            "KeyByIdBucket",
            WithKeys.of((Row row) -> Math.floorMod(row.getString(field).hashCode(), BUCKETS))
                .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), RowCoder.of(schema)))
        .apply(
            "KeepFirstOfEachId",
            alreadySeen == null
                ? ParDo.of(keepFirst)
                : ParDo.of(keepFirst).withSideInputs(alreadySeen))
        .setRowSchema(schema);
  }

  private static class KeepFirstFn extends DoFn<KV<Integer, Row>, Row> {
    private final String idField;
    private final Duration memory;
    private final Counter duplicates;
    private final @Nullable PCollectionView<Map<String, Boolean>> alreadySeenView;
    // Fetched once per DoFn instance: the ids are read once, in the global window, before the
    // first event is processed, and never change; a runner may build the whole map anew on each
    // sideInput() call (Flink does).
    private transient @Nullable Map<String, Boolean> alreadySeen;

    /** Each id of the bucket with its first arrival, in epoch milliseconds. */
    @StateId("seen")
    private final StateSpec<MapState<String, Long>> seenSpec =
        StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

    /** When the bucket's timer is set for, if it is. */
    @StateId("forgetAt")
    private final StateSpec<ValueState<Long>> forgetAtSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstFn(
        String entity,
        String idField,
        Duration memory,
        @Nullable PCollectionView<Map<String, Boolean>> alreadySeenView) {
      this.idField = idField;
      this.memory = memory;
      this.duplicates = Metrics.counter("stream", entity + "_duplicates");
      this.alreadySeenView = alreadySeenView;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Row> event,
        @Timestamp Instant arrival,
        @StateId("seen") MapState<String, Long> seen,
        @StateId("forgetAt") ValueState<Long> forgetAt,
        @TimerId("forget") Timer forget,
        OutputReceiver<Row> out,
        ProcessContext context) {
      if (alreadySeenView != null && alreadySeen == null) {
        alreadySeen = context.sideInput(alreadySeenView);
      }
      String id = event.getValue().getString(idField);
      if (seen.get(id).read() != null || (alreadySeen != null && alreadySeen.containsKey(id))) {
        duplicates.inc();
        return;
      }
      seen.put(id, arrival.getMillis());
      if (forgetAt.read() == null) {
        setForget(arrival.plus(memory), forget, forgetAt);
      }
      out.output(event.getValue());
    }

    /**
     * Forgets the bucket's ids older than the memory, and sets the timer again for the oldest of
     * the rest, but no sooner than a quarter of the memory from now, so that a bucket's timer fires
     * a few times per memory rather than once per id.
     */
    @OnTimer("forget")
    public void forget(
        @Timestamp Instant now,
        @StateId("seen") MapState<String, Long> seen,
        @StateId("forgetAt") ValueState<Long> forgetAt,
        @TimerId("forget") Timer forget) {
      long cutoff = now.minus(memory).getMillis();
      List<String> old = new ArrayList<>();
      long oldestKept = Long.MAX_VALUE;
      for (Map.Entry<String, Long> entry : seen.entries().read()) {
        if (entry.getValue() <= cutoff) {
          old.add(entry.getKey());
        } else {
          oldestKept = Math.min(oldestKept, entry.getValue());
        }
      }
      old.forEach(seen::remove);
      if (oldestKept == Long.MAX_VALUE) {
        forgetAt.clear();
        return;
      }
      Instant next = new Instant(oldestKept).plus(memory);
      Instant soonest = now.plus(Duration.millis(memory.getMillis() / 4));
      setForget(next.isAfter(soonest) ? next : soonest, forget, forgetAt);
    }

    private static void setForget(Instant at, Timer forget, ValueState<Long> forgetAt) {
      forget.set(at);
      forgetAt.write(at.getMillis());
    }
  }
}
