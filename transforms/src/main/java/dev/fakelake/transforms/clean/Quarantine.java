package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Entity;
import org.apache.beam.sdk.values.Row;

/** A row curate cannot put in silver, kept with the reason like a dead letter. */
final class Quarantine {

  private Quarantine() {}

  static DeadLetter of(Entity entity, Row row, String key, String reason) {
    boolean bronze = row.getSchema().hasField(Bronze.SOURCE_LOCATION);
    return DeadLetter.builder()
        .setSource(entity.tableName())
        .setLocation(bronze ? row.getString(Bronze.SOURCE_LOCATION) : entity.tableName())
        .setRecord(bronze ? row.getString(Bronze.SOURCE_RECORD) : key)
        .setRecordKey(key)
        .setError("quarantined")
        .setReason(reason)
        .setPayload(row.toString())
        .setBatchId(bronze ? row.getString(Bronze.BATCH_ID) : "")
        .setFailedAt(
            bronze ? row.getDateTime(Bronze.INGESTED_AT).toInstant() : new org.joda.time.Instant(0))
        .build();
  }
}
