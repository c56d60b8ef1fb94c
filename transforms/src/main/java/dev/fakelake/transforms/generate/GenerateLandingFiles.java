package dev.fakelake.transforms.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.DefectKind;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.SourceKind;
import dev.fakelake.transforms.io.JsonRecords;
import dev.fakelake.transforms.io.LandingFiles;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Generates records {@code [from, to)} of one entity into landing files and returns the ground
 * truth of the dirt injected into them.
 *
 * <p>Records are generated in blocks. Each block becomes one JSON Lines file named after the block
 * ({@code PREFIX-00003.jsonl}), or, for {@link SourceKind#JSON_PER_FILE} entities, one JSON file
 * per record ({@code product-000042.json}). Files are a pure function of the spec, so a retried
 * block rewrites the same bytes, and every runner at every parallelism lands the same files.
 */
public class GenerateLandingFiles extends PTransform<PBegin, PCollection<Defect>> {

  /** Records per JSON Lines file: large enough to amortise, small enough to spread over workers. */
  public static final long RECORDS_PER_FILE = 20_000;

  private static final long FILES_PER_BLOCK = 500;

  private final GenerationSpec spec;
  private final Entity entity;
  private final long from;
  private final long to;
  private final String folder;
  private final String prefix;
  private final @Nullable PCollection<?> after;

  private GenerateLandingFiles(
      GenerationSpec spec,
      Entity entity,
      long from,
      long to,
      String folder,
      String prefix,
      @Nullable PCollection<?> after) {
    this.spec = spec;
    this.entity = entity;
    this.from = from;
    this.to = to;
    this.folder = folder;
    this.prefix = prefix;
    this.after = after;
  }

  /** All records of {@code entity} into {@code folder}, files named {@code <entity>-NNNNN}. */
  public static GenerateLandingFiles of(GenerationSpec spec, Entity entity, String folder) {
    return new GenerateLandingFiles(
        spec, entity, 0, spec.count(entity), folder, entity.tableName(), null);
  }

  /** Records {@code [from, to)} into files named {@code <prefix>-NNNNN}, e.g. one batch. */
  public static GenerateLandingFiles range(
      GenerationSpec spec, Entity entity, long from, long to, String folder, String prefix) {
    return new GenerateLandingFiles(spec, entity, from, to, folder, prefix, null);
  }

  /**
   * Writes no file before {@code signal} is complete, e.g. until a step has removed the files of an
   * earlier run.
   */
  public GenerateLandingFiles after(PCollection<?> signal) {
    return new GenerateLandingFiles(spec, entity, from, to, folder, prefix, signal);
  }

  @Override
  public PCollection<Defect> expand(PBegin input) {
    long perBlock =
        entity.sourceKind() == SourceKind.JSON_PER_FILE ? FILES_PER_BLOCK : RECORDS_PER_FILE;
    long blocks = (to - from + perBlock - 1) / perBlock;
    PCollection<Long> numbers = input.apply("Blocks", GenerateSequence.from(0).to(blocks));
    if (after != null) {
      numbers = numbers.apply("WaitForSignal", Wait.on(after));
    }
    return numbers
        // Keyed by block number so each block is its own unit of work on every runner.
        .apply(
            "KeyByBlock", WithKeys.of((Long block) -> block).withKeyType(TypeDescriptors.longs()))
        .apply("SpreadBlocks", Reshuffle.of())
        .apply("DropKeys", Values.create())
        .apply("WriteBlocks", ParDo.of(new WriteBlockFn(this, perBlock)));
  }

  private static class WriteBlockFn extends DoFn<Long, Defect> {
    private final GenerationSpec spec;
    private final Entity entity;
    private final long from;
    private final long to;
    private final long perBlock;
    private final String folder;
    private final String prefix;
    private final Counter records;
    private final Counter lines;
    private final Map<DefectKind, Counter> defects = new EnumMap<>(DefectKind.class);

    // Faker loads YAML and Jackson builds serializers on first use: both are expensive and
    // neither is serializable, so each DoFn instance makes its own in @Setup.
    private transient RecordFactory factory;
    private transient Dirt dirt;
    private transient ObjectMapper mapper;
    private transient SerializableFunction<Object, Row> toRow;

    WriteBlockFn(GenerateLandingFiles transform, long perBlock) {
      this.spec = transform.spec;
      this.entity = transform.entity;
      this.from = transform.from;
      this.to = transform.to;
      this.perBlock = perBlock;
      this.folder = transform.folder;
      this.prefix = transform.prefix;
      this.records = Metrics.counter("generate", "records_" + entity.tableName());
      this.lines = Metrics.counter("generate", "lines_" + entity.tableName());
      for (DefectKind kind : DefectKind.values()) {
        defects.put(kind, Metrics.counter("generate", "defects_" + kind.label()));
      }
    }

    @Setup
    public void setup() throws Exception {
      factory = new RecordFactory(spec);
      dirt = new Dirt(spec);
      mapper = new ObjectMapper();
      @SuppressWarnings("unchecked")
      SerializableFunction<Object, Row> function =
          (SerializableFunction<Object, Row>) JsonRecords.toRowFunction(entity.recordClass());
      toRow = function;
    }

    @ProcessElement
    public void processElement(@Element Long block, OutputReceiver<Defect> truth) {
      long first = from + block * perBlock;
      long last = Math.min(to, first + perBlock);
      if (entity.sourceKind() == SourceKind.JSON_PER_FILE) {
        for (long i = first; i < last; i++) {
          long index = i;
          Dirt.Lines result = dirty(index, truth);
          String name = String.format("%s-%06d.json", prefix.replaceAll("s$", ""), index + 1);
          LandingFiles.write(
              folder, name, out -> out.write(result.line().getBytes(StandardCharsets.UTF_8)));
        }
      } else {
        String name = String.format("%s-%05d.jsonl", prefix, block);
        LandingFiles.write(
            folder,
            name,
            out -> {
              BufferedWriter writer =
                  new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
              for (long i = first; i < last; i++) {
                Dirt.Lines result = dirty(i, truth);
                writer.write(result.line());
                writer.write('\n');
                if (result.duplicated()) {
                  writer.write(result.line());
                  writer.write('\n');
                }
              }
              writer.flush();
            });
      }
      records.inc(last - first);
      LiveProgress.add(entity.tableName(), last - first);
    }

    private Dirt.Lines dirty(long index, OutputReceiver<Defect> truth) {
      ObjectNode json = JsonRecords.toJson(toRow.apply(factory.record(entity, index)), mapper);
      Dirt.Lines result =
          dirt.apply(
              entity,
              index,
              json,
              defect -> {
                defects.get(DefectKind.valueOf(defect.getDefect().toUpperCase(Locale.ROOT))).inc();
                truth.output(defect);
              });
      lines.inc(result.duplicated() ? 2 : 1);
      return result;
    }
  }
}
