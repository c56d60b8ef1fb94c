package dev.fakelake.transforms.aggregate;

import dev.fakelake.schemas.WarehouseTable;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Builds complete silver rows for tests: the fields a test names, and a plain default for every
 * other field, so a test only spells out what it is about.
 */
public final class SilverRows {

  private SilverRows() {}

  /** A row of a table with the given field values (alternating name and value) over defaults. */
  public static Row row(WarehouseTable table, Object... namesAndValues) {
    Schema schema = table.schema();
    Map<String, Object> values = new HashMap<>();
    for (Field field : schema.getFields()) {
      values.put(field.getName(), defaultValue(field));
    }
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = (String) namesAndValues[i];
      if (!schema.hasField(name)) {
        throw new IllegalArgumentException(table.qualifiedName() + " has no field " + name);
      }
      values.put(name, namesAndValues[i + 1]);
    }
    return Row.withSchema(schema).withFieldValues(values).build();
  }

  private static Object defaultValue(Field field) {
    if (field.getType().getNullable()) {
      return null;
    }
    Schema.FieldType type = field.getType();
    if (type.getTypeName().isLogicalType()) {
      return LocalDate.of(2024, 1, 1);
    }
    switch (type.getTypeName()) {
      case INT64:
        return 0L;
      case INT32:
        return 0;
      case DOUBLE:
        return 0.0;
      case STRING:
        return "";
      case BOOLEAN:
        return false;
      case DATETIME:
        return new Instant(0);
      case ARRAY:
        return List.of();
      default:
        throw new IllegalArgumentException("No default for " + field);
    }
  }
}
