package dev.fakelake.transforms.clean;

import static dev.fakelake.transforms.clean.BronzeRows.byId;
import static dev.fakelake.transforms.clean.BronzeRows.defects;
import static dev.fakelake.transforms.clean.BronzeRows.fields;
import static dev.fakelake.transforms.clean.BronzeRows.measuredPageview;
import static dev.fakelake.transforms.clean.BronzeRows.quarantined;
import static dev.fakelake.transforms.clean.BronzeRows.row;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.WarehouseTable;
import dev.fakelake.transforms.aggregate.SilverRows;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conforming bronze rows to silver: each repair applied and reported as a detection, enrichment
 * added from the side inputs, and a row without a valid required value quarantined with the reason
 * instead of reaching silver.
 */
@ExtendWith(TestPipelineExtension.class)
class ConformRecordsTest {

  private static final LocalDate TODAY = LocalDate.parse("2026-03-01");
  private static final int LATENCY_CAP_MS = 5_000;
  private static final long LATE_AFTER_MS = 3_600_000L;
  private static final Map<String, String> REGION_OF_CITY =
      Map.of("Brno", "Jihomoravský kraj", "Praha", "Hlavní město Praha");

  /** A customer of Prague in silver, as the pageview and rating side inputs hold it. */
  private static final Row PRAGUE_VIP =
      SilverRows.row(
          WarehouseTable.SILVER_CUSTOMERS,
          "customer_id",
          1L,
          "city",
          "Praha",
          "region",
          "Hlavní město Praha",
          "latitude",
          50.0755,
          "longitude",
          14.4378,
          "is_vip",
          true);

  private static PCollectionTuple conform(
      TestPipeline pipeline, ConformRecords conform, Schema schema, Row... rows) {
    return pipeline.apply(Create.of(List.of(rows)).withRowSchema(schema)).apply(conform);
  }

  /** Field names and values of a valid row, then a test's overrides, which win. */
  private static Object[] with(Object[] defaults, Object... overrides) {
    List<Object> values = new ArrayList<>(List.of(defaults));
    values.addAll(Arrays.asList(overrides));
    return values.toArray();
  }

  // Pageviews.

  private static final Object[] PAGEVIEW = {
    "event_id", "e1",
    "user_id", 1L,
    "session_id", "s1",
    "url", "/product/3",
    "http_method", "GET",
    "client_ip", "10.0.0.1",
    "user_agent", "Mozilla/5.0",
    "latency_ms", 120,
    "event_time", Instant.parse("2026-06-21T10:00:00Z")
  };

  private static Row pageview(Object... overrides) {
    return measuredPageview(with(PAGEVIEW, overrides));
  }

  private static PCollectionTuple conformPageviews(
      TestPipeline pipeline, Row customer, Row... pageviews) {
    PCollectionView<Map<Long, Row>> customers =
        customer == null
            ? byId(pipeline, "Customers", WarehouseTable.SILVER_CUSTOMERS.schema(), "customer_id")
            : byId(
                pipeline,
                "Customers",
                WarehouseTable.SILVER_CUSTOMERS.schema(),
                "customer_id",
                customer);
    return conform(
        pipeline,
        ConformRecords.pageviews(customers, LATENCY_CAP_MS, LATE_AFTER_MS),
        pageviews[0].getSchema(),
        pageviews);
  }

  @Test
  void anEmptyClientIpBecomesNullFlaggedMissing(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, PRAGUE_VIP, pageview("client_ip", ""));

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER), "client_ip", "client_ip_missing", "missing_fields"))
        .containsInAnyOrder("client_ip=null, client_ip_missing=true, missing_fields=client_ip");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("pageviews e1 missing_field client_ip");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aCleanPageviewHasNoDetectionsAndNoMissingFields(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, PRAGUE_VIP, pageview());

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER),
                "client_ip",
                "client_ip_missing",
                "latency_ms",
                "latency_outlier",
                "is_late",
                "is_out_of_order",
                "missing_fields"))
        .containsInAnyOrder(
            "client_ip=10.0.0.1, client_ip_missing=false, latency_ms=120, latency_outlier=false,"
                + " is_late=false, is_out_of_order=false, missing_fields=null");
    PAssert.that(out.get(ConformRecords.DETECTIONS)).empty();
    PAssert.that(out.get(ConformRecords.QUARANTINE)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLatencyAboveTheCapIsCappedFlaggedAndKeptRaw(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, PRAGUE_VIP, pageview("latency_ms", 50_000));

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER), "latency_ms", "raw_latency_ms", "latency_outlier"))
        .containsInAnyOrder("latency_ms=5000, raw_latency_ms=50000, latency_outlier=true");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("pageviews e1 latency_outlier latency_ms");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLatencyOfExactlyTheCapIsNoOutlier(TestPipeline pipeline) {
    PCollectionTuple out =
        conformPageviews(pipeline, PRAGUE_VIP, pageview("latency_ms", LATENCY_CAP_MS));

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER), "latency_ms", "raw_latency_ms", "latency_outlier"))
        .containsInAnyOrder("latency_ms=5000, raw_latency_ms=5000, latency_outlier=false");
    PAssert.that(out.get(ConformRecords.DETECTIONS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEventLaterThanTheLimitIsLateRatherThanOutOfOrder(TestPipeline pipeline) {
    long threeHours = 3 * 3_600_000L;
    PCollectionTuple out =
        conformPageviews(
            pipeline,
            PRAGUE_VIP,
            pageview(
                MeasureLateness.LATENESS, threeHours,
                MeasureLateness.SESSION_LATENESS, threeHours));

    PAssert.that(
            fields(out.get(ConformRecords.SILVER), "lateness_ms", "is_late", "is_out_of_order"))
        .containsInAnyOrder("lateness_ms=10800000, is_late=true, is_out_of_order=false");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("pageviews e1 late_event event_time");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEventOfExactlyTheLimitIsNotLate(TestPipeline pipeline) {
    PCollectionTuple out =
        conformPageviews(pipeline, PRAGUE_VIP, pageview(MeasureLateness.LATENESS, LATE_AFTER_MS));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "lateness_ms", "is_late"))
        .containsInAnyOrder("lateness_ms=3600000, is_late=false");
    PAssert.that(out.get(ConformRecords.DETECTIONS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEventBehindItsOwnSessionWithinTheLimitIsOutOfOrder(TestPipeline pipeline) {
    long fiveMinutes = 5 * 60_000L;
    PCollectionTuple out =
        conformPageviews(
            pipeline,
            PRAGUE_VIP,
            pageview(
                MeasureLateness.LATENESS, fiveMinutes,
                MeasureLateness.SESSION_LATENESS, fiveMinutes));

    PAssert.that(
            fields(out.get(ConformRecords.SILVER), "lateness_ms", "is_late", "is_out_of_order"))
        .containsInAnyOrder("lateness_ms=300000, is_late=false, is_out_of_order=true");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("pageviews e1 out_of_order event_time");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEventBehindOnlyOtherSessionsIsInOrder(TestPipeline pipeline) {
    PCollectionTuple out =
        conformPageviews(pipeline, PRAGUE_VIP, pageview(MeasureLateness.LATENESS, 300_000L));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "is_late", "is_out_of_order"))
        .containsInAnyOrder("is_late=false, is_out_of_order=false");
    PAssert.that(out.get(ConformRecords.DETECTIONS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewTakesCityRegionVipAndDaylightFromItsCustomer(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, PRAGUE_VIP, pageview());

    PAssert.that(fields(out.get(ConformRecords.SILVER), "city", "region", "is_vip", "is_daylight"))
        .containsInAnyOrder("city=Praha, region=Hlavní město Praha, is_vip=true, is_daylight=true");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewAtNightAtItsCustomersCityIsNotDaylight(TestPipeline pipeline) {
    PCollectionTuple out =
        conformPageviews(
            pipeline, PRAGUE_VIP, pageview("event_time", Instant.parse("2026-06-21T21:30:00Z")));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "is_daylight"))
        .containsInAnyOrder("is_daylight=false");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewOfAnUnknownCustomerHasNoPlaceAndNoDaylight(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, null, pageview());

    PAssert.that(fields(out.get(ConformRecords.SILVER), "city", "region", "is_vip", "is_daylight"))
        .containsInAnyOrder("city=null, region=null, is_vip=false, is_daylight=null");
    PAssert.that(out.get(ConformRecords.QUARANTINE)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewGetsTheUtcDateDayOfWeekAndHourBandOfItsEvent(TestPipeline pipeline) {
    PCollectionTuple out =
        conformPageviews(
            pipeline, PRAGUE_VIP, pageview("event_time", Instant.parse("2026-06-21T23:30:00Z")));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "event_date", "day_of_week", "hour_band"))
        .containsInAnyOrder("event_date=2026-06-21, day_of_week=Sunday, hour_band=evening");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewWithoutEventTimeIsQuarantinedNotSilver(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, PRAGUE_VIP, pageview("event_time", null));

    PAssert.that(out.get(ConformRecords.SILVER)).empty();
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            String.join(
                " | ",
                "pageviews",
                BronzeRows.file(Entity.PAGEVIEWS),
                "line 1",
                "e1",
                "quarantined",
                "required field 'event_time' has no valid value"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aPageviewWithoutLatencyIsQuarantined(TestPipeline pipeline) {
    PCollectionTuple out = conformPageviews(pipeline, PRAGUE_VIP, pageview("latency_ms", null));

    PAssert.that(out.get(ConformRecords.SILVER)).empty();
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            String.join(
                " | ",
                "pageviews",
                BronzeRows.file(Entity.PAGEVIEWS),
                "line 1",
                "e1",
                "quarantined",
                "required field 'latency_ms' has no valid value"));
    pipeline.run().waitUntilFinish();
  }

  // Customers.

  private static final Object[] CUSTOMER = {
    "customer_id", 1L,
    "first_name", "Jan",
    "last_name", "Novák",
    "email", "jan.novak@example.cz",
    "phone", "+420 600 123 456",
    "city", "Brno",
    "region", "Jihomoravský kraj",
    "latitude", 49.1951,
    "longitude", 16.6068,
    "birth_date", "1990-05-01",
    "registered_at", Instant.parse("2024-02-03T04:05:06Z")
  };

  private static Row customer(Object... overrides) {
    return row(Entity.CUSTOMERS, with(CUSTOMER, overrides));
  }

  private static PCollectionTuple conformCustomers(
      TestPipeline pipeline, List<Long> vips, Row... customers) {
    List<KV<Long, Long>> lines = new ArrayList<>();
    vips.forEach(id -> lines.add(KV.of(id, 1L)));
    KvCoder<Long, Long> coder = KvCoder.of(VarLongCoder.of(), VarLongCoder.of());
    PCollectionView<Map<Long, Long>> vipLines =
        pipeline
            .apply("CreateVipLines", Create.of(lines).withCoder(coder))
            .apply("ViewVipLines", View.asMap());
    return conform(
        pipeline,
        ConformRecords.customers(vipLines, REGION_OF_CITY, TODAY),
        Bronze.schema(Entity.CUSTOMERS),
        customers);
  }

  @Test
  void namesAreTrimmedAndEachWordCapitalised(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(
            pipeline, List.of(), customer("first_name", "  jAN  pAVEL ", "last_name", "novák"));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "first_name", "last_name", "full_name"))
        .containsInAnyOrder("first_name=Jan Pavel, last_name=Novák, full_name=Jan Pavel Novák");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aMissingRegionIsRepairedFromTheCityAndReported(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(pipeline, List.of(), customer("region", null, "city", " Brno "));

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER),
                "city",
                "region",
                "region_repaired",
                "missing_fields"))
        .containsInAnyOrder(
            "city=Brno, region=Jihomoravský kraj, region_repaired=true, missing_fields=region");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("customers 1 missing_field region");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aRegionThatArrivedIsKeptAndNotMarkedRepaired(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(pipeline, List.of(), customer("region", "Morava", "city", "Brno"));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "region", "region_repaired"))
        .containsInAnyOrder("region=Morava, region_repaired=false");
    PAssert.that(out.get(ConformRecords.DETECTIONS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aBlankRegionOfACityNotInTheMapStaysMissing(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(pipeline, List.of(), customer("region", " ", "city", "Kocourkov"));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "region", "region_repaired"))
        .containsInAnyOrder("region=null, region_repaired=false");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("customers 1 missing_field region");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void missingContactsAreNullEachReportedAndListed(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(pipeline, List.of(), customer("email", "", "phone", null));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "email", "phone", "missing_fields"))
        .containsInAnyOrder("email=null, phone=null, missing_fields=email,phone");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("customers 1 missing_field email", "customers 1 missing_field phone");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void theBirthDateBecomesADateWithAgeAndAgeBand(TestPipeline pipeline) {
    PCollectionTuple out = conformCustomers(pipeline, List.of(), customer());

    PAssert.that(fields(out.get(ConformRecords.SILVER), "birth_date", "age", "age_band"))
        .containsInAnyOrder("birth_date=1990-05-01, age=35, age_band=35-44");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aCustomerOnTheVipListIsVip(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(
            pipeline, List.of(2L), customer(), customer("customer_id", 2L, "first_name", "Eva"));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "customer_id", "is_vip"))
        .containsInAnyOrder("customer_id=1, is_vip=false", "customer_id=2, is_vip=true");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anUnreadableBirthDateIsReportedAndTheCustomerQuarantined(TestPipeline pipeline) {
    PCollectionTuple out =
        conformCustomers(pipeline, List.of(), customer("birth_date", "01/05/1990"));

    PAssert.that(out.get(ConformRecords.SILVER)).empty();
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("customers 1 wrong_type birth_date");
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            String.join(
                " | ",
                "customers",
                BronzeRows.file(Entity.CUSTOMERS),
                "line 1",
                "1",
                "quarantined",
                "required field 'birth_date' has no valid value"));
    pipeline.run().waitUntilFinish();
  }

  // Products.

  private static final Object[] PRODUCT = {
    "product_id", 5L,
    "name", "Lamp",
    "category", "Home & Garden",
    "material", "steel",
    "description", "A lamp",
    "price", 19.9,
    "pages", List.of("/product/5")
  };

  private static PCollectionTuple conformProduct(TestPipeline pipeline, Object... overrides) {
    return conform(
        pipeline,
        ConformRecords.products(),
        Bronze.schema(Entity.PRODUCTS),
        row(Entity.PRODUCTS, with(PRODUCT, overrides)));
  }

  @Test
  void theCategoryGroupIsTheCategoryUpToTheFirstCommaOrAmpersand(TestPipeline pipeline) {
    PCollectionTuple out = conformProduct(pipeline, "category", "Books, Games & Garden");

    PAssert.that(fields(out.get(ConformRecords.SILVER), "category", "category_group"))
        .containsInAnyOrder("category=Books, Games & Garden, category_group=Books");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aBlankMaterialIsNullAndReported(TestPipeline pipeline) {
    PCollectionTuple out = conformProduct(pipeline, "material", "  ");

    PAssert.that(fields(out.get(ConformRecords.SILVER), "material", "missing_fields"))
        .containsInAnyOrder("material=null, missing_fields=material");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("products 5 missing_field material");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void productsWithoutPagesGetAnEmptyList(TestPipeline pipeline) {
    PCollectionTuple out = conformProduct(pipeline, "pages", null);

    PAssert.that(fields(out.get(ConformRecords.SILVER), "pages")).containsInAnyOrder("pages=[]");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aProductWithoutCategoryIsQuarantined(TestPipeline pipeline) {
    PCollectionTuple out = conformProduct(pipeline, "category", null);

    PAssert.that(out.get(ConformRecords.SILVER)).empty();
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            String.join(
                " | ",
                "products",
                BronzeRows.file(Entity.PRODUCTS),
                "line 1",
                "5",
                "quarantined",
                "required field 'category' has no valid value"));
    pipeline.run().waitUntilFinish();
  }

  // Ratings.

  private static final Object[] RATING = {
    "event_id",
    "r1",
    "user_id",
    1L,
    "product_id",
    5L,
    "stars",
    4,
    "event_time",
    Instant.parse("2026-06-22T06:00:00Z")
  };

  private static PCollectionTuple conformRating(TestPipeline pipeline, Object... overrides) {
    Row lamp =
        SilverRows.row(WarehouseTable.SILVER_PRODUCTS, "product_id", 5L, "category_group", "Home");
    PCollectionView<Map<Long, Row>> customers =
        byId(
            pipeline,
            "Customers",
            WarehouseTable.SILVER_CUSTOMERS.schema(),
            "customer_id",
            PRAGUE_VIP);
    PCollectionView<Map<Long, Row>> products =
        byId(pipeline, "Products", WarehouseTable.SILVER_PRODUCTS.schema(), "product_id", lamp);
    return conform(
        pipeline,
        ConformRecords.ratings(customers, products),
        Bronze.schema(Entity.RATINGS),
        row(Entity.RATINGS, with(RATING, overrides)));
  }

  @Test
  void aRatingTakesItsProductsGroupItsCustomersVipFlagAndItsCalendar(TestPipeline pipeline) {
    PCollectionTuple out = conformRating(pipeline);

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER),
                "category_group",
                "is_vip",
                "event_date",
                "day_of_week",
                "hour_band"))
        .containsInAnyOrder(
            "category_group=Home, is_vip=true, event_date=2026-06-22, day_of_week=Monday,"
                + " hour_band=morning");
    PAssert.that(out.get(ConformRecords.DETECTIONS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aRatingWithoutProductIsKeptAndReported(TestPipeline pipeline) {
    PCollectionTuple out = conformRating(pipeline, "product_id", null);

    PAssert.that(
            fields(
                out.get(ConformRecords.SILVER), "product_id", "category_group", "missing_fields"))
        .containsInAnyOrder("product_id=null, category_group=null, missing_fields=product_id");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("ratings r1 missing_field product_id");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void starsOutsideOneToFiveAreReportedAndTheRatingQuarantined(TestPipeline pipeline) {
    PCollectionTuple out = conformRating(pipeline, "stars", 7);

    PAssert.that(out.get(ConformRecords.SILVER)).empty();
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("ratings r1 wrong_type stars");
    PAssert.that(quarantined(out.get(ConformRecords.QUARANTINE)))
        .containsInAnyOrder(
            String.join(
                " | ",
                "ratings",
                BronzeRows.file(Entity.RATINGS),
                "line 1",
                "r1",
                "quarantined",
                "required field 'stars' has no valid value"));
    pipeline.run().waitUntilFinish();
  }

  // Car listings.

  private static final Object[] LISTING = {
    "listing_id",
    9L,
    "make",
    "Škoda",
    "model",
    "Octavia",
    "year",
    2019,
    "km",
    85_000,
    "price",
    289_000.0,
    "city",
    "Brno",
    "listed_at",
    Instant.parse("2026-03-01T00:00:00Z")
  };

  private static PCollectionTuple conformListing(TestPipeline pipeline, Object... overrides) {
    return conform(
        pipeline,
        ConformRecords.carListings(),
        Bronze.schema(Entity.CAR_LISTINGS),
        row(Entity.CAR_LISTINGS, with(LISTING, overrides)));
  }

  @Test
  void aRemovedListingsTurnoverIsTheDaysItWasListed(TestPipeline pipeline) {
    PCollectionTuple out =
        conformListing(pipeline, "removed_at", Instant.parse("2026-03-04T12:00:00Z"));

    PAssert.that(fields(out.get(ConformRecords.SILVER), "listing_id", "turnover_days"))
        .containsInAnyOrder("listing_id=9, turnover_days=3.5");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aListingStillListedHasNoTurnover(TestPipeline pipeline) {
    PCollectionTuple out = conformListing(pipeline);

    PAssert.that(fields(out.get(ConformRecords.SILVER), "listing_id", "turnover_days"))
        .containsInAnyOrder("listing_id=9, turnover_days=null");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aListingWithoutCityIsKeptAndReported(TestPipeline pipeline) {
    PCollectionTuple out = conformListing(pipeline, "city", "");

    PAssert.that(fields(out.get(ConformRecords.SILVER), "city", "missing_fields"))
        .containsInAnyOrder("city=null, missing_fields=city");
    PAssert.that(defects(out.get(ConformRecords.DETECTIONS)))
        .containsInAnyOrder("car_listings 9 missing_field city");
    pipeline.run().waitUntilFinish();
  }
}
