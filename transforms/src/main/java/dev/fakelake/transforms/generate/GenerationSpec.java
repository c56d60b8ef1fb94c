package dev.fakelake.transforms.generate;

import com.google.auto.value.AutoValue;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import org.joda.time.Instant;

/**
 * What to generate: the seed, the locale, the time span the data covers, the row count of each
 * entity and the rate of each kind of dirt. Everything a generator needs, and nothing else, so that
 * the same spec yields the same data anywhere.
 */
@AutoValue
public abstract class GenerationSpec implements Serializable {

  public abstract long seed();

  /** A Datafaker locale tag, such as {@code cs} or {@code de-AT}. */
  public abstract String locale();

  /** The first day the orders, pageviews, ratings and listings cover (UTC). */
  public abstract LocalDate startDate();

  /** How many days the events cover. */
  public abstract int days();

  /** How many files the car listings arrive in, as if delivered over time. */
  public abstract int carListingBatches();

  abstract Map<Entity, Long> counts();

  abstract Map<DefectKind, Double> dirtRates();

  public long count(Entity entity) {
    return counts().getOrDefault(entity, 0L);
  }

  /** The probability that one record gets this kind of dirt. */
  public double rate(DefectKind kind) {
    return dirtRates().getOrDefault(kind, 0.0);
  }

  public Instant start() {
    return new Instant(startDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
  }

  public long spanMillis() {
    return days() * 86_400_000L;
  }

  public static Builder builder() {
    return new AutoValue_GenerationSpec.Builder()
        .setSeed(42)
        .setLocale("cs")
        .setStartDate(LocalDate.of(2026, 1, 1))
        .setDays(90)
        .setCarListingBatches(5)
        .setCounts(new EnumMap<>(Entity.class))
        .setDirtRates(new EnumMap<>(DefectKind.class));
  }

  /** A spec with every entity at its scale-1 count times {@code scale} and every rate at 1%. */
  public static Builder defaults(double scale) {
    Builder builder = builder();
    for (Entity entity : Entity.values()) {
      builder.count(entity, Math.round(entity.countAtScaleOne() * scale));
    }
    for (DefectKind kind : DefectKind.values()) {
      builder.rate(kind, 0.01);
    }
    return builder;
  }

  public abstract Builder toBuilder();

  /** Builds a {@link GenerationSpec}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setSeed(long value);

    public abstract Builder setLocale(String value);

    public abstract Builder setStartDate(LocalDate value);

    public abstract Builder setDays(int value);

    public abstract Builder setCarListingBatches(int value);

    abstract Builder setCounts(Map<Entity, Long> value);

    abstract Map<Entity, Long> counts();

    abstract Builder setDirtRates(Map<DefectKind, Double> value);

    abstract Map<DefectKind, Double> dirtRates();

    public Builder count(Entity entity, long count) {
      Map<Entity, Long> copy = new EnumMap<>(Entity.class);
      copy.putAll(counts());
      copy.put(entity, count);
      return setCounts(copy);
    }

    public Builder rate(DefectKind kind, double rate) {
      Map<DefectKind, Double> copy = new EnumMap<>(DefectKind.class);
      copy.putAll(dirtRates());
      copy.put(kind, rate);
      return setDirtRates(copy);
    }

    abstract GenerationSpec autoBuild();

    /** Builds the spec, rejecting values no generator could honour. */
    public GenerationSpec build() {
      GenerationSpec spec = autoBuild();
      Locales.parse(spec.locale());
      check(spec.days() >= 1 && spec.days() <= 3660, "days must be 1 to 3660, got " + spec.days());
      check(
          spec.carListingBatches() >= 1 && spec.carListingBatches() <= 1000,
          "carListingBatches must be 1 to 1000, got " + spec.carListingBatches());
      spec.counts()
          .forEach(
              (entity, count) ->
                  check(
                      count >= 0 && count <= 1_000_000_000L,
                      "the count of "
                          + entity.tableName()
                          + " must be 0 to 1,000,000,000, got "
                          + count));
      spec.dirtRates()
          .forEach(
              (kind, rate) ->
                  check(
                      rate >= 0 && rate <= 0.5,
                      "the " + kind.label() + " rate must be 0 to 0.5, got " + rate));
      return spec;
    }

    private static void check(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
