package dev.fakelake.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Reading instants: the usual UTC form digit by digit, every other form through Joda. */
class JsonRecordsTest {

  @Test
  void theUsualUtcFormReadsAsJodaReadsItWithAnyFractionLength() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long millis = random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
      String written = new Instant(millis).toString();
      assertEquals(Instant.parse(written), JsonRecords.parseInstant(written), written);
      String seconds = written.substring(0, 19);
      for (String fraction :
          new String[] {
            "", ".1", ".12", ".1234", ".12345", ".123456", ".1234567", ".12345678", ".123456789"
          }) {
        String text = seconds + fraction + "Z";
        assertEquals(Instant.parse(text), JsonRecords.parseInstant(text), text);
      }
    }
  }

  @Test
  void otherFormsFallBackToTheGeneralParser() {
    assertEquals(
        Instant.parse("2026-11-22T09:05:00Z"),
        JsonRecords.parseInstant("2026-11-22T10:05:00+01:00"));
    assertEquals(
        Instant.parse("2026-11-22T10:05:00Z"), JsonRecords.parseInstant("2026-11-22T10:05Z"));
    assertEquals(Instant.parse("2026-11-22T00:00:00Z"), JsonRecords.parseInstant("2026-11-22"));
  }

  @Test
  void whatIsNoInstantIsRejected() {
    for (String text :
        new String[] {
          "2026-02-30T10:00:00Z",
          "2026-13-01T10:00:00Z",
          "2026-11-22T24:00:00Z",
          "2026-11-22T10:60:00Z",
          "2026-11-22T10:00:00.Z",
          "2026-11-22T10:00:00.1x3Z",
          "2026-11-22T10:00:00.123x5Z",
          "2026-11-22T10:00:00.1234567890Z",
          "2026-11-2xT10:00:00Z",
          "yesterday"
        }) {
      assertThrows(IllegalArgumentException.class, () -> JsonRecords.parseInstant(text), text);
    }
  }
}
