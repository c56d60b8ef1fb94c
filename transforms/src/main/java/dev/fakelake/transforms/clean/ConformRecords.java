package dev.fakelake.transforms.clean;

import dev.fakelake.schemas.DeadLetter;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.MlFeatures;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.enrich.Calendar;
import dev.fakelake.transforms.enrich.Daylight;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Turns an entity's deduplicated bronze rows into silver rows: types conformed, repairs applied and
 * flagged, enrichment added. Every repair and every defect found is also emitted as a detection,
 * for the quality score; a row that cannot be made valid goes to quarantine with the reason instead
 * of silver.
 */
public class ConformRecords extends PTransform<PCollection<Row>, PCollectionTuple> {

  public static final TupleTag<Row> SILVER = new TupleTag<>() {};
  public static final TupleTag<Defect> DETECTIONS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> QUARANTINE = new TupleTag<>() {};

  private final WarehouseTable table;
  private final Conformer conformer;
  private final List<PCollectionView<?>> sideInputs;

  private ConformRecords(
      WarehouseTable table, Conformer conformer, List<PCollectionView<?>> sideInputs) {
    this.table = table;
    this.conformer = conformer;
    this.sideInputs = sideInputs;
  }

  /** Customers: names normalised, missing region repaired from the city, age band, VIP flag. */
  public static ConformRecords customers(
      PCollectionView<Map<Long, Long>> vipLines,
      Map<String, String> regionOfCity,
      LocalDate today) {
    return new ConformRecords(
        WarehouseTable.SILVER_CUSTOMERS,
        new CustomerConformer(vipLines, regionOfCity, today),
        List.of(vipLines));
  }

  /** Products: missing text flagged, the category reduced to its group. */
  public static ConformRecords products() {
    return new ConformRecords(WarehouseTable.SILVER_PRODUCTS, new ProductConformer(), List.of());
  }

  /**
   * Pageviews (with {@link MeasureLateness}'s columns): missing client IP marked, latency outliers
   * flagged and capped, late and out-of-order events flagged, calendar and customer enrichment.
   */
  public static ConformRecords pageviews(
      PCollectionView<Map<Long, Row>> customers, int latencyCapMs, long lateAfterMs) {
    return new ConformRecords(
        WarehouseTable.SILVER_PAGEVIEWS,
        new PageviewConformer(customers, latencyCapMs, lateAfterMs),
        List.of(customers));
  }

  /** Ratings: missing product flagged, calendar, product group and VIP flag. */
  public static ConformRecords ratings(
      PCollectionView<Map<Long, Row>> customers, PCollectionView<Map<Long, Row>> products) {
    return new ConformRecords(
        WarehouseTable.SILVER_RATINGS,
        new RatingConformer(customers, products),
        List.of(customers, products));
  }

  /** Car listings: missing city flagged, turnover in days for removed listings. */
  public static ConformRecords carListings() {
    return new ConformRecords(
        WarehouseTable.SILVER_CAR_LISTINGS, new CarListingConformer(), List.of());
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> bronze) {
    PCollectionTuple out =
        bronze.apply(
            "Conform" + table.tableName().replace("_", ""),
            ParDo.of(new ConformFn(table, conformer))
                .withSideInputs(sideInputs)
                .withOutputTags(SILVER, TupleTagList.of(List.of(DETECTIONS, QUARANTINE))));
    out.get(SILVER).setRowSchema(table.schema());
    return out;
  }

  /** What one entity's conformance does to a row. */
  interface Conformer extends Serializable {
    void conform(Row bronze, SilverRow silver, Context context);
  }

  /** What a conformer can reach: side inputs, detections, shared helpers. */
  interface Context {
    <T> T side(PCollectionView<T> view);

    void detect(DefectKind kind, String field);

    Daylight daylight();
  }

  private static class ConformFn extends DoFn<Row, Row> {
    private final WarehouseTable table;
    private final Conformer conformer;
    private final Entity entity;
    private final Counter quarantined;
    private final Counter conformed;
    // Caches sunrise and sunset per city and day; rebuilt per DoFn instance.
    private transient Daylight daylight;
    // Side inputs fetched once per bundle: the runner's sideInput() costs far more than a lookup.
    private transient Map<PCollectionView<?>, Object> sideInputs;

    ConformFn(WarehouseTable table, Conformer conformer) {
      this.table = table;
      this.conformer = conformer;
      this.entity = Entity.fromTableName(table.tableName());
      this.quarantined = Metrics.counter("curate", table.tableName() + ".quarantined");
      this.conformed = Metrics.counter("curate", table.tableName() + ".silver");
    }

    @Setup
    public void setup() {
      daylight = new Daylight();
    }

    @StartBundle
    public void startBundle() {
      sideInputs = new IdentityHashMap<>();
    }

    @ProcessElement
    public void process(@Element Row bronze, MultiOutputReceiver out, ProcessContext process) {
      String key = Deduplicate.naturalKey(entity, bronze);
      SilverRow silver = SilverRow.from(table.schema(), bronze);
      List<String> missing = new ArrayList<>();
      conformer.conform(
          bronze,
          silver,
          new Context() {
            @Override
            public <T> T side(PCollectionView<T> view) {
              @SuppressWarnings("unchecked")
              T value = (T) sideInputs.computeIfAbsent(view, process::sideInput);
              return value;
            }

            @Override
            public void detect(DefectKind kind, String field) {
              if (kind == DefectKind.MISSING_FIELD) {
                missing.add(field);
              }
              out.get(DETECTIONS).output(Defect.of(entity, key, kind, field));
            }

            @Override
            public Daylight daylight() {
              return daylight;
            }
          });
      if (table.schema().hasField("missing_fields")) {
        silver.set("missing_fields", missing.isEmpty() ? null : String.join(",", missing));
      }
      String unset = silver.missingRequired();
      if (unset != null) {
        quarantine(out, bronze, key, "required field '" + unset + "' has no valid value");
        quarantined.inc();
        return;
      }
      out.get(SILVER).output(silver.build());
      conformed.inc();
    }

    private void quarantine(MultiOutputReceiver out, Row bronze, String key, String reason) {
      out.get(QUARANTINE).output(Quarantine.of(entity, bronze, key, reason));
    }
  }

  private static boolean blank(@Nullable Object value) {
    return value == null || value.toString().isBlank();
  }

  /** Trims and capitalises each word: {@code jAN novák} becomes {@code Jan Novák}. */
  static String normaliseName(String name) {
    StringBuilder out = new StringBuilder();
    for (String word : name.strip().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(word.substring(0, 1).toUpperCase(Locale.ROOT))
          .append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }

  private static class CustomerConformer implements Conformer {
    private final PCollectionView<Map<Long, Long>> vipLines;
    private final Map<String, String> regionOfCity;
    private final LocalDate today;

    CustomerConformer(
        PCollectionView<Map<Long, Long>> vipLines,
        Map<String, String> regionOfCity,
        LocalDate today) {
      this.vipLines = vipLines;
      this.regionOfCity = regionOfCity;
      this.today = today;
    }

    @Override
    public void conform(Row bronze, SilverRow silver, Context context) {
      for (String field : List.of("email", "phone", "region")) {
        if (blank(bronze.getValue(field))) {
          silver.set(field, null);
          context.detect(DefectKind.MISSING_FIELD, field);
        }
      }
      String first = bronze.getString("first_name");
      String last = bronze.getString("last_name");
      if (first != null) {
        silver.set("first_name", normaliseName(first));
      }
      if (last != null) {
        silver.set("last_name", normaliseName(last));
      }
      if (first != null && last != null) {
        silver.set("full_name", normaliseName(first) + " " + normaliseName(last));
      }
      String city = bronze.getString("city");
      if (city != null) {
        silver.set("city", city.strip());
      }
      boolean repaired = false;
      if (silver.get("region") == null && city != null && regionOfCity.containsKey(city.strip())) {
        silver.set("region", regionOfCity.get(city.strip()));
        repaired = true;
      }
      silver.set("region_repaired", repaired);
      LocalDate birthDate = null;
      String birth = bronze.getString("birth_date");
      if (birth != null) {
        try {
          birthDate = LocalDate.parse(birth.strip());
        } catch (DateTimeParseException e) {
          context.detect(DefectKind.WRONG_TYPE, "birth_date");
        }
      }
      silver.set("birth_date", birthDate);
      if (birthDate != null) {
        int age = Calendar.age(birthDate, today);
        silver.set("age", age);
        silver.set("age_band", MlFeatures.ageBand(age));
      }
      Long id = bronze.getInt64("customer_id");
      silver.set("is_vip", id != null && context.side(vipLines).containsKey(id));
    }
  }

  private static class ProductConformer implements Conformer {
    @Override
    public void conform(Row bronze, SilverRow silver, Context context) {
      for (String field : List.of("material", "description")) {
        if (blank(bronze.getValue(field))) {
          silver.set(field, null);
          context.detect(DefectKind.MISSING_FIELD, field);
        }
      }
      String category = bronze.getString("category");
      if (category != null) {
        silver.set("category_group", categoryGroup(category));
      }
      if (bronze.getValue("pages") == null) {
        silver.set("pages", List.of());
      }
    }
  }

  /** {@code Books, Games & Garden} belongs to the group {@code Books}. */
  public static String categoryGroup(String category) {
    return category.split("[,&]")[0].strip();
  }

  private static class PageviewConformer implements Conformer {
    private final PCollectionView<Map<Long, Row>> customers;
    private final int latencyCapMs;
    private final long lateAfterMs;

    PageviewConformer(
        PCollectionView<Map<Long, Row>> customers, int latencyCapMs, long lateAfterMs) {
      this.customers = customers;
      this.latencyCapMs = latencyCapMs;
      this.lateAfterMs = lateAfterMs;
    }

    @Override
    public void conform(Row bronze, SilverRow silver, Context context) {
      boolean ipMissing = blank(bronze.getValue("client_ip"));
      silver.set("client_ip", ipMissing ? null : bronze.getString("client_ip"));
      silver.set("client_ip_missing", ipMissing);
      if (ipMissing) {
        context.detect(DefectKind.MISSING_FIELD, "client_ip");
      }
      if (blank(bronze.getValue("user_agent"))) {
        silver.set("user_agent", null);
        context.detect(DefectKind.MISSING_FIELD, "user_agent");
      }
      Integer latency = bronze.getInt32("latency_ms");
      if (latency != null) {
        boolean outlier = latency > latencyCapMs;
        silver.set("raw_latency_ms", latency);
        silver.set("latency_ms", Math.min(latency, latencyCapMs));
        silver.set("latency_outlier", outlier);
        if (outlier) {
          context.detect(DefectKind.LATENCY_OUTLIER, "latency_ms");
        }
      }
      long lateness = bronze.getInt64(MeasureLateness.LATENESS);
      long sessionLateness = bronze.getInt64(MeasureLateness.SESSION_LATENESS);
      boolean late = lateness > lateAfterMs;
      boolean outOfOrder = !late && sessionLateness > 0;
      silver.set("lateness_ms", lateness);
      silver.set("is_late", late);
      silver.set("is_out_of_order", outOfOrder);
      if (late) {
        context.detect(DefectKind.LATE_EVENT, "event_time");
      } else if (outOfOrder) {
        context.detect(DefectKind.OUT_OF_ORDER, "event_time");
      }
      Instant time = toInstant(bronze.getDateTime("event_time"));
      Row customer = customer(context.side(customers), bronze.getInt64("user_id"));
      silver.set("is_vip", customer != null && customer.getBoolean("is_vip"));
      if (customer != null) {
        silver.set("city", customer.getString("city"));
        silver.set("region", customer.getString("region"));
      }
      if (time != null) {
        silver.set("event_date", Calendar.date(time));
        silver.set("day_of_week", Calendar.dayOfWeek(time));
        silver.set("hour_band", Calendar.hourBand(time));
        if (customer != null) {
          silver.set(
              "is_daylight",
              context
                  .daylight()
                  .isDaylight(
                      customer.getDouble("latitude"), customer.getDouble("longitude"), time));
        }
      }
    }
  }

  private static class RatingConformer implements Conformer {
    private final PCollectionView<Map<Long, Row>> customers;
    private final PCollectionView<Map<Long, Row>> products;

    RatingConformer(
        PCollectionView<Map<Long, Row>> customers, PCollectionView<Map<Long, Row>> products) {
      this.customers = customers;
      this.products = products;
    }

    @Override
    public void conform(Row bronze, SilverRow silver, Context context) {
      Long productId = bronze.getInt64("product_id");
      if (productId == null) {
        context.detect(DefectKind.MISSING_FIELD, "product_id");
      } else {
        Row product = context.side(products).get(productId);
        silver.set("category_group", product == null ? null : product.getString("category_group"));
      }
      Integer stars = bronze.getInt32("stars");
      if (stars != null && (stars < 1 || stars > 5)) {
        silver.set("stars", null);
        context.detect(DefectKind.WRONG_TYPE, "stars");
      }
      Row customer = customer(context.side(customers), bronze.getInt64("user_id"));
      silver.set("is_vip", customer != null && customer.getBoolean("is_vip"));
      Instant time = toInstant(bronze.getDateTime("event_time"));
      if (time != null) {
        silver.set("event_date", Calendar.date(time));
        silver.set("day_of_week", Calendar.dayOfWeek(time));
        silver.set("hour_band", Calendar.hourBand(time));
      }
    }
  }

  private static class CarListingConformer implements Conformer {
    @Override
    public void conform(Row bronze, SilverRow silver, Context context) {
      if (blank(bronze.getValue("city"))) {
        silver.set("city", null);
        context.detect(DefectKind.MISSING_FIELD, "city");
      }
      Instant listed = toInstant(bronze.getDateTime("listed_at"));
      Instant removed = toInstant(bronze.getDateTime("removed_at"));
      if (listed != null && removed != null) {
        silver.set("turnover_days", (removed.getMillis() - listed.getMillis()) / 86_400_000.0);
      }
    }
  }

  private static @Nullable Row customer(Map<Long, Row> customers, @Nullable Long id) {
    return id == null ? null : customers.get(id);
  }

  static @Nullable Instant toInstant(org.joda.time.@Nullable ReadableDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
