package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The stream benchmark's users grow with the rate, unless given. */
class StreamBenchTest {

  private static long users(double scale, double rate, String... args) {
    PipelineOptionsFactory.register(Bench.Options.class);
    Bench.Options options = PipelineOptionsFactory.fromArgs(args).as(Bench.Options.class);
    return StreamBench.users(options, args, scale, rate);
  }

  @Test
  void aUserSendsAboutOneEventEveryTenSecondsAtTheRate() {
    assertEquals(200_000, users(0.1, 20_000));
    assertEquals(50_000, users(0.1, 5_000));
  }

  @Test
  void neverFewerUsersThanTheCustomersAtTheScale() {
    assertEquals(20_000, users(10, 100));
  }

  @Test
  void givenCustomersAreTheUsers() {
    assertEquals(1_234, users(0.1, 20_000, "--customers=1234"));
    assertThrows(IllegalArgumentException.class, () -> users(0.1, 20_000, "--customers=0"));
  }
}
