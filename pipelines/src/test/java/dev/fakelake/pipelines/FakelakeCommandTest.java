package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FakelakeCommandTest {

  private static String errorOf(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, Fakelake.execute(args), "exit code of " + String.join(" ", args));
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--scale=-1|--scale must be above 0",
        "--scale=100000|--scale must be above 0 and at most 10000",
        "--pageviews=-5|the count of pageviews must be 0 to 1,000,000,000",
        "--duplicateRate=0.9|the duplicate rate must be 0 to 0.5",
        "--locale=klingon|Unknown locale 'klingon'",
        "--startDate=yesterday|--startDate must be a date like 2026-01-01",
        "--entities=unicorns|Unknown entity 'unicorns'",
        "--days=0|days must be 1 to 3660",
        "--noSuchOption=1|noSuchOption",
        "--jdbcPasswordSecret=projects/p/secrets/s/versions/1|are for the server --jdbcUrl names",
        "--jdbcPassword=secret|without --jdbcUrl the lake's embedded PostgreSQL is used",
      })
  void badOptionsAreClearErrors(String option, String message) {
    String error = errorOf("generate", "--lake=target/never-written", option);

    assertTrue(error.contains(message), error);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "stream-generate|--kafkaTopic=a/b|--kafkaTopic must be 1-249 letters",
        "stream-generate|--rate=0|--rate must be above 0",
        "stream-ingest|--kafkaPartitions=0|--kafkaPartitions must be 1 to 1000",
        "stream-ingest|--pubsubSubscription=events|--pubsubSubscription must look like",
        "stream-ingest|--consumerGroup= |--consumerGroup must not be empty",
        "stream-ingest|--allowedLateness=10 minutes|--allowedLateness must be a positive number",
        "stream-ingest|--duration=0s|--duration must be a positive number",
      })
  void badStreamOptionsAreClearErrorsBeforeAnythingStarts(
      String command, String option, String message) {
    String error = errorOf(command, "--lake=target/never-written", option);

    assertTrue(error.contains(message), error);
  }

  @Test
  void anUnknownStageToSkipIsAClearErrorThatListsTheStages() {
    String error = errorOf("run", "--lake=target/never-written", "--skip=stream,frobnicate");

    assertTrue(
        error.contains(
            "--skip: unknown stage 'frobnicate'; the stages are generate, ingest, curate, stream,"
                + " models, train, report"),
        error);
  }

  @Test
  void anUnknownCommandIsAnErrorWithTheUsage() {
    String error = errorOf("frobnicate");

    assertTrue(error.contains("unknown command 'frobnicate'"), error);
    assertTrue(error.contains("Commands:"), error);
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    String help = Fakelake.help("generate");

    for (String option :
        new String[] {"--lake", "--seed", "--scale", "--locale", "--pageviews", "--jdbcUrl"}) {
      assertTrue(help.contains(option), option + " missing from\n" + help);
    }
    assertTrue(help.contains("(default: ./fakelake-data)"), help);
    assertTrue(help.contains("--runner"), help);
  }

  @Test
  void everyCommandAcceptsTheCommonOptions() {
    GeneratePipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--lake=/tmp/x", "--seed=9", "--scale=0.5", "--locale=de", "--runner=FlinkRunner")
            .as(GeneratePipeline.Options.class);

    assertEquals("/tmp/x", options.getLake());
    assertEquals(9, GeneratePipeline.spec(options).seed());
    assertEquals("FlinkRunner", options.getRunner().getSimpleName());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            GeneratePipeline.spec(options.as(GeneratePipeline.Options.class)).toBuilder()
                .setDays(-1)
                .build());
  }
}
