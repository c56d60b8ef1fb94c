package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Ground truth for one injected defect: which record of which entity got which kind of dirt.
 * Written under {@code _truth/}, which ingestion never reads; quality scoring compares against it.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Defect {

  @SchemaFieldNumber("0")
  @SchemaFieldName("entity")
  public abstract String getEntity();

  /** The record's natural key, as text; several key fields are joined with commas. */
  @SchemaFieldNumber("1")
  @SchemaFieldName("key")
  public abstract String getKey();

  @SchemaFieldNumber("2")
  @SchemaFieldName("defect")
  public abstract String getDefect();

  /** The field the defect touches, where it touches one. */
  @SchemaFieldNumber("3")
  @SchemaFieldName("field")
  public abstract @Nullable String getField();

  public static Defect of(Entity entity, String key, DefectKind kind, @Nullable String field) {
    return new AutoValue_Defect(entity.tableName(), key, kind.label(), field);
  }

  public static Defect of(Entity entity, String key, DefectKind kind) {
    return of(entity, key, kind, null);
  }
}
