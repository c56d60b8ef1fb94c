package dev.fakelake.schemas;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The default catalog of the fakelake data set: each entity's name in the lake and warehouse, its
 * record type, its natural key, how it lands, and its row count at scale 1.
 */
public enum Entity {
  CUSTOMERS("customers", Customer.class, "customer_id", SourceKind.JSON_LINES, 2_000),
  VIP_CUSTOMERS("vip_customers", VipCustomer.class, "customer_id", SourceKind.JSON_LINES, 250),
  PRODUCTS("products", Product.class, "product_id", SourceKind.JSON_PER_FILE, 300),
  ORDERS("orders", Order.class, "order_id", SourceKind.JDBC_TABLE, 5_000),
  /** Items are generated per order (one to five each); their count follows from the orders. */
  ORDER_ITEMS("order_items", OrderItem.class, "order_id,line_no", SourceKind.JDBC_TABLE, 0),
  PAGEVIEWS("pageviews", Pageview.class, "event_id", SourceKind.STREAM, 100_000),
  RATINGS("ratings", Rating.class, "event_id", SourceKind.STREAM, 10_000),
  CAR_LISTINGS("car_listings", CarListing.class, "listing_id", SourceKind.JSON_LINES, 5_000);

  private final String tableName;
  private final Class<?> recordClass;
  private final String key;
  private final SourceKind sourceKind;
  private final long countAtScaleOne;

  Entity(
      String tableName,
      Class<?> recordClass,
      String key,
      SourceKind sourceKind,
      long countAtScaleOne) {
    this.tableName = tableName;
    this.recordClass = recordClass;
    this.key = key;
    this.sourceKind = sourceKind;
    this.countAtScaleOne = countAtScaleOne;
  }

  /** The name used for the landing folder, the bronze folder and the warehouse table. */
  public String tableName() {
    return tableName;
  }

  public Class<?> recordClass() {
    return recordClass;
  }

  /** The natural key: one field name, or several separated by commas. */
  public String key() {
    return key;
  }

  public SourceKind sourceKind() {
    return sourceKind;
  }

  public long countAtScaleOne() {
    return countAtScaleOne;
  }

  /** Finds an entity by its table name, e.g. {@code car_listings}. */
  public static Entity fromTableName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (Entity entity : values()) {
      if (entity.tableName.equals(wanted)) {
        return entity;
      }
    }
    throw new IllegalArgumentException(
        "Unknown entity '" + name + "'. Known entities: " + tableNames());
  }

  /** All table names, comma separated, for messages and help texts. */
  public static String tableNames() {
    return Arrays.stream(values()).map(Entity::tableName).collect(Collectors.joining(", "));
  }
}
