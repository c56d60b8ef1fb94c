package dev.fakelake.transforms.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The dedupe's set of ids: exact for every form of id, through growth, forgetting and coding. */
class SeenIdsTest {

  private static List<String> uuids(int count, long seed) {
    java.util.Random random = new java.util.Random(seed);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    return ids;
  }

  @Test
  void addsEachIdOnceAcrossGrowth() {
    SeenIds seen = new SeenIds();
    List<String> ids = uuids(10_000, 1);

    ids.forEach(id -> assertTrue(seen.add(id, 5)));

    ids.forEach(id -> assertFalse(seen.add(id, 6)));
    uuids(1_000, 2).forEach(id -> assertTrue(seen.add(id, 7)));
    assertEquals(11_000, seen.size());
  }

  @Test
  void tellsIdsOfOtherFormsFromTheUuidTheyResemble() {
    SeenIds seen = new SeenIds();
    String uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";

    assertTrue(seen.add(uuid, 1));
    assertTrue(seen.add(uuid.toUpperCase(java.util.Locale.ROOT), 1));
    assertTrue(seen.add(uuid.replace("-", ""), 1));
    assertTrue(seen.add("{" + uuid.substring(1) + "}", 1));
    assertTrue(seen.add("p1", 1));

    assertFalse(seen.add(uuid, 2));
    assertFalse(seen.add(uuid.toUpperCase(java.util.Locale.ROOT), 2));
    assertFalse(seen.add("p1", 2));
    assertEquals(5, seen.size());
  }

  @Test
  void forgetsTheIdsFirstSeenUpToTheCutoffAndTellsTheOldestKept() {
    SeenIds seen = new SeenIds();
    List<String> ids = uuids(1_000, 3);
    for (int i = 0; i < ids.size(); i++) {
      seen.add(ids.get(i), i);
    }
    seen.add("early", 10);
    seen.add("late", 900);

    long oldestKept = seen.forgetUpTo(499);

    assertEquals(500, oldestKept);
    assertEquals(501, seen.size());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(i < 500, seen.add(ids.get(i), 2_000), ids.get(i));
    }
    assertTrue(seen.add("early", 2_000));
    assertFalse(seen.add("late", 2_000));
    assertEquals(Long.MAX_VALUE, new SeenIds().forgetUpTo(0));
  }

  @Test
  void decodesToTheSameIdsWithTheirFirstArrivals() throws Exception {
    SeenIds seen = new SeenIds();
    List<String> ids = uuids(100, 4);
    for (int i = 0; i < ids.size(); i++) {
      seen.add(ids.get(i), 1_000 + i);
    }
    seen.add("other", 5);

    SeenIds decoded = CoderUtils.clone(SeenIds.coder(), seen);

    assertEquals(101, decoded.size());
    ids.forEach(id -> assertFalse(decoded.add(id, 0)));
    assertFalse(decoded.add("other", 0));
    assertEquals(1_050, decoded.forgetUpTo(1_049));
    assertEquals(50, decoded.size());
  }
}
