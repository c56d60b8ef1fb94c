package dev.fakelake.pipelines;

import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.SourceKind;
import java.util.EnumMap;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;

/** What a generate run produced: records per entity and per source kind, defects per kind. */
final class GenerateSummary {

  private final Map<String, Long> counters;
  private final String lake;

  private GenerateSummary(Map<String, Long> counters, String lake) {
    this.counters = counters;
    this.lake = lake;
  }

  static GenerateSummary of(PipelineResult result, FakelakeOptions options) {
    return new GenerateSummary(PipelineMetrics.counters(result, "generate"), options.getLake());
  }

  long records(Entity entity) {
    return counters.getOrDefault("records_" + entity.tableName(), 0L);
  }

  long totalRecords() {
    long total = 0;
    for (Entity entity : Entity.values()) {
      total += records(entity);
    }
    return total;
  }

  long defects(DefectKind kind) {
    return counters.getOrDefault("defects_" + kind.label(), 0L);
  }

  String render() {
    StringBuilder out = new StringBuilder();
    out.append("Records per entity\n");
    Map<SourceKind, Long> perKind = new EnumMap<>(SourceKind.class);
    for (Entity entity : Entity.values()) {
      long records = records(entity);
      perKind.merge(entity.sourceKind(), records, Long::sum);
      out.append(String.format("  %-14s %,12d  %s%n", entity.tableName(), records, where(entity)));
    }
    out.append("Records per source kind\n");
    perKind.forEach(
        (kind, records) ->
            out.append(String.format("  %-14s %,12d%n", kind.name().toLowerCase(), records)));
    out.append("Injected defects (ground truth in ").append(lake).append("/_truth)\n");
    long total = 0;
    for (DefectKind kind : DefectKind.values()) {
      total += defects(kind);
      out.append(String.format("  %-16s %,10d%n", kind.label(), defects(kind)));
    }
    out.append(String.format("  %-16s %,10d%n", "total", total));
    return out.toString();
  }

  private String where(Entity entity) {
    return switch (entity.sourceKind()) {
      case JDBC_TABLE ->
          "source database, table "
              + (entity == Entity.ORDERS
                  ? GeneratePipeline.ORDERS_TABLE
                  : GeneratePipeline.ORDER_ITEMS_TABLE);
      default -> GeneratePipeline.landingFolder(lake, entity) + "/";
    };
  }
}
