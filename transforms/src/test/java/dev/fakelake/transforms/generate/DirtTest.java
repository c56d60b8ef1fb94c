package dev.fakelake.transforms.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirtTest {

  private static final int RECORDS = 20_000;
  private static final double RATE = 0.05;
  private final ObjectMapper mapper = new ObjectMapper();

  /** Generates pageview lines with dirt, collecting the truth. */
  private static List<String> pageviewLines(GenerationSpec spec, List<Defect> truth)
      throws Exception {
    return ExpectedLines.of(spec, Entity.PAGEVIEWS, truth);
  }

  private static GenerationSpec specWithRate(double rate) {
    GenerationSpec.Builder builder = GenerationSpec.defaults(0.1);
    for (DefectKind kind : DefectKind.values()) {
      builder.rate(kind, rate);
    }
    return builder.count(Entity.PAGEVIEWS, RECORDS).build();
  }

  @Test
  void eachKindOfDirtComesAtItsRate() throws Exception {
    List<Defect> truth = new ArrayList<>();
    pageviewLines(specWithRate(RATE), truth);
    Map<String, Integer> perKind = new HashMap<>();
    truth.forEach(d -> perKind.merge(d.getDefect(), 1, Integer::sum));

    // Malformed records take no other dirt, so the other kinds come at RATE * (1 - RATE).
    for (DefectKind kind :
        List.of(
            DefectKind.MALFORMED,
            DefectKind.DUPLICATE,
            DefectKind.MISSING_FIELD,
            DefectKind.WRONG_TYPE,
            DefectKind.LATENCY_OUTLIER,
            DefectKind.LATE_EVENT)) {
      double share = perKind.getOrDefault(kind.label(), 0) / (double) RECORDS;
      assertTrue(share > RATE * 0.8 && share < RATE * 1.2, kind + " came at " + share);
    }
  }

  @Test
  void theTruthNamesEveryDefectInTheLines() throws Exception {
    List<Defect> truth = new ArrayList<>();
    List<String> lines = pageviewLines(specWithRate(RATE), truth);
    Set<String> truthKeys = new HashSet<>();
    truth.forEach(d -> truthKeys.add(d.getDefect() + "/" + d.getKey()));
    Map<String, Integer> seen = new HashMap<>();
    int malformed = 0;

    for (String line : lines) {
      JsonNode json;
      try {
        json = mapper.readTree(line);
      } catch (Exception e) {
        malformed++;
        continue;
      }
      String key = json.get("event_id").asText();
      if (seen.merge(key, 1, Integer::sum) > 1) {
        assertTrue(truthKeys.contains("duplicate/" + key), "untold duplicate " + key);
      }
      if (json.get("client_ip").asText().isEmpty() || !json.has("user_agent")) {
        assertTrue(truthKeys.contains("missing_field/" + key), "untold missing field " + key);
      }
      if (!json.get("latency_ms").isInt()) {
        assertTrue(truthKeys.contains("wrong_type/" + key), "untold wrong type " + key);
      } else if (json.get("latency_ms").asInt() > 3_000) {
        assertTrue(truthKeys.contains("latency_outlier/" + key), "untold outlier " + key);
      }
    }
    long malformedTruth = truth.stream().filter(d -> d.getDefect().equals("malformed")).count();
    long malformedDuplicates =
        truth.stream()
            .filter(d -> d.getDefect().equals("duplicate"))
            .filter(d -> truthKeys.contains("malformed/" + d.getKey()))
            .count();
    assertEquals(malformedTruth + malformedDuplicates, malformed);
  }

  @Test
  void aMalformedLineDoesNotParseButStillShowsItsKey() throws Exception {
    List<Defect> truth = new ArrayList<>();
    List<String> lines = pageviewLines(specWithRate(RATE), truth);
    Defect defect =
        truth.stream().filter(d -> d.getDefect().equals("malformed")).findFirst().orElseThrow();
    String line = lines.stream().filter(l -> l.contains(defect.getKey())).findFirst().orElseThrow();

    assertThrows(Exception.class, () -> mapper.readTree(line));
  }

  @Test
  void zeroRatesGiveCleanData() throws Exception {
    List<Defect> truth = new ArrayList<>();
    List<String> lines = pageviewLines(specWithRate(0), truth);

    assertEquals(0, truth.size());
    assertEquals(RECORDS, lines.size());
    for (String line : lines) {
      mapper.readTree(line);
    }
  }
}
