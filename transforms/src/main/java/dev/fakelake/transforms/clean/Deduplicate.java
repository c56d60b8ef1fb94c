package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.aggregate.GroupByBucket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Keeps one bronze row per natural key: the newest version (by {@code updated_at} when the entity
 * has one, then by ingestion), so a source table's changes replace older extracts. For entities
 * that land as files, a key seen more than once in one batch is a delivered duplicate and is
 * reported as a detection.
 */
public class Deduplicate extends PTransform<PCollection<Row>, PCollectionTuple> {

  public static final TupleTag<Row> UNIQUE = new TupleTag<>() {};
  public static final TupleTag<Defect> DUPLICATES = new TupleTag<>() {};

  private final Entity entity;
  private final boolean reportDuplicates;

  private Deduplicate(Entity entity, boolean reportDuplicates) {
    this.entity = entity;
    this.reportDuplicates = reportDuplicates;
  }

  /** Deduplicates an entity's bronze rows; repeats within a batch are reported when asked. */
  public static Deduplicate of(Entity entity, boolean reportDuplicates) {
    return new Deduplicate(entity, reportDuplicates);
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> bronze) {
    Schema schema = bronze.getSchema();
    PCollectionTuple out =
        bronze
            .apply(
                "KeyByNaturalKey",
                WithKeys.of((Row row) -> naturalKey(entity, row))
                    .withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(schema)))
            // Buckets, not keys: see GroupByBucket.
            .apply("GroupByNaturalKey", GroupByBucket.create())
            .apply(
                "KeepNewest",
                ParDo.of(new KeepNewestFn(entity, reportDuplicates))
                    .withOutputTags(UNIQUE, TupleTagList.of(DUPLICATES)));
    out.get(UNIQUE).setRowSchema(schema);
    return out;
  }

  /** A row's natural key as the truth records it: the key fields' values, comma separated. */
  public static String naturalKey(Entity entity, Row row) {
    List<String> parts = new ArrayList<>();
    for (String field : entity.key().split(",")) {
      parts.add(String.valueOf((Object) row.getValue(field)));
    }
    return String.join(",", parts);
  }

  private static class KeepNewestFn extends DoFn<KV<String, Iterable<Row>>, Row> {
    private final Entity entity;
    private final boolean reportDuplicates;
    private final Counter duplicates;

    KeepNewestFn(Entity entity, boolean reportDuplicates) {
      this.entity = entity;
      this.reportDuplicates = reportDuplicates;
      this.duplicates = Metrics.counter("curate", entity.tableName() + ".duplicates_removed");
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> group, MultiOutputReceiver out) {
      List<Row> rows = new ArrayList<>();
      group.getValue().forEach(rows::add);
      boolean versioned = rows.get(0).getSchema().hasField("updated_at");
      Comparator<Row> newest =
          Comparator.comparing(
                  (Row row) -> versioned ? row.getDateTime("updated_at") : null,
                  Comparator.nullsFirst(Comparator.naturalOrder()))
              .thenComparing(row -> row.getDateTime(Bronze.INGESTED_AT))
              .thenComparing(row -> row.getString(Bronze.SOURCE_LOCATION))
              .thenComparingLong(row -> lineNumber(row.getString(Bronze.SOURCE_RECORD)))
              .thenComparing(row -> row.getString(Bronze.SOURCE_RECORD));
      Row kept = rows.stream().max(newest).orElseThrow();
      out.get(UNIQUE).output(kept);
      if (rows.size() > 1) {
        duplicates.inc(rows.size() - 1);
        long sameBatch =
            rows.stream()
                .filter(r -> r.getString(Bronze.BATCH_ID).equals(kept.getString(Bronze.BATCH_ID)))
                .count();
        if (reportDuplicates && sameBatch > 1) {
          out.get(DUPLICATES).output(Defect.of(entity, group.getKey(), DefectKind.DUPLICATE));
        }
      }
    }

    /** The number of {@code line 17}, so line 10 comes after line 9; other records give 0. */
    private static long lineNumber(String record) {
      return record.startsWith("line ") ? Long.parseLong(record.substring(5)) : 0;
    }
  }
}
