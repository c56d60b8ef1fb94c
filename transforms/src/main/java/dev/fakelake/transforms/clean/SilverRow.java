package dev.fakelake.transforms.clean;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A silver row under construction: starts with the bronze row's values for the fields both share,
 * takes curate's repairs and added columns, and is built in the silver schema's order.
 */
final class SilverRow {

  private final Schema schema;
  private final Map<String, Object> values = new HashMap<>();

  private SilverRow(Schema schema) {
    this.schema = schema;
  }

  static SilverRow from(Schema schema, Row bronze) {
    SilverRow row = new SilverRow(schema);
    for (Schema.Field field : schema.getFields()) {
      if (bronze.getSchema().hasField(field.getName())) {
        row.values.put(field.getName(), bronze.getValue(field.getName()));
      }
    }
    return row;
  }

  SilverRow set(String field, @Nullable Object value) {
    values.put(field, value);
    return this;
  }

  @Nullable Object get(String field) {
    return values.get(field);
  }

  /** The first non-nullable field without a value, or null when the row is complete. */
  @Nullable String missingRequired() {
    for (Schema.Field field : schema.getFields()) {
      if (!field.getType().getNullable() && values.get(field.getName()) == null) {
        return field.getName();
      }
    }
    return null;
  }

  Row build() {
    List<Object> ordered = new ArrayList<>(schema.getFieldCount());
    for (Schema.Field field : schema.getFields()) {
      ordered.add(values.get(field.getName()));
    }
    // Row.Builder.build() re-checks every value field by field, the largest cost of a silver row;
    // the values are already of their fields' types and missingRequired() guards the nulls.
    return Row.withSchema(schema).attachValues(ordered);
  }
}
