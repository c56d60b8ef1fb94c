package dev.fakelake.transforms.generate;

import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import java.util.List;
import org.apache.beam.sdk.testing.CoderProperties;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** The generator's events survive their coder, with and without ground truth. */
class StreamEventCoderTest {

  @Test
  void anEventDecodesAsItWasEncoded() throws Exception {
    StreamEventCoder coder = StreamEventCoder.of();
    CoderProperties.coderDecodeEncodeEqual(
        coder,
        StreamEvent.of(
            42,
            "pageviews",
            "7",
            "{\"event_id\":\"a\"}",
            Instant.parse("2026-11-22T10:00:00Z"),
            List.of(),
            false));
    CoderProperties.coderDecodeEncodeEqual(
        coder,
        StreamEvent.of(
            43,
            "ratings",
            "8",
            "{\"event_id\":\"b\"",
            Instant.parse("2026-11-22T10:00:01.5Z"),
            List.of(
                Defect.of(Entity.RATINGS, "b", DefectKind.MALFORMED),
                Defect.of(Entity.RATINGS, "b", DefectKind.DUPLICATE, "event_id")),
            true));
  }
}
