package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import java.util.List;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A catalog product; {@code pages} are the site paths on which it is shown. */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Product {

  @SchemaFieldNumber("0")
  @SchemaFieldName("product_id")
  public abstract long getProductId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("name")
  public abstract String getName();

  @SchemaFieldNumber("2")
  @SchemaFieldName("category")
  public abstract String getCategory();

  @SchemaFieldNumber("3")
  @SchemaFieldName("material")
  public abstract @Nullable String getMaterial();

  @SchemaFieldNumber("4")
  @SchemaFieldName("description")
  public abstract @Nullable String getDescription();

  @SchemaFieldNumber("5")
  @SchemaFieldName("price")
  public abstract double getPrice();

  @SchemaFieldNumber("6")
  @SchemaFieldName("promo_code")
  public abstract @Nullable String getPromoCode();

  @SchemaFieldNumber("7")
  @SchemaFieldName("pages")
  public abstract List<String> getPages();

  public static Builder builder() {
    return new AutoValue_Product.Builder();
  }

  /** Builds a {@link Product}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setProductId(long value);

    public abstract Builder setName(String value);

    public abstract Builder setCategory(String value);

    public abstract Builder setMaterial(@Nullable String value);

    public abstract Builder setDescription(@Nullable String value);

    public abstract Builder setPrice(double value);

    public abstract Builder setPromoCode(@Nullable String value);

    public abstract Builder setPages(List<String> value);

    public abstract Product build();
  }
}
