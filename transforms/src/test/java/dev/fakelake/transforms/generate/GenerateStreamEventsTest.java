package dev.fakelake.transforms.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.ingest.RecordParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class GenerateStreamEventsTest {

  private static final int EVENTS = 16_000;
  private static final double DIRT = 0.05;
  private static final double RATE = 100;
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00.000Z");
  private final ObjectMapper mapper = new ObjectMapper();

  private static GenerationSpec spec(long seed, double dirt) {
    GenerationSpec.Builder builder = GenerationSpec.defaults(0.1).setSeed(seed);
    for (DefectKind kind : DefectKind.values()) {
      builder.rate(kind, dirt);
    }
    return builder.build();
  }

  private static List<StreamEvent> generate(GenerationSpec spec, long from, long to) {
    StreamEventFactory factory = new StreamEventFactory(spec, from, RATE);
    List<StreamEvent> events = new ArrayList<>();
    for (long i = from; i < to; i++) {
      events.addAll(factory.events(i, NOW));
    }
    return events;
  }

  @Test
  void theSameSeedGivesTheSameMessagesAndAnotherSeedOthers() {
    List<StreamEvent> first = generate(spec(7, DIRT), 0, 300);
    List<StreamEvent> again = generate(spec(7, DIRT), 0, 300);
    List<StreamEvent> other = generate(spec(8, DIRT), 0, 300);

    assertEquals(first, again);
    assertNotEquals(
        first.stream().map(StreamEvent::getPayload).toList(),
        other.stream().map(StreamEvent::getPayload).toList());
  }

  @Test
  void oneEventInEightIsARatingAndEachKindOfDirtComesAtItsRate() {
    List<StreamEvent> events = generate(spec(42, DIRT), 0, EVENTS);
    List<StreamEvent> originals = events.stream().filter(e -> !e.isCopy()).toList();
    Map<String, Integer> perKind = new HashMap<>();
    originals.forEach(
        e -> e.getDefects().forEach(d -> perKind.merge(d.getDefect(), 1, Integer::sum)));

    assertEquals(EVENTS, originals.size());
    double ratings = originals.stream().filter(e -> e.getEntity().equals("ratings")).count();
    assertTrue(Math.abs(ratings / EVENTS - 0.125) < 0.015, "rating share " + ratings / EVENTS);
    for (DefectKind kind :
        List.of(
            DefectKind.MALFORMED,
            DefectKind.DUPLICATE,
            DefectKind.MISSING_FIELD,
            DefectKind.WRONG_TYPE,
            DefectKind.LATE_EVENT,
            DefectKind.OUT_OF_ORDER)) {
      double share = perKind.getOrDefault(kind.label(), 0) / (double) EVENTS;
      // Malformed messages take no other dirt, late ones no out-of-order: allow for both.
      assertTrue(share > DIRT * 0.75 && share < DIRT * 1.2, kind + " came at " + share);
    }
    double outliers = perKind.getOrDefault(DefectKind.LATENCY_OUTLIER.label(), 0);
    assertTrue(outliers / (EVENTS - ratings) > DIRT * 0.75, "latency outliers " + outliers);
    assertEquals(perKind.get(DefectKind.DUPLICATE.label()), events.size() - originals.size());
  }

  @Test
  void lateAndOutOfOrderEventsAreShiftedBackFromTheGenerationTime() {
    for (StreamEvent event : generate(spec(42, DIRT), 0, 4_000)) {
      Set<String> kinds =
          event.getDefects().stream().map(Defect::getDefect).collect(Collectors.toSet());
      long back = NOW.getMillis() - event.getEventTime().getMillis();
      if (kinds.contains(DefectKind.LATE_EVENT.label())) {
        assertTrue(back >= 2 * 3_600_000L && back < 6 * 3_600_000L, "late by " + back);
      } else if (kinds.contains(DefectKind.OUT_OF_ORDER.label())) {
        assertTrue(back >= 60_000L && back < 600_000L, "out of order by " + back);
      } else {
        assertEquals(0, back);
      }
    }
  }

  @Test
  void aRatingFollowsAPageviewOfTheSameUserWithinFourteenMinutes() throws Exception {
    long start = 1_000;
    GenerationSpec spec = spec(42, 0);
    StreamEventFactory factory = new StreamEventFactory(spec, start, RATE);
    int paired = 0;
    int longGaps = 0;
    for (long i = start; i < start + 120_000; i += 7) {
      if (!factory.isRating(i)) {
        continue;
      }
      long pageview = factory.ratedPageview(i);
      if (i == start) {
        assertEquals(-1, pageview);
        continue;
      }
      assertTrue(pageview >= start && pageview < i, "rated pageview " + pageview + " of " + i);
      assertTrue(!factory.isRating(pageview));
      double gapSeconds = (i - pageview) / RATE;
      assertTrue(gapSeconds < 14 * 60, "gap " + gapSeconds + " s");
      longGaps += gapSeconds >= 60 ? 1 : 0;
      JsonNode rating = mapper.readTree(factory.events(i, NOW).get(0).getPayload());
      assertEquals(factory.pageviewUser(pageview), rating.get("user_id").asLong());
      paired++;
    }
    assertTrue(paired > 1_000, "paired " + paired);
    // Once 14 minutes of stream exist, gaps are 1 to 14 minutes.
    assertTrue(longGaps > paired * 0.8, "gaps of a minute or more: " + longGaps + " of " + paired);
  }

  @Test
  void cleanPayloadsParseAsLandingLinesWithUsersAndProductsOfTheDataSet() {
    GenerationSpec spec = spec(42, 0);
    Set<String> eventIds = new HashSet<>();
    for (StreamEvent event : generate(spec, 0, 2_000)) {
      Entity entity = Entity.fromTableName(event.getEntity());
      RecordParser.Result result = new RecordParser(entity).parse(event.getPayload());
      assertTrue(result.ok(), event.getPayload() + ": " + result.reason());
      long user = result.row().getInt64("user_id");
      assertEquals(Long.toString(user), event.getKey());
      assertTrue(user >= 1 && user <= spec.count(Entity.CUSTOMERS), "user " + user);
      if (entity == Entity.RATINGS) {
        long product = result.row().getInt64("product_id");
        assertTrue(product >= 1 && product <= spec.count(Entity.PRODUCTS), "product " + product);
      }
      assertTrue(eventIds.add(result.row().getString("event_id")), "repeated event id");
    }
    RecordFactory batch = new RecordFactory(spec);
    for (long i = 0; i < 200; i++) {
      assertTrue(!eventIds.contains(batch.pageview(i).getEventId()), "batch id reused");
    }
  }

  @Test
  void aLimitedStreamGeneratesEachIndexOnceFromTheStartIndex(TestPipeline pipeline) {
    PCollection<Long> indexes =
        pipeline
            .apply(
                GenerateStreamEvents.of(spec(42, DIRT))
                    .withStartIndex(500)
                    // more than two chunks of the sequence, the last one partly
                    .withRate(20_000)
                    .withLimit(2_300))
            .apply(
                MapElements.into(TypeDescriptors.longs())
                    .via(e -> e.isCopy() ? -1L : e.getIndex()));

    PAssert.that(indexes)
        .satisfies(
            all -> {
              List<Long> originals = new ArrayList<>();
              all.forEach(
                  i -> {
                    if (i >= 0) {
                      originals.add(i);
                    }
                  });
              originals.sort(null);
              assertEquals(LongStream.range(500, 2_800).boxed().toList(), originals);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void rejectsANonPositiveRate() {
    GenerateStreamEvents events = GenerateStreamEvents.of(spec(42, DIRT));
    assertThrows(IllegalArgumentException.class, () -> events.withRate(0));
    assertThrows(IllegalArgumentException.class, () -> events.withLimit(-1));
  }
}
