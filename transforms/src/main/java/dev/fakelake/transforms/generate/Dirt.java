package dev.fakelake.transforms.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.io.JsonRecords;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.joda.time.Instant;

/**
 * Injects deliberate dirt into a record's JSON, each kind at its own rate, and reports every defect
 * it injects as ground truth. Whether record {@code i} is dirty, and how, depends only on (seed,
 * entity, i), like the record itself.
 */
final class Dirt {

  /** Which fields of which entity may go missing or get a value of the wrong type. */
  private record Profile(
      List<String> missingFields, String wrongTypeField, boolean events, boolean duplicates) {}

  private static final Profile NONE = new Profile(List.of(), null, false, false);

  private final GenerationSpec spec;

  Dirt(GenerationSpec spec) {
    this.spec = spec;
  }

  private static Profile profile(Entity entity) {
    return switch (entity) {
      case CUSTOMERS -> new Profile(List.of("email", "phone", "region"), "latitude", false, true);
      case PRODUCTS -> new Profile(List.of("material", "description"), "price", false, false);
      case PAGEVIEWS -> new Profile(List.of("client_ip", "user_agent"), "latency_ms", true, true);
      case RATINGS -> new Profile(List.of("product_id"), "stars", true, true);
      case CAR_LISTINGS -> new Profile(List.of("city"), "km", false, true);
      default -> NONE;
    };
  }

  /** The result for one record: one line, or two for a duplicate. */
  record Lines(String line, boolean duplicated) {}

  /**
   * Dirties one record's JSON in place and returns the line(s) to land. Malformed records get no
   * other defect, since nothing past the break could be read anyway.
   */
  Lines apply(Entity entity, long index, ObjectNode json, Consumer<Defect> truth) {
    SplittableRandom r = new SplittableRandom(Seeds.of(spec.seed(), entity, index, Seeds.DIRT));
    Profile profile = profile(entity);
    String key = json.path(entity.key()).asText();
    boolean duplicate = profile.duplicates() && hit(r, DefectKind.DUPLICATE);
    if (hit(r, DefectKind.MALFORMED)) {
      truth.accept(Defect.of(entity, key, DefectKind.MALFORMED));
      String line = malformed(json.toString(), r);
      recordDuplicate(entity, key, duplicate, truth);
      return new Lines(line, duplicate);
    }
    if (!profile.missingFields().isEmpty() && hit(r, DefectKind.MISSING_FIELD)) {
      String field = profile.missingFields().get(r.nextInt(profile.missingFields().size()));
      if (field.equals("client_ip")) {
        json.put(field, "");
      } else {
        json.remove(field);
      }
      truth.accept(Defect.of(entity, key, DefectKind.MISSING_FIELD, field));
    }
    if (profile.wrongTypeField() != null && hit(r, DefectKind.WRONG_TYPE)) {
      String field = profile.wrongTypeField();
      json.put(field, wrongType(field, json.get(field)));
      truth.accept(Defect.of(entity, key, DefectKind.WRONG_TYPE, field));
    }
    if (entity == Entity.PAGEVIEWS && hit(r, DefectKind.LATENCY_OUTLIER)) {
      json.put("latency_ms", 10_000 + r.nextInt(110_000));
      truth.accept(Defect.of(entity, key, DefectKind.LATENCY_OUTLIER, "latency_ms"));
    }
    if (profile.events()) {
      if (hit(r, DefectKind.LATE_EVENT)) {
        shiftEventTime(json, 2 * 3_600_000L + r.nextLong(4 * 3_600_000L));
        truth.accept(Defect.of(entity, key, DefectKind.LATE_EVENT, "event_time"));
      } else if (hit(r, DefectKind.OUT_OF_ORDER)) {
        shiftEventTime(json, 60_000L + r.nextLong(9 * 60_000L));
        truth.accept(Defect.of(entity, key, DefectKind.OUT_OF_ORDER, "event_time"));
      }
    }
    recordDuplicate(entity, key, duplicate, truth);
    return new Lines(json.toString(), duplicate);
  }

  /** Dirt for a row of the source database, where types are enforced: missing values only. */
  boolean missing(Entity entity, long index) {
    SplittableRandom r = new SplittableRandom(Seeds.of(spec.seed(), entity, index, Seeds.DIRT));
    return hit(r, DefectKind.MISSING_FIELD);
  }

  /** Whether an order item loses its order. */
  boolean orphan(long orderIndex, int lineNo) {
    SplittableRandom r =
        new SplittableRandom(
            Seeds.of(spec.seed(), Entity.ORDER_ITEMS, orderIndex * 8 + lineNo, Seeds.DIRT));
    return hit(r, DefectKind.ORPHAN);
  }

  private boolean hit(SplittableRandom r, DefectKind kind) {
    // Always draw, so that one rate does not shift the draws of the kinds after it.
    return r.nextDouble() < spec.rate(kind);
  }

  private static void recordDuplicate(
      Entity entity, String key, boolean duplicate, Consumer<Defect> truth) {
    if (duplicate) {
      truth.accept(Defect.of(entity, key, DefectKind.DUPLICATE));
    }
  }

  private static void shiftEventTime(ObjectNode json, long backMillis) {
    Instant time = JsonRecords.parseInstant(json.get("event_time").asText());
    json.put("event_time", time.minus(backMillis).toString());
  }

  /**
   * Cuts the line somewhere after its first field, so the key is still visible but it won't parse.
   */
  private static String malformed(String line, SplittableRandom r) {
    int firstComma = Math.max(1, line.indexOf(',') + 1);
    int cut = firstComma + r.nextInt(Math.max(1, line.length() - 1 - firstComma));
    return line.substring(0, Math.min(cut, line.length() - 1));
  }

  /** A value as a careless export would write it: numbers with units or decimal commas. */
  private static String wrongType(String field, JsonNode value) {
    String text = value == null || value.isNull() ? "" : value.asText();
    return switch (field) {
      case "latitude" -> text.replace('.', ',');
      case "price" -> text.replace(".0", "") + " Kč";
      case "latency_ms" -> text + " ms";
      case "stars" -> "*".repeat(Math.max(1, value == null ? 1 : value.asInt()));
      case "km" -> text + " km";
      default -> "n/a";
    };
  }
}
