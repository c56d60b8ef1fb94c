package dev.fakelake.transforms.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Event ids as UUID bits: only the canonical form, and back to the same string. */
class EventIdsTest {

  @Test
  void recognisesOnlyTheCanonicalUuidForm() {
    assertTrue(EventIds.isCanonicalUuid(UUID.randomUUID().toString()));
    assertFalse(EventIds.isCanonicalUuid("0F8FAD5B-D9CB-469F-A165-70867728950E"));
    assertFalse(EventIds.isCanonicalUuid("0f8fad5b-d9cb-469f-a165-70867728950"));
    assertFalse(EventIds.isCanonicalUuid("0f8fad5b+d9cb-469f-a165-70867728950e"));
    assertFalse(EventIds.isCanonicalUuid("0f8fad5g-d9cb-469f-a165-70867728950e"));
  }

  @Test
  void writesTheBitsOfACanonicalIdBackAsTheSameId() {
    Random random = new Random(7);
    for (int i = 0; i < 1_000; i++) {
      UUID uuid = new UUID(random.nextLong(), random.nextLong());
      String id = uuid.toString();

      assertEquals(uuid.getMostSignificantBits(), EventIds.high(id));
      assertEquals(uuid.getLeastSignificantBits(), EventIds.low(id));
      assertEquals(id, EventIds.of(EventIds.high(id), EventIds.low(id)));
    }
  }
}
