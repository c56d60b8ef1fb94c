package dev.fakelake.schemas;

import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;

/**
 * The bronze zone's table layout: an entity's fields as they landed (every one nullable, since
 * bronze keeps what arrived and silver decides what is missing) plus the metadata columns that say
 * where each row came from.
 */
public final class Bronze {

  /** The name of the source in the sources file. */
  public static final String SOURCE = "_source";

  /** The landing file or source table the row was read from. */
  public static final String SOURCE_LOCATION = "_source_location";

  /** Where in it: {@code line 17} of a file, or the row's key in a table. */
  public static final String SOURCE_RECORD = "_source_record";

  public static final String BATCH_ID = "_batch_id";
  public static final String INGESTED_AT = "_ingested_at";

  private Bronze() {}

  /** An entity's fields as bronze keeps them: every one nullable. */
  public static Schema fields(Entity entity) {
    Schema.Builder builder = Schema.builder();
    for (Schema.Field field : WarehouseTable.entitySchema(entity.recordClass()).getFields()) {
      builder.addField(field.withNullable(true));
    }
    return builder.build();
  }

  /** The bronze schema of an entity: its {@link #fields} and the metadata columns. */
  public static Schema schema(Entity entity) {
    return Schema.builder()
        .addFields(fields(entity).getFields())
        .addStringField(SOURCE)
        .addStringField(SOURCE_LOCATION)
        .addStringField(SOURCE_RECORD)
        .addStringField(BATCH_ID)
        .addField(INGESTED_AT, FieldType.DATETIME)
        .build();
  }
}
