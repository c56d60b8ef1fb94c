package dev.fakelake.transforms.clean;

import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
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
 * <p>The ids are kept in {@value #BUCKETS} keyed sets (by the id's hash, see {@link SeenIds}), each
 * with one timer that forgets its ids once they are older than the memory: a key and a timer per
 * event id would cost several hundred bytes per id, which a fast stream's minutes of ids cannot
 * afford.
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

    /**
     * The bucket's ids with their first arrivals; the cell is empty exactly when no timer is set.
     */
    @StateId("seen")
    private final StateSpec<ValueState<SeenIds>> seenSpec = StateSpecs.value(SeenIds.coder());

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
        @StateId("seen") ValueState<SeenIds> state,
        @TimerId("forget") Timer forget,
        OutputReceiver<Row> out,
        ProcessContext context) {
      if (alreadySeenView != null && alreadySeen == null) {
        alreadySeen = context.sideInput(alreadySeenView);
      }
      String id = event.getValue().getString(idField);
      if (alreadySeen != null && alreadySeen.containsKey(id)) {
        duplicates.inc();
        return;
      }
      SeenIds seen = state.read();
      if (seen == null) {
        seen = new SeenIds();
      }
      if (!seen.add(id, arrival.getMillis())) {
        duplicates.inc();
        return;
      }
      state.write(seen);
      if (seen.size() == 1) {
        // The bucket was empty, so it had no timer.
        forget.set(arrival.plus(memory));
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
        @StateId("seen") ValueState<SeenIds> state,
        @TimerId("forget") Timer forget) {
      SeenIds seen = state.read();
      long oldestKept =
          seen == null ? Long.MAX_VALUE : seen.forgetUpTo(now.minus(memory).getMillis());
      if (oldestKept == Long.MAX_VALUE) {
        state.clear();
        return;
      }
      state.write(seen);
      Instant next = new Instant(oldestKept).plus(memory);
      Instant soonest = now.plus(Duration.millis(memory.getMillis() / 4));
      forget.set(next.isAfter(soonest) ? next : soonest);
    }
  }
}
