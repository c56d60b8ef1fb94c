package dev.fakelake.schemas;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;

/**
 * The columns of {@code gold.ml_features}: one row per order, the order value as the label, and
 * dummy (one-hot) columns for day of week, month, category group, region and age band. Each
 * vocabulary is fixed, so the table has the same columns on every run and in every warehouse; a
 * value outside it sets the vocabulary's {@code _other} column.
 */
public final class MlFeatures {

  public static final List<String> DAYS_OF_WEEK =
      List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

  public static final List<String> MONTHS =
      List.of("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12");

  /** Datafaker's departments: the first department of a product's category is its group. */
  public static final List<String> CATEGORY_GROUPS =
      List.of(
          "Automotive",
          "Baby",
          "Beauty",
          "Books",
          "Clothing",
          "Computers",
          "Electronics",
          "Games",
          "Garden",
          "Grocery",
          "Health",
          "Home",
          "Industrial",
          "Jewelry",
          "Kids",
          "Movies",
          "Music",
          "Outdoors",
          "Shoes",
          "Sports",
          "Tools",
          "Toys");

  /** The Czech regions (kraje) of the default catalog. */
  public static final List<String> REGIONS =
      List.of(
          "Hlavní město Praha",
          "Jihočeský",
          "Jihomoravský",
          "Karlovarský",
          "Kraj Vysočina",
          "Královéhradecký",
          "Liberecký",
          "Moravskoslezský",
          "Olomoucký",
          "Pardubický",
          "Plzeňský",
          "Středočeský",
          "Ústecký",
          "Zlínský");

  public static final List<String> AGE_BANDS =
      List.of("18-24", "25-34", "35-44", "45-54", "55-64", "65+");

  /** Column name prefixes, in the order the dummy groups appear in the table. */
  public static final String DAY_PREFIX = "dow_";

  public static final String MONTH_PREFIX = "month_";
  public static final String CATEGORY_PREFIX = "category_";
  public static final String REGION_PREFIX = "region_";
  public static final String AGE_PREFIX = "age_";

  private MlFeatures() {}

  /** The age band of an age in years, e.g. {@code 25-34}. */
  public static String ageBand(int age) {
    if (age < 25) {
      return "18-24";
    } else if (age >= 65) {
      return "65+";
    }
    int low = (age - 25) / 10 * 10 + 25;
    return low + "-" + (low + 9);
  }

  /** The dummy column a value of a vocabulary sets: its slug, or {@code other}. */
  public static String column(String prefix, List<String> vocabulary, String value) {
    return prefix + (value != null && vocabulary.contains(value) ? slug(value) : "other");
  }

  /** Every dummy column of a vocabulary, {@code _other} last. */
  public static List<String> columns(String prefix, List<String> vocabulary) {
    List<String> columns = new ArrayList<>();
    for (String value : vocabulary) {
      columns.add(prefix + slug(value));
    }
    columns.add(prefix + "other");
    return columns;
  }

  /**
   * Lower-case ASCII with underscores: {@code Hlavní město Praha} becomes {@code
   * hlavni_mesto_praha}.
   */
  public static String slug(String value) {
    String ascii = Normalizer.normalize(value, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
  }

  static Schema schema() {
    Schema.Builder builder =
        Schema.builder()
            .addInt64Field("order_id")
            .addInt64Field("customer_id")
            .addLogicalTypeField("order_date", SqlTypes.DATE)
            .addDoubleField("total_amount")
            .addInt32Field("item_count")
            .addInt32Field("units")
            .addInt32Field("is_vip");
    List<String> dummies = new ArrayList<>();
    dummies.addAll(columns(DAY_PREFIX, DAYS_OF_WEEK));
    dummies.addAll(columns(MONTH_PREFIX, MONTHS));
    dummies.addAll(columns(CATEGORY_PREFIX, CATEGORY_GROUPS));
    dummies.addAll(columns(REGION_PREFIX, REGIONS));
    dummies.addAll(columns(AGE_PREFIX, AGE_BANDS));
    dummies.forEach(builder::addInt32Field);
    return builder.build();
  }
}
