package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A record that could not enter bronze: where it came from, why, and the original payload, so it
 * can be fixed and replayed.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class DeadLetter {

  /** Why a record was rejected; {@code reason} says it in words. */
  public enum Error {
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    INVALID_UTF8,
    WRONG_TYPE,
    MISSING_KEY,
    UNKNOWN_FIELD,
    LINE_TOO_LONG,
    EMPTY_FILE,
    UNREADABLE,
    /** A stream message without an entity attribute, or with one the stream does not carry. */
    UNKNOWN_ENTITY,
    /** A stream event without a field that placing it in time or by user needs. */
    MISSING_FIELD,
    /** A stream event that arrived later after its event time than the allowed lateness. */
    TOO_LATE;

    /** The code as stored, e.g. {@code wrong_type}. */
    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @SchemaFieldNumber("0")
  @SchemaFieldName("source")
  public abstract String getSource();

  /** The landing file or source table. */
  @SchemaFieldNumber("1")
  @SchemaFieldName("location")
  public abstract String getLocation();

  /** {@code line 17}, or a table row's key. */
  @SchemaFieldNumber("2")
  @SchemaFieldName("record")
  public abstract String getRecord();

  /** The record's natural key as far as it could be read, or null. */
  @SchemaFieldNumber("3")
  @SchemaFieldName("record_key")
  public abstract @Nullable String getRecordKey();

  @SchemaFieldNumber("4")
  @SchemaFieldName("error")
  public abstract String getError();

  @SchemaFieldNumber("5")
  @SchemaFieldName("reason")
  public abstract String getReason();

  /** The original bytes as text; invalid UTF-8 is kept as replacement characters. */
  @SchemaFieldNumber("6")
  @SchemaFieldName("payload")
  public abstract String getPayload();

  @SchemaFieldNumber("7")
  @SchemaFieldName("batch_id")
  public abstract String getBatchId();

  @SchemaFieldNumber("8")
  @SchemaFieldName("failed_at")
  public abstract Instant getFailedAt();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_DeadLetter.Builder();
  }

  /** Builds a dead letter. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setSource(String value);

    public abstract Builder setLocation(String value);

    public abstract Builder setRecord(String value);

    public abstract Builder setRecordKey(@Nullable String value);

    public abstract Builder setError(String value);

    public abstract Builder setReason(String value);

    public abstract Builder setPayload(String value);

    public abstract Builder setBatchId(String value);

    public abstract Builder setFailedAt(Instant value);

    public abstract DeadLetter build();
  }
}
