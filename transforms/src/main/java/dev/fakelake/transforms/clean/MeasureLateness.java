package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.Bronze;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Measures how late each event arrived, from the order it was delivered in: within its landing
 * file, how far its event time lies behind the newest event delivered before it ({@code
 * lateness_ms}), and the same within its session ({@code session_lateness_ms}). Sessions are
 * delivered in order, so an event behind its own session arrived out of order; an event hours
 * behind the file arrived late.
 */
public class MeasureLateness extends PTransform<PCollection<Row>, PCollection<Row>> {

  public static final String LATENESS = "lateness_ms";
  public static final String SESSION_LATENESS = "session_lateness_ms";

  private final String sessionField;

  private MeasureLateness(String sessionField) {
    this.sessionField = sessionField;
  }

  public static MeasureLateness bySession(String sessionField) {
    return new MeasureLateness(sessionField);
  }

  /** The input schema with the two lateness columns appended. */
  public static Schema schema(Schema input) {
    return Schema.builder()
        .addFields(input.getFields())
        .addInt64Field(LATENESS)
        .addInt64Field(SESSION_LATENESS)
        .build();
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> events) {
    Schema output = schema(events.getSchema());
    return events
        .apply(
            "KeyByFile",
            WithKeys.of((Row row) -> row.getString(Bronze.SOURCE_LOCATION))
                .withKeyType(TypeDescriptors.strings()))
        .apply("GroupByFile", GroupByKey.create())
        .apply("MeasureInDeliveryOrder", ParDo.of(new MeasureFn(output, sessionField)))
        .setRowSchema(output);
  }

  private static class MeasureFn extends DoFn<KV<String, Iterable<Row>>, Row> {
    private final Schema output;
    private final String sessionField;

    MeasureFn(Schema output, String sessionField) {
      this.output = output;
      this.sessionField = sessionField;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> file, OutputReceiver<Row> out) {
      List<Row> rows = new ArrayList<>();
      file.getValue().forEach(rows::add);
      rows.sort(Comparator.comparingLong(MeasureFn::position));
      Long newest = null;
      Map<String, Long> newestOfSession = new HashMap<>();
      for (Row row : rows) {
        long lateness = 0;
        long sessionLateness = 0;
        if (row.getDateTime("event_time") != null) {
          long time = row.getDateTime("event_time").getMillis();
          if (newest != null) {
            lateness = Math.max(0, newest - time);
          }
          newest = newest == null ? time : Math.max(newest, time);
          String session = String.valueOf((Object) row.getValue(sessionField));
          Long sessionNewest = newestOfSession.get(session);
          if (sessionNewest != null) {
            sessionLateness = Math.max(0, sessionNewest - time);
          }
          newestOfSession.merge(session, time, Math::max);
        }
        out.output(
            Row.withSchema(output).attachValues(withLateness(row, lateness, sessionLateness)));
      }
    }

    private static List<Object> withLateness(Row row, long lateness, long sessionLateness) {
      List<Object> values = new ArrayList<>(row.getFieldCount() + 2);
      values.addAll(row.getValues());
      values.add(lateness);
      values.add(sessionLateness);
      return values;
    }

    /** The line number of {@code line 17}; other records sort first. */
    private static long position(Row row) {
      String record = row.getString(Bronze.SOURCE_RECORD);
      return record != null && record.startsWith("line ") ? Long.parseLong(record.substring(5)) : 0;
    }
  }
}
