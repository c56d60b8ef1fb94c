package dev.fakelake.transforms.clean;

import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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

/**
 * Keeps the first of the stream events that share an event id and counts the others. An id is
 * remembered for {@code memory} of event time after its first arrival (element timestamps are
 * arrival times here), which covers a producer's retries and the generator's duplicates; the raw
 * capture still holds every copy.
 *
 * <p>A run starts with no memory of its own; {@link #withAlreadySeen} hands it the ids a previous
 * run read last, so that a copy arriving just after a restart is still recognised.
 */
public class DropDuplicateEvents extends PTransform<PCollection<Row>, PCollection<Row>> {

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
    return events
        .apply(
            "KeyByEventId",
            WithKeys.of((Row row) -> row.getString(field)).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(schema)))
        .apply(
            "KeepFirstOfEachId",
            alreadySeen == null
                ? ParDo.of(new KeepFirstFn(entity, memory, null))
                : ParDo.of(new KeepFirstFn(entity, memory, alreadySeen))
                    .withSideInputs(alreadySeen))
        .setRowSchema(schema);
  }

  private static class KeepFirstFn extends DoFn<KV<String, Row>, Row> {
    private final Duration memory;
    private final Counter duplicates;
    private final @Nullable PCollectionView<Map<String, Boolean>> alreadySeenView;
    // Fetched once per DoFn instance: the ids are read once, in the global window, before the
    // first event is processed, and never change; a runner may build the whole map anew on each
    // sideInput() call (Flink does).
    private transient @Nullable Map<String, Boolean> alreadySeen;

    @StateId("seen")
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstFn(
        String entity,
        Duration memory,
        @Nullable PCollectionView<Map<String, Boolean>> alreadySeenView) {
      this.memory = memory;
      this.duplicates = Metrics.counter("stream", entity + "_duplicates");
      this.alreadySeenView = alreadySeenView;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Row> event,
        @StateId("seen") ValueState<Boolean> seen,
        @TimerId("forget") Timer forget,
        OutputReceiver<Row> out,
        ProcessContext context) {
      if (alreadySeenView != null && alreadySeen == null) {
        alreadySeen = context.sideInput(alreadySeenView);
      }
      if (Boolean.TRUE.equals(seen.read())
          || (alreadySeen != null && alreadySeen.containsKey(event.getKey()))) {
        duplicates.inc();
        return;
      }
      seen.write(true);
      forget.offset(memory).setRelative();
      out.output(event.getValue());
    }

    @OnTimer("forget")
    public void forget(@StateId("seen") ValueState<Boolean> seen) {
      seen.clear();
    }
  }
}
