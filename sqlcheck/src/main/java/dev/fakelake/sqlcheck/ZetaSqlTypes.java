package dev.fakelake.sqlcheck;

import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.StructType.StructField;
import com.google.zetasql.Type;
import com.google.zetasql.TypeFactory;
import com.google.zetasql.ZetaSQLType.TypeKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;

/**
 * Maps Beam schemas to the BigQuery column types ZetaSQL analyses with, the same way the warehouse
 * binding writes them (Beam's {@code BigQueryUtils}): every integer is INT64, DOUBLE is FLOAT64, a
 * Joda instant (Beam {@code DATETIME}) is TIMESTAMP, and the SQL logical types keep their meaning.
 */
public final class ZetaSqlTypes {

  private ZetaSqlTypes() {}

  /** A catalog table named {@code name} with one column per schema field, in order. */
  public static SimpleTable table(String name, Schema schema) {
    List<SimpleColumn> columns = new ArrayList<>();
    for (Field field : schema.getFields()) {
      columns.add(new SimpleColumn(name, field.getName(), of(field.getType(), field.getName())));
    }
    return new SimpleTable(name, columns);
  }

  /** The BigQuery type of a Beam field type; {@code path} names the field in errors. */
  public static Type of(FieldType type, String path) {
    switch (type.getTypeName()) {
      case BYTE:
      case INT16:
      case INT32:
      case INT64:
        return simple(TypeKind.TYPE_INT64);
      case FLOAT:
      case DOUBLE:
        return simple(TypeKind.TYPE_DOUBLE);
      case DECIMAL:
        return simple(TypeKind.TYPE_NUMERIC);
      case BOOLEAN:
        return simple(TypeKind.TYPE_BOOL);
      case STRING:
        return simple(TypeKind.TYPE_STRING);
      case BYTES:
        return simple(TypeKind.TYPE_BYTES);
      case DATETIME:
        return simple(TypeKind.TYPE_TIMESTAMP);
      case ARRAY:
      case ITERABLE:
        return TypeFactory.createArrayType(of(type.getCollectionElementType(), path + "[]"));
      case ROW:
        List<StructField> fields = new ArrayList<>();
        for (Field field : type.getRowSchema().getFields()) {
          fields.add(
              new StructField(field.getName(), of(field.getType(), path + "." + field.getName())));
        }
        return TypeFactory.createStructType(fields);
      case LOGICAL_TYPE:
        return logical(type, path);
      default:
        throw new IllegalArgumentException(
            "Column "
                + path
                + " has Beam type "
                + type
                + ", which BigQuery has no column type for");
    }
  }

  private static Type logical(FieldType type, String path) {
    String identifier = type.getLogicalType().getIdentifier();
    switch (identifier) {
      case "beam:logical_type:date:v1":
        return simple(TypeKind.TYPE_DATE);
      case "beam:logical_type:time:v1":
        return simple(TypeKind.TYPE_TIME);
      case "beam:logical_type:datetime:v1":
        return simple(TypeKind.TYPE_DATETIME);
      case "beam:logical_type:micros_instant:v1":
      case "beam:logical_type:nanos_instant:v1":
        return simple(TypeKind.TYPE_TIMESTAMP);
      case "beam:logical_type:enum:v1":
        return simple(TypeKind.TYPE_STRING);
      default:
        // Other logical types are stored as their base type, as BigQueryUtils does.
        return of(type.getLogicalType().getBaseType(), path);
    }
  }

  private static Type simple(TypeKind kind) {
    return TypeFactory.createSimpleType(kind);
  }
}
