package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zetasql.SimpleTable;
import com.google.zetasql.StructType;
import com.google.zetasql.Type;
import com.google.zetasql.ZetaSQLOptions.ProductMode;
import dev.fakelake.schemas.WarehouseTable;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.junit.jupiter.api.Test;

class ZetaSqlTypesTest {

  private static String typeOf(SimpleTable table, String column) {
    Type type = table.findColumnByName(column).getType();
    return type.typeName(ProductMode.PRODUCT_EXTERNAL);
  }

  @Test
  void silverOrdersGetTheColumnTypesTheWarehouseBindingWrites() {
    SimpleTable table =
        ZetaSqlTypes.table("p.silver.orders", WarehouseTable.SILVER_ORDERS.schema());

    assertEquals(WarehouseTable.SILVER_ORDERS.schema().getFieldCount(), table.getColumnCount());
    assertEquals("INT64", typeOf(table, "order_id"));
    assertEquals("STRING", typeOf(table, "payment_method"));
    assertEquals("TIMESTAMP", typeOf(table, "created_at"));
    assertEquals("DATE", typeOf(table, "order_date"));
    assertEquals("INT64", typeOf(table, "item_count"));
    assertEquals("FLOAT64", typeOf(table, "total_amount"));
    assertEquals("BOOL", typeOf(table, "is_daylight"));
  }

  @Test
  void repeatedFieldsBecomeArrays() {
    SimpleTable table =
        ZetaSqlTypes.table("p.silver.products", WarehouseTable.SILVER_PRODUCTS.schema());

    assertEquals("ARRAY<STRING>", typeOf(table, "pages"));
  }

  @Test
  void everyWarehouseTableHasBigQueryTypes() {
    for (WarehouseTable warehouseTable : WarehouseTable.values()) {
      SimpleTable table =
          ZetaSqlTypes.table(warehouseTable.qualifiedName(), warehouseTable.schema());

      assertEquals(warehouseTable.schema().getFieldCount(), table.getColumnCount());
    }
  }

  @Test
  void logicalAndNestedTypesMapToTheirBigQueryTypes() {
    Schema schema =
        Schema.builder()
            .addLogicalTypeField("at", SqlTypes.TIMESTAMP)
            .addLogicalTypeField("local", SqlTypes.DATETIME)
            .addLogicalTypeField("clock", SqlTypes.TIME)
            .addDecimalField("amount")
            .addByteArrayField("payload")
            .addRowField("address", Schema.builder().addStringField("city").build())
            .build();

    SimpleTable table = ZetaSqlTypes.table("t", schema);

    assertEquals("TIMESTAMP", typeOf(table, "at"));
    assertEquals("DATETIME", typeOf(table, "local"));
    assertEquals("TIME", typeOf(table, "clock"));
    assertEquals("NUMERIC", typeOf(table, "amount"));
    assertEquals("BYTES", typeOf(table, "payload"));
    // The Java client cannot print struct type names, so look inside.
    StructType address = table.findColumnByName("address").getType().asStruct();
    assertEquals("city", address.getField(0).getName());
    assertEquals("STRING", address.getField(0).getType().typeName(ProductMode.PRODUCT_EXTERNAL));
  }

  @Test
  void aMapColumnIsRefusedByName() {
    Schema schema =
        Schema.builder().addMapField("tags", FieldType.STRING, FieldType.STRING).build();

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ZetaSqlTypes.table("t", schema));

    assertTrue(error.getMessage().contains("tags"), error.getMessage());
  }
}
