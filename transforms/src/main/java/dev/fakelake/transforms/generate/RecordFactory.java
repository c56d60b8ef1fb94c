package dev.fakelake.transforms.generate;

import dev.fakelake.schemas.CarListing;
import dev.fakelake.schemas.Customer;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Order;
import dev.fakelake.schemas.OrderItem;
import dev.fakelake.schemas.Pageview;
import dev.fakelake.schemas.Product;
import dev.fakelake.schemas.Rating;
import dev.fakelake.schemas.VipCustomer;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import net.datafaker.Faker;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Makes clean records: record {@code i} of an entity is a pure function of the spec's seed, the
 * entity and {@code i}. Fields that other entities refer to (a pageview's user, time and page, a
 * product's price) come from plain hashed randomness, so that a rating can find its pageview
 * without generating it; text comes from Datafaker, reseeded before every record.
 *
 * <p>Not thread-safe and not serializable: create one per DoFn instance in {@code @Setup}.
 */
public final class RecordFactory {

  static final int PAGEVIEWS_PER_SLOT = 10;
  private static final long MINUTE = 60_000L;
  private static final String PRODUCT_PAGE_PREFIX = "/product/";
  private static final String[] PAYMENT_METHODS = {
    "card", "card", "card", "bank_transfer", "cash_on_delivery", "apple_pay", "google_pay"
  };
  private static final int[] STAR_WEIGHTS = {5, 8, 17, 35, 35};

  private final GenerationSpec spec;
  private final Locale locale;
  private final Random random = new Random(0);
  private final Faker faker;
  private final List<City> cities;
  private final long totalCityWeight;
  private final boolean hasGenderedNames;
  private final boolean hasStreetList;

  public RecordFactory(GenerationSpec spec) {
    this.spec = spec;
    this.locale = Locales.parse(spec.locale());
    // Datafaker draws every value from this Random, which is reseeded before each record.
    this.faker = new Faker(locale, random);
    this.cities = Cities.forLocale(locale);
    this.totalCityWeight = cities.stream().mapToLong(City::weight).sum();
    this.hasGenderedNames = resolves("name.woman_first_name") && resolves("name.woman_last_name");
    this.hasStreetList = resolves("address.street");
  }

  public GenerationSpec spec() {
    return spec;
  }

  /** Record {@code index} of an entity that lands as files. */
  public Object record(Entity entity, long index) {
    return switch (entity) {
      case CUSTOMERS -> customer(index);
      case VIP_CUSTOMERS -> vipCustomer(index);
      case PRODUCTS -> product(index);
      case PAGEVIEWS -> pageview(index);
      case RATINGS -> rating(index);
      case CAR_LISTINGS -> carListing(index);
      case ORDERS, ORDER_ITEMS ->
          throw new IllegalArgumentException(entity.tableName() + " land in the source database");
    };
  }

  public Customer customer(long index) {
    reseed(Entity.CUSTOMERS, index);
    boolean woman = random.nextBoolean();
    String firstName;
    String lastName;
    if (hasGenderedNames) {
      firstName = faker.resolve(woman ? "name.woman_first_name" : "name.man_first_name");
      lastName = faker.resolve(woman ? "name.woman_last_name" : "name.man_last_name");
    } else {
      firstName = woman ? faker.name().femaleFirstName() : faker.name().maleFirstName();
      lastName = faker.name().lastName();
    }
    City city = city(random.nextDouble());
    String street =
        (hasStreetList ? faker.resolve("address.street") : faker.address().streetName())
            + " "
            + (1 + random.nextInt(250));
    String localPart = ascii(firstName) + "." + ascii(lastName) + random.nextInt(100);
    String phone =
        locale.getLanguage().equals("cs")
            ? faker.numerify("+420 ### ### ###")
            : faker.phoneNumber().cellPhone();
    LocalDate start = spec.startDate();
    LocalDate birthDate = start.minusYears(18).minusDays(random.nextInt(62 * 365));
    Instant registeredAt = spec.start().minus((long) (random.nextDouble() * 3 * 365 * 86_400_000L));
    return Customer.builder()
        .setCustomerId(index + 1)
        .setFirstName(firstName)
        .setLastName(lastName)
        .setEmail(faker.internet().emailAddress(localPart))
        .setPhone(phone)
        .setStreet(street)
        .setCity(city.name())
        .setRegion(city.region())
        .setLatitude(city.latitude())
        .setLongitude(city.longitude())
        .setBirthDate(birthDate.toString())
        .setRegisteredAt(registeredAt)
        .build();
  }

  public VipCustomer vipCustomer(long index) {
    SplittableRandom r = structure(Entity.VIP_CUSTOMERS, index);
    return VipCustomer.of(1 + r.nextLong(Math.max(1, spec.count(Entity.CUSTOMERS))));
  }

  public Product product(long index) {
    reseed(Entity.PRODUCTS, index);
    String category = faker.commerce().department();
    String promoCode = random.nextDouble() < 0.3 ? faker.commerce().promotionCode() : null;
    long productId = index + 1;
    return Product.builder()
        .setProductId(productId)
        .setName(faker.commerce().productName())
        .setCategory(category)
        .setMaterial(faker.commerce().material())
        .setDescription(faker.lorem().sentence(10))
        .setPrice(productPrice(index))
        .setPromoCode(promoCode)
        .setPages(List.of(productPage(productId), "/category/" + slug(category)))
        .build();
  }

  /** A product's price, also used for order items, so it must not depend on Datafaker's state. */
  double productPrice(long productIndex) {
    SplittableRandom r = structure(Entity.PRODUCTS, productIndex);
    double crowns = Math.exp(Math.log(900) + 1.1 * r.nextGaussian());
    return Math.max(19, Math.round(Math.min(crowns, 150_000)));
  }

  public Order order(long index) {
    SplittableRandom r = structure(Entity.ORDERS, index);
    long count = Math.max(1, spec.count(Entity.ORDERS));
    Instant createdAt = spreadOverSpan(index, count, r);
    long ageMillis = spec.start().getMillis() + spec.spanMillis() - createdAt.getMillis();
    Order.Status status;
    long hoursToUpdate;
    if (r.nextDouble() < 0.05) {
      status = Order.Status.CANCELLED;
      hoursToUpdate = 1 + r.nextInt(48);
    } else if (ageMillis < 86_400_000L) {
      status = r.nextBoolean() ? Order.Status.CREATED : Order.Status.PAID;
      hoursToUpdate = status == Order.Status.CREATED ? 0 : 1;
    } else if (ageMillis < 4 * 86_400_000L) {
      status = r.nextBoolean() ? Order.Status.PAID : Order.Status.SHIPPED;
      hoursToUpdate = status == Order.Status.PAID ? 2 : 24 + r.nextInt(24);
    } else {
      status = Order.Status.DELIVERED;
      hoursToUpdate = 48 + r.nextInt(72);
    }
    Instant updatedAt = createdAt.plus(hoursToUpdate * 3_600_000L + r.nextInt(3_600_000));
    return Order.builder()
        .setOrderId(index + 1)
        .setCustomerId(1 + r.nextLong(Math.max(1, spec.count(Entity.CUSTOMERS))))
        .setStatus(status.name().toLowerCase(Locale.ROOT))
        .setPaymentMethod(PAYMENT_METHODS[r.nextInt(PAYMENT_METHODS.length)])
        .setCreatedAt(createdAt)
        .setUpdatedAt(updatedAt)
        .build();
  }

  /** The one to five lines of an order; they change with the order, so they share its time. */
  public List<OrderItem> orderItems(Order order) {
    SplittableRandom r = structure(Entity.ORDER_ITEMS, order.getOrderId() - 1);
    int lines = 1 + (int) Math.floor(Math.abs(r.nextGaussian()) * 1.6);
    List<OrderItem> items = new ArrayList<>();
    long products = Math.max(1, spec.count(Entity.PRODUCTS));
    for (int line = 1; line <= Math.min(lines, 5); line++) {
      long productIndex = r.nextLong(products);
      items.add(
          OrderItem.builder()
              .setOrderId(order.getOrderId())
              .setLineNo(line)
              .setProductId(productIndex + 1)
              .setQuantity(r.nextDouble() < 0.8 ? 1 : 2 + r.nextInt(3))
              .setUnitPrice(productPrice(productIndex))
              .setUpdatedAt(order.getUpdatedAt())
              .build());
    }
    return items;
  }

  public Pageview pageview(long index) {
    PageviewSkeleton skeleton = pageviewSkeleton(index);
    SplittableRandom r = structure(Entity.PAGEVIEWS, index);
    double latency = Math.exp(Math.log(120) + 0.8 * r.nextGaussian());
    reseed(Entity.PAGEVIEWS, index);
    return Pageview.builder()
        .setEventId(eventId(Entity.PAGEVIEWS, index))
        .setUserId(skeleton.userId())
        .setSessionId(skeleton.sessionId())
        .setUrl(skeleton.url())
        .setHttpMethod(skeleton.httpMethod())
        .setClientIp(faker.internet().ipV4Address())
        .setUserAgent(faker.internet().userAgent())
        .setLatencyMs((int) Math.max(5, Math.min(3_000, Math.round(latency))))
        .setEventTime(skeleton.eventTime())
        .build();
  }

  /** The parts of a pageview that sessions and ratings depend on. */
  record PageviewSkeleton(
      long userId,
      String sessionId,
      String url,
      String httpMethod,
      long productId,
      Instant eventTime) {}

  /**
   * Pageviews come in slots of ten consecutive indexes shared by two sessions of two users, so that
   * sessions have several pages a few tens of seconds apart.
   */
  PageviewSkeleton pageviewSkeleton(long index) {
    long pageviews = Math.max(1, spec.count(Entity.PAGEVIEWS));
    long slot = index / PAGEVIEWS_PER_SLOT;
    int position = (int) (index % PAGEVIEWS_PER_SLOT);
    long slots = (pageviews + PAGEVIEWS_PER_SLOT - 1) / PAGEVIEWS_PER_SLOT;
    SplittableRandom s = new SplittableRandom(Seeds.of(spec.seed(), Entity.PAGEVIEWS, slot, 3));
    int firstSessionLength = 1 + s.nextInt(PAGEVIEWS_PER_SLOT);
    long customers = Math.max(1, spec.count(Entity.CUSTOMERS));
    long firstUser = 1 + s.nextLong(customers);
    long secondUser = 1 + s.nextLong(customers);
    long slotMillis = Math.max(1, spec.spanMillis() / slots);
    long slotStart = spec.start().getMillis() + slot * slotMillis;
    long secondSessionStart = slotStart + s.nextLong(Math.max(1, slotMillis / 2));
    boolean first = position < firstSessionLength;
    int positionInSession = first ? position : position - firstSessionLength;
    long sessionStart = first ? slotStart : secondSessionStart;
    SplittableRandom r = new SplittableRandom(Seeds.of(spec.seed(), Entity.PAGEVIEWS, index, 4));
    long eventTime = sessionStart + positionInSession * 45_000L + r.nextInt(40_000);
    String sessionId =
        Long.toHexString(Seeds.of(spec.seed(), Entity.PAGEVIEWS, slot * 2 + (first ? 0 : 1), 5));
    long productId = 0;
    String url;
    String method = "GET";
    double page = r.nextDouble();
    if (page < 0.5) {
      productId = 1 + r.nextLong(Math.max(1, spec.count(Entity.PRODUCTS)));
      url = productPage(productId);
    } else if (page < 0.65) {
      url = "/category/" + (1 + r.nextInt(20));
    } else if (page < 0.75) {
      url = "/";
    } else if (page < 0.85) {
      url = "/search?q=" + Long.toString(r.nextLong(1_000_000), 36);
    } else if (page < 0.9) {
      url = "/cart";
      method = r.nextBoolean() ? "POST" : "GET";
    } else if (page < 0.95) {
      url = "/checkout";
      method = "POST";
    } else {
      url = "/account";
      double m = r.nextDouble();
      method = m < 0.6 ? "GET" : m < 0.9 ? "PUT" : "DELETE";
    }
    return new PageviewSkeleton(
        first ? firstUser : secondUser, sessionId, url, method, productId, new Instant(eventTime));
  }

  /** A rating follows a pageview of the same user within fifteen minutes. */
  public Rating rating(long index) {
    SplittableRandom r = structure(Entity.RATINGS, index);
    long pageviews = spec.count(Entity.PAGEVIEWS);
    long products = Math.max(1, spec.count(Entity.PRODUCTS));
    long userId;
    long productId;
    Instant eventTime;
    if (pageviews > 0) {
      PageviewSkeleton pageview = pageviewSkeleton(r.nextLong(pageviews));
      userId = pageview.userId();
      productId = pageview.productId() > 0 ? pageview.productId() : 1 + r.nextLong(products);
      eventTime = pageview.eventTime().plus(MINUTE + r.nextLong(13 * MINUTE));
    } else {
      userId = 1 + r.nextLong(Math.max(1, spec.count(Entity.CUSTOMERS)));
      productId = 1 + r.nextLong(products);
      eventTime = spreadOverSpan(index, Math.max(1, spec.count(Entity.RATINGS)), r);
    }
    int pick = r.nextInt(100);
    int stars = 1;
    for (int weight : STAR_WEIGHTS) {
      if (pick < weight) {
        break;
      }
      pick -= weight;
      stars++;
    }
    return Rating.builder()
        .setEventId(eventId(Entity.RATINGS, index))
        .setUserId(userId)
        .setProductId(productId)
        .setStars(stars)
        .setEventTime(eventTime)
        .build();
  }

  public CarListing carListing(long index) {
    reseed(Entity.CAR_LISTINGS, index);
    String make = faker.vehicle().make();
    String model = faker.vehicle().model(make);
    SplittableRandom r = structure(Entity.CAR_LISTINGS, index);
    int currentYear = spec.startDate().getYear();
    int age = r.nextInt(20);
    int km = (int) Math.round(age * (8_000 + r.nextInt(17_000)) + r.nextInt(5_000));
    double newPrice = 350_000 + r.nextInt(900_000);
    double price = newPrice * Math.pow(0.88, age) * Math.max(0.3, 1 - km / 600_000.0);
    Instant listedAt = spreadOverSpan(index, Math.max(1, spec.count(Entity.CAR_LISTINGS)), r);
    Instant removedAt = null;
    if (r.nextDouble() < 0.8) {
      double days = -Math.log(1 - r.nextDouble()) * 21;
      removedAt = listedAt.plus((long) (days * 86_400_000L) + 3_600_000L);
    }
    return CarListing.builder()
        .setListingId(index + 1)
        .setMake(make)
        .setModel(model)
        .setYear(currentYear - age)
        .setKm(km)
        .setPrice(Math.round(price / 1_000.0) * 1_000.0)
        .setCity(city(r.nextDouble()).name())
        .setListedAt(listedAt)
        .setRemovedAt(removedAt)
        .build();
  }

  private Instant spreadOverSpan(long index, long count, SplittableRandom r) {
    long step = Math.max(1, spec.spanMillis() / count);
    return new Instant(spec.start().getMillis() + index * step + r.nextLong(step));
  }

  private void reseed(Entity entity, long index) {
    random.setSeed(Seeds.of(spec.seed(), entity, index, Seeds.CONTENT));
  }

  private SplittableRandom structure(Entity entity, long index) {
    return new SplittableRandom(Seeds.of(spec.seed(), entity, index, 6));
  }

  private String eventId(Entity entity, long index) {
    long high = Seeds.of(spec.seed(), entity, index, 7);
    long low = Seeds.of(spec.seed(), entity, index, 8);
    // Marked as a version 4, variant 2 UUID so that tools recognise the format.
    return new UUID(
            (high & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L,
            (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
        .toString();
  }

  private City city(double unit) {
    long pick = (long) (unit * totalCityWeight);
    for (City city : cities) {
      pick -= city.weight();
      if (pick < 0) {
        return city;
      }
    }
    return cities.get(cities.size() - 1);
  }

  private boolean resolves(String key) {
    try {
      String value = faker.resolve(key);
      return value != null && !value.isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The path of a product's page, as pageviews request it and ratings are joined on. */
  public static String productPage(long productId) {
    return PRODUCT_PAGE_PREFIX + productId;
  }

  /** The product whose page {@link #productPage} made {@code url}, or null for any other path. */
  public static @Nullable Long productOfPage(@Nullable String url) {
    if (url == null
        || !url.startsWith(PRODUCT_PAGE_PREFIX)
        || url.length() == PRODUCT_PAGE_PREFIX.length()
        || url.length() > PRODUCT_PAGE_PREFIX.length() + 18) {
      return null;
    }
    long productId = 0;
    for (int i = PRODUCT_PAGE_PREFIX.length(); i < url.length(); i++) {
      char c = url.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      productId = productId * 10 + (c - '0');
    }
    return productId;
  }

  private static String slug(String text) {
    return Normalizer.normalize(text, Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-")
        .replaceAll("^-|-$", "");
  }

  /** Lower-case ASCII without diacritics, for e-mail addresses and URL slugs. */
  static String ascii(String text) {
    return Normalizer.normalize(text, Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9.]", "");
  }

  /** Converts a {@link LocalDate} to the start of that day in UTC, in Joda time. */
  static Instant startOfDay(LocalDate date) {
    return new Instant(date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
  }
}
