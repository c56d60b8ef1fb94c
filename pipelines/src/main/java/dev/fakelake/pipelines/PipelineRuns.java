package dev.fakelake.pipelines;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Runs a pipeline the way its caller needs: to the end when a command runs it, so that the command
 * can report what the job did, and only submitted when a Dataflow flex template launch runs the
 * pipeline's {@code main}.
 *
 * <p>A flex template launcher runs {@code main} with {@code --templateLocation}: {@code
 * pipeline.run()} then only writes the job to that file for the launcher to start, and returns a
 * result that cannot be waited on nor asked for its state or metrics (Beam's {@code
 * DataflowTemplateJob} throws). So under a launch, {@code main} must return once the job is
 * written, run no second pipeline (it would overwrite the job file), and leave every step that has
 * to follow the job's writes to the job itself.
 */
public final class PipelineRuns {

  /**
   * Dataflow's {@code templateLocation}, read by its name so that the pipelines need not depend on
   * the Dataflow runner: the same property as {@code DataflowPipelineOptions}'s.
   */
  public interface TemplateLocationOptions extends PipelineOptions {
    @Description("Where the runner should generate a template file.")
    String getTemplateLocation();

    void setTemplateLocation(String value);
  }

  private PipelineRuns() {}

  /** Whether the runner only writes the job to a file for a template launcher to submit. */
  static boolean isTemplateLaunch(PipelineOptions options) {
    String location = options.as(TemplateLocationOptions.class).getTemplateLocation();
    return location != null && !location.isEmpty();
  }

  /**
   * Runs the pipeline: waits until it finishes, or under a template launch, returns as soon as the
   * job is written, with a result that must not be used.
   *
   * @throws IllegalStateException when the job failed or was cancelled
   */
  static PipelineResult run(Pipeline pipeline) {
    PipelineResult result = pipeline.run();
    if (isTemplateLaunch(pipeline.getOptions())) {
      return result;
    }
    PipelineResult.State state = result.waitUntilFinish();
    if (state == PipelineResult.State.FAILED || state == PipelineResult.State.CANCELLED) {
      throw new IllegalStateException("the job ended " + state);
    }
    return result;
  }

  /** What a pipeline's {@code main} prints under a template launch, once the job is written. */
  static String submitted(String command, PipelineOptions options) {
    return command
        + ": the job is written to "
        + options.as(TemplateLocationOptions.class).getTemplateLocation()
        + " for the template launcher to start; it reports in its own logs and metrics\n";
  }
}
