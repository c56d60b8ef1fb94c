package dev.fakelake.transforms.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.CarListing;
import dev.fakelake.schemas.Customer;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Order;
import dev.fakelake.schemas.OrderItem;
import dev.fakelake.schemas.Pageview;
import dev.fakelake.schemas.Rating;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RecordFactoryTest {

  private static final GenerationSpec SPEC = GenerationSpec.defaults(0.1).build();

  @Test
  void sameSeedAndIndexGiveTheSameRecordWhateverWasGeneratedBefore() {
    RecordFactory fresh = new RecordFactory(SPEC);
    RecordFactory used = new RecordFactory(SPEC);
    for (long i = 0; i < 50; i++) {
      used.customer(i);
      used.pageview(i * 3);
      used.carListing(i);
    }

    assertEquals(fresh.customer(17), used.customer(17));
    assertEquals(fresh.pageview(123), used.pageview(123));
    assertEquals(fresh.rating(9), used.rating(9));
    assertEquals(fresh.product(4), used.product(4));
    assertEquals(fresh.order(33), used.order(33));
    assertEquals(fresh.carListing(8), used.carListing(8));
  }

  @Test
  void anotherSeedGivesOtherRecords() {
    RecordFactory seven = new RecordFactory(SPEC.toBuilder().setSeed(7).build());
    RecordFactory eight = new RecordFactory(SPEC.toBuilder().setSeed(8).build());

    assertNotEquals(seven.customer(0), eight.customer(0));
    assertNotEquals(seven.pageview(0), eight.pageview(0));
  }

  @Test
  void ordersItemsPageviewsAndRatingsPointAtExistingRecords() {
    RecordFactory factory = new RecordFactory(SPEC);
    long customers = SPEC.count(Entity.CUSTOMERS);
    long products = SPEC.count(Entity.PRODUCTS);
    for (long i = 0; i < 500; i++) {
      Order order = factory.order(i);
      assertTrue(order.getCustomerId() >= 1 && order.getCustomerId() <= customers);
      assertTrue(!order.getUpdatedAt().isBefore(order.getCreatedAt()));
      for (OrderItem item : factory.orderItems(order)) {
        assertEquals(order.getOrderId(), item.getOrderId());
        assertTrue(item.getProductId() >= 1 && item.getProductId() <= products);
      }
      Pageview pageview = factory.pageview(i);
      assertTrue(pageview.getUserId() >= 1 && pageview.getUserId() <= customers);
      Rating rating = factory.rating(i);
      assertTrue(rating.getUserId() >= 1 && rating.getUserId() <= customers);
      assertTrue(rating.getProductId() >= 1 && rating.getProductId() <= products);
      assertTrue(rating.getStars() >= 1 && rating.getStars() <= 5);
    }
  }

  @Test
  void aRatingFollowsAPageviewOfTheSameUserWithinFifteenMinutes() {
    RecordFactory factory = new RecordFactory(SPEC);
    for (long i = 0; i < 200; i++) {
      Rating rating = factory.rating(i);
      boolean found = false;
      for (long p = 0; p < SPEC.count(Entity.PAGEVIEWS) && !found; p++) {
        RecordFactory.PageviewSkeleton pageview = factory.pageviewSkeleton(p);
        long gap = rating.getEventTime().getMillis() - pageview.eventTime().getMillis();
        found = pageview.userId() == rating.getUserId() && gap > 0 && gap <= 15 * 60_000L;
      }
      assertTrue(found, "rating " + i + " has no pageview of its user in the 15 minutes before it");
    }
  }

  @Test
  void pageviewsOfASessionShareTheUserAndComeInTimeOrder() {
    RecordFactory factory = new RecordFactory(SPEC);
    Pageview first = factory.pageview(0);
    Pageview second = factory.pageview(1);

    assertEquals(first.getSessionId(), second.getSessionId());
    assertEquals(first.getUserId(), second.getUserId());
    assertTrue(second.getEventTime().isAfter(first.getEventTime()));
  }

  @Test
  void czechCustomersLiveInRealCzechCities() {
    RecordFactory factory = new RecordFactory(SPEC);
    for (long i = 0; i < 100; i++) {
      Customer customer = factory.customer(i);
      assertTrue(
          customer.getLatitude() > 48.5 && customer.getLatitude() < 51.1, customer.toString());
      assertTrue(customer.getLongitude() > 12 && customer.getLongitude() < 19, customer.toString());
      assertTrue(customer.getPhone().startsWith("+420 "), customer.getPhone());
      assertTrue(customer.getEmail().matches("[a-z0-9.]+@[a-z0-9.-]+"), customer.getEmail());
    }
  }

  @Test
  void anotherLocaleGivesItsOwnCitiesAndNames() {
    RecordFactory german = new RecordFactory(SPEC.toBuilder().setLocale("de").build());
    Set<String> germanCities =
        Cities.forLocale(java.util.Locale.GERMAN).stream()
            .map(City::name)
            .collect(Collectors.toSet());

    Customer customer = german.customer(3);

    assertTrue(germanCities.contains(customer.getCity()), customer.getCity());
    assertNotEquals(new RecordFactory(SPEC).customer(3).getLastName(), customer.getLastName());
  }

  @Test
  void anUnknownLocaleIsAClearErrorWithValidExamples() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> SPEC.toBuilder().setLocale("xx-QQ").build());

    assertTrue(error.getMessage().contains("Unknown locale 'xx-QQ'"), error.getMessage());
    assertTrue(error.getMessage().contains("cs (default)"), error.getMessage());
  }

  @Test
  void absurdCountsAndRatesAreRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> SPEC.toBuilder().count(Entity.PAGEVIEWS, -1).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SPEC.toBuilder().rate(dev.fakelake.schemas.DefectKind.DUPLICATE, 0.9).build());
  }

  @Test
  void listingsAreRemovedAfterTheyAreListed() {
    RecordFactory factory = new RecordFactory(SPEC);
    for (long i = 0; i < 200; i++) {
      CarListing listing = factory.carListing(i);
      if (listing.getRemovedAt() != null) {
        assertTrue(listing.getRemovedAt().isAfter(listing.getListedAt()));
      }
      assertTrue(listing.getYear() <= 2026 && listing.getKm() >= 0);
    }
  }

  @Test
  void aProductPageGivesBackItsProductAndOtherPathsNone() {
    assertEquals(Long.valueOf(42), RecordFactory.productOfPage(RecordFactory.productPage(42)));
    for (String other :
        new String[] {null, "/", "/product/", "/product/7?x=1", "/products/7", "/product/-7"}) {
      assertEquals(null, RecordFactory.productOfPage(other), other);
    }
  }
}
