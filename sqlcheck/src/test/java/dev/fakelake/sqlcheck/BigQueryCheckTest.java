package dev.fakelake.sqlcheck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.sqlcheck.BigQueryCheck.Report;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BigQueryCheckTest {

  private static String check(Path compilation, boolean expectOk) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Report report =
        BigQueryCheck.check(compilation, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String output = bytes.toString(StandardCharsets.UTF_8);
    if (expectOk) {
      assertTrue(report.ok(), output);
    } else {
      assertFalse(report.ok(), output);
    }
    return output;
  }

  @Test
  void validProjectPassesAndCountsItsTests() throws IOException {
    String output = check(Fixtures.valid(), true);

    assertTrue(output.contains("0 failed, 0 not analysed"), output);
    assertTrue(output.contains("1 passed, 0 failed"), output);
  }

  @Test
  void brokenProjectFailsListingEveryFailingActionAndTest() throws IOException {
    String output = check(Fixtures.broken(), false);

    assertTrue(output.contains("9 failed, 1 not analysed"), output);
    assertTrue(output.contains("FAIL marts.misspelt_column"), output);
    assertTrue(output.contains("SKIP marts.downstream_of_misspelt"), output);
    assertTrue(output.contains("FAIL order_count_fails"), output);
    assertTrue(output.contains("1 passed, 2 failed"), output);
  }

  @Test
  void missingCompilationIsAClearError(@TempDir Path dir) {
    Path missing = dir.resolve("dataform-bigquery.json");

    IOException error =
        assertThrows(IOException.class, () -> BigQueryCheck.check(missing, System.out));

    assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
  }

  @Test
  void compilationWithDataformErrorsIsRefusedWithThem(@TempDir Path dir) throws IOException {
    Path compilation = dir.resolve("c.json");
    Files.writeString(
        compilation,
        "{\"projectConfig\": {\"warehouse\": \"bigquery\"}, \"graphErrors\": {\"compilationErrors\":"
            + " [{\"fileName\": \"definitions/x.sqlx\", \"message\": \"ref y not found\"}]}}");

    IOException error =
        assertThrows(IOException.class, () -> BigQueryCheck.check(compilation, System.out));

    assertTrue(
        error.getMessage().contains("definitions/x.sqlx: ref y not found"), error.getMessage());
  }

  @Test
  void fileThatIsNotACompilationIsRefused(@TempDir Path dir) throws IOException {
    Path compilation = dir.resolve("c.json");
    Files.writeString(compilation, "{\"tables\": []}");

    IOException error =
        assertThrows(IOException.class, () -> BigQueryCheck.check(compilation, System.out));

    assertTrue(error.getMessage().contains("not a Dataform JSON compilation"), error.getMessage());
  }
}
