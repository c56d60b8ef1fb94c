package dev.fakelake.pipelines;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The ingest bookkeeping in the lake's ops area: the batch in progress ({@code
 * ops/ingest/pending.json}), one record per committed batch ({@code ops/ingest/committed/}), and
 * from those, which landing files were already ingested and each table's watermark.
 */
final class IngestLedger {

  private final String folder;
  private final List<IngestBatch> committed;

  private IngestLedger(String folder, List<IngestBatch> committed) {
    this.folder = folder;
    this.committed = committed;
  }

  static IngestLedger open(String lake) {
    String folder = folder(lake);
    List<IngestBatch> committed =
        LakeFiles.match(folder + "/committed/*.json").stream()
            .map(path -> IngestBatch.fromJson(LakeFiles.read(path)))
            .toList();
    return new IngestLedger(folder, committed);
  }

  /** The batch a killed run left behind, or null. */
  @Nullable IngestBatch pending() {
    String path = pendingPath();
    return LakeFiles.exists(path) ? IngestBatch.fromJson(LakeFiles.read(path)) : null;
  }

  void begin(IngestBatch batch) {
    LakeFiles.write(pendingPath(), batch.toJson());
  }

  /**
   * Records the batch as committed; from here on its files count as ingested. The ingest job does
   * it once the batch's outputs are written; doing it again is harmless.
   */
  static void commit(String lake, IngestBatch batch) {
    String folder = folder(lake);
    LakeFiles.write(folder + "/committed/" + batch.batchId() + ".json", batch.toJson());
    LakeFiles.delete(List.of(folder + "/pending.json"));
  }

  private static String folder(String lake) {
    return lake + "/ops/ingest";
  }

  /** The committed batch that ingested this exact file (same name, same content), or null. */
  @Nullable String ingestedBy(String source, String path, String fingerprint) {
    String name = LakeFiles.fileName(path);
    for (IngestBatch batch : committed) {
      for (IngestBatch.LandingFile file : batch.files()) {
        if (file.source().equals(source)
            && file.fingerprint().equals(fingerprint)
            && LakeFiles.fileName(file.path()).equals(name)) {
          return batch.batchId();
        }
      }
    }
    return null;
  }

  /** The newest committed watermark of each source table. */
  Map<String, Instant> watermarks() {
    Map<String, Instant> watermarks = new HashMap<>();
    for (IngestBatch batch : committed) {
      for (IngestBatch.TableRange range : batch.tables()) {
        watermarks.merge(range.source(), range.to(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    return watermarks;
  }

  Set<String> committedBatchIds() {
    Set<String> ids = new HashSet<>();
    committed.forEach(batch -> ids.add(batch.batchId()));
    return ids;
  }

  private String pendingPath() {
    return folder + "/pending.json";
  }
}
