package dev.fakelake.pipelines;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Once a write has finished, removes the files matching a glob that it did not write: what is left
 * of an earlier run of a table that each run rebuilds, e.g. shards of a different count. The input
 * is the write's output file names ({@code WriteFilesResult}); the output is the glob, once the
 * files are removed.
 *
 * <p>Doing this after the write, in the job, rather than emptying the folder before the job, means
 * that a job that never runs (a failed launch) removes nothing, and a job that fails before its
 * write finishes leaves the previous files next to its temporary ones.
 *
 * <pre>{@code
 * written.getPerDestinationOutputFilenames().apply(Values.create())
 *     .apply("RemoveStaleSilverOrdersFiles", RemoveStaleFiles.matching(lake + "/silver/orders/*"));
 * }</pre>
 */
final class RemoveStaleFiles extends PTransform<PCollection<String>, PCollection<String>> {

  private final String glob;

  private RemoveStaleFiles(String glob) {
    this.glob = glob;
  }

  static RemoveStaleFiles matching(String glob) {
    return new RemoveStaleFiles(glob);
  }

  @Override
  public PCollection<String> expand(PCollection<String> written) {
    PCollectionView<List<String>> writtenFiles = written.apply("CollectWritten", View.asList());
    return written
        .getPipeline()
        .apply("Glob", Create.of(glob))
        .apply("Remove", ParDo.of(new RemoveFn(writtenFiles)).withSideInputs(writtenFiles));
  }

  private static class RemoveFn extends DoFn<String, String> {
    private final PCollectionView<List<String>> writtenFiles;

    RemoveFn(PCollectionView<List<String>> writtenFiles) {
      this.writtenFiles = writtenFiles;
    }

    @ProcessElement
    public void process(@Element String glob, ProcessContext context) {
      Set<String> keep = new HashSet<>();
      for (String file : context.sideInput(writtenFiles)) {
        keep.add(normalized(file));
      }
      LakeFiles.delete(
          LakeFiles.match(glob).stream().filter(file -> !keep.contains(normalized(file))).toList());
      context.output(glob);
    }

    private static String normalized(String path) {
      return FileSystems.matchNewResource(path, false).toString();
    }
  }
}
