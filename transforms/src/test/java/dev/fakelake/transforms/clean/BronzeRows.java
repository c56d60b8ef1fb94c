package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.Entity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * Builds bronze rows for curate's tests: the fields a test names, null for every other entity
 * field, and plain metadata (one batch, one landing file, line 1) unless the test names it too.
 * Also turns outputs into short strings, so a test's expectations read like the behaviour they
 * check.
 */
final class BronzeRows {

  static final String BATCH = "b20260301T120000Z";
  static final Instant INGESTED_AT = Instant.parse("2026-03-01T12:00:00Z");

  private BronzeRows() {}

  /** The landing file rows of an entity come from unless a test names another. */
  static String file(Entity entity) {
    return "lake/landing/" + entity.tableName() + "/" + entity.tableName() + "-00000.jsonl";
  }

  /** A bronze row of an entity. */
  static Row row(Entity entity, Object... namesAndValues) {
    return row(Bronze.schema(entity), entity, namesAndValues);
  }

  /** A bronze pageview as {@link MeasureLateness} leaves it, by default neither late nor early. */
  static Row measuredPageview(Object... namesAndValues) {
    Schema schema = MeasureLateness.schema(Bronze.schema(Entity.PAGEVIEWS));
    List<Object> values =
        new ArrayList<>(
            List.of(MeasureLateness.LATENESS, 0L, MeasureLateness.SESSION_LATENESS, 0L));
    values.addAll(Arrays.asList(namesAndValues));
    return row(schema, Entity.PAGEVIEWS, values.toArray());
  }

  private static Row row(Schema schema, Entity entity, Object... namesAndValues) {
    Map<String, Object> values = new HashMap<>();
    for (Schema.Field field : schema.getFields()) {
      values.put(field.getName(), null);
    }
    values.put(Bronze.SOURCE, entity.tableName());
    values.put(Bronze.SOURCE_LOCATION, file(entity));
    values.put(Bronze.SOURCE_RECORD, "line 1");
    values.put(Bronze.BATCH_ID, BATCH);
    values.put(Bronze.INGESTED_AT, INGESTED_AT);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = (String) namesAndValues[i];
      if (!schema.hasField(name)) {
        throw new IllegalArgumentException(entity.tableName() + " has no field " + name);
      }
      values.put(name, namesAndValues[i + 1]);
    }
    return Row.withSchema(schema).withFieldValues(values).build();
  }

  /** A side input of rows by id, as curate builds it with {@code View.asMap}. */
  static PCollectionView<Map<Long, Row>> byId(
      TestPipeline pipeline, String name, Schema schema, String idField, Row... rows) {
    List<KV<Long, Row>> entries = new ArrayList<>();
    for (Row row : rows) {
      entries.add(KV.of(row.getInt64(idField), row));
    }
    KvCoder<Long, Row> coder = KvCoder.of(VarLongCoder.of(), RowCoder.of(schema));
    PCollection<KV<Long, Row>> keyed =
        entries.isEmpty()
            ? pipeline.apply("Create" + name, Create.empty(coder))
            : pipeline.apply("Create" + name, Create.of(entries).withCoder(coder));
    return keyed.apply("View" + name, View.asMap());
  }

  /** Rows as {@code name=value, ...} of the fields named, in that order. */
  static PCollection<String> fields(PCollection<Row> rows, String... names) {
    return rows.apply(
        "Describe" + String.join("", names),
        MapElements.into(TypeDescriptors.strings())
            .via(
                (Row row) -> {
                  List<String> parts = new ArrayList<>();
                  for (String name : names) {
                    parts.add(name + "=" + row.getValue(name));
                  }
                  return String.join(", ", parts);
                }));
  }

  /** Detections as {@code entity key defect field}. */
  static PCollection<String> defects(PCollection<Defect> defects) {
    return defects.apply(
        "DescribeDefects", MapElements.into(TypeDescriptors.strings()).via(BronzeRows::defect));
  }

  static String defect(Defect defect) {
    return String.join(
        " ",
        defect.getEntity(),
        defect.getKey(),
        defect.getDefect(),
        String.valueOf(defect.getField()));
  }

  /** Quarantined rows as {@code source | location | record | key | error | reason}. */
  static PCollection<String> quarantined(PCollection<DeadLetter> letters) {
    return letters.apply(
        "DescribeQuarantine",
        MapElements.into(TypeDescriptors.strings())
            .via(
                (DeadLetter letter) ->
                    String.join(
                        " | ",
                        letter.getSource(),
                        letter.getLocation(),
                        letter.getRecord(),
                        letter.getRecordKey(),
                        letter.getError(),
                        letter.getReason())));
  }
}
