package dev.fakelake.transforms.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.io.JsonRecords;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;

/** The landing lines of an entity computed by a plain loop, to hold pipelines against. */
final class ExpectedLines {

  private ExpectedLines() {}

  static List<String> of(GenerationSpec spec, Entity entity, List<Defect> truth) throws Exception {
    RecordFactory factory = new RecordFactory(spec);
    Dirt dirt = new Dirt(spec);
    ObjectMapper mapper = new ObjectMapper();
    @SuppressWarnings("unchecked")
    SerializableFunction<Object, Row> toRow =
        (SerializableFunction<Object, Row>) JsonRecords.toRowFunction(entity.recordClass());
    List<String> lines = new ArrayList<>();
    for (long i = 0; i < spec.count(entity); i++) {
      ObjectNode json = JsonRecords.toJson(toRow.apply(factory.record(entity, i)), mapper);
      Dirt.Lines result = dirt.apply(entity, i, json, truth::add);
      lines.add(result.line());
      if (result.duplicated()) {
        lines.add(result.line());
      }
    }
    return lines;
  }
}
