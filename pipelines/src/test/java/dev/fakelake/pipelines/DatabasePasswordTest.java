package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The password options: given as such, or as a Secret Manager secret version read on demand. */
class DatabasePasswordTest {

  private static final String SECRET = "projects/fakelake-demo/secrets/db-password/versions/latest";

  private static SourceDatabaseOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(SourceDatabaseOptions.class);
  }

  @Test
  void withoutPasswordOptionsThePasswordIsEmpty() {
    DatabasePassword password = DatabasePassword.of(options());

    assertEquals("", password.value());
    assertNull(password.secretVersion());
  }

  @Test
  void jdbcPasswordIsThePasswordItself() {
    DatabasePassword password = DatabasePassword.of(options("--jdbcPassword=local-only"));

    assertEquals("local-only", password.value());
    assertNull(password.secretVersion());
  }

  @Test
  void bothPasswordOptionsAreAClearError() {
    SourceDatabaseOptions options =
        options("--jdbcPassword=local-only", "--jdbcPasswordSecret=" + SECRET);

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> DatabasePassword.of(options));

    assertTrue(
        error.getMessage().contains("--jdbcPassword")
            && error.getMessage().contains("--jdbcPasswordSecret")
            && error.getMessage().contains("not both"),
        error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db-password",
        "projects/p/secrets/db-password",
        "projects/p/secrets/db-password/versions/",
        "projects/p/secrets/db-password/versions/1/extra",
        "projects//secrets/db-password/versions/1",
        "projects/p/secrets/db password/versions/1",
        "secrets/db-password/versions/latest"
      })
  void aMalformedSecretVersionNameIsAClearError(String name) {
    SourceDatabaseOptions options = options("--jdbcPasswordSecret=" + name);

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> DatabasePassword.of(options));

    assertTrue(
        error.getMessage().startsWith("--jdbcPasswordSecret must name a Secret Manager secret")
            && error.getMessage().contains(name),
        error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "projects/fakelake-demo/secrets/db-password/versions/latest",
        "projects/123456789/secrets/fakelake_source-db-password/versions/3"
      })
  void aSecretVersionIsAcceptedByNumberOrLatest(String name) {
    DatabasePassword password =
        DatabasePassword.of(options("--jdbcPasswordSecret=" + name), version -> "unused");

    assertEquals(name, password.secretVersion());
  }

  @Test
  void theSecretIsReadOnlyWhenThePasswordIsAskedFor() {
    AtomicInteger reads = new AtomicInteger();
    List<String> asked = new ArrayList<>();
    DatabasePassword password =
        DatabasePassword.of(
            options("--jdbcPasswordSecret=" + SECRET),
            version -> {
              reads.incrementAndGet();
              asked.add(version);
              return "from-secret-manager";
            });

    assertEquals(0, reads.get());
    assertEquals("from-secret-manager", password.value());
    assertEquals(List.of(SECRET), asked);
  }

  @Test
  void itsTextNeverShowsThePassword() {
    String given = DatabasePassword.given("local-only").toString();
    String secret =
        DatabasePassword.of(options("--jdbcPasswordSecret=" + SECRET), v -> "from-secret-manager")
            .toString();

    assertFalse(given.contains("local-only"), given);
    assertFalse(secret.contains("from-secret-manager"), secret);
    assertTrue(secret.contains(SECRET), secret);
  }
}
