package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;

/**
 * The data source a job's steps reach the source database through: a password kept in Secret
 * Manager is read on the worker, once, and never travels with the serialized steps.
 */
class SourceDataSourceTest {

  private static final String SECRET = "projects/fakelake-demo/secrets/db-password/versions/latest";

  /** What the fake Secret Manager answers: it must never appear in a serialized step. */
  private static final String SENTINEL = "sentinel-password-7f3a9c";

  /**
   * A reader that answers {@link #SENTINEL}; a lambda that captures nothing serializes no value.
   */
  private static final DatabasePassword.SecretReader FAKE_SECRET_MANAGER = version -> SENTINEL;

  private static DatabasePassword secret(DatabasePassword.SecretReader reader) {
    SourceDatabaseOptions options =
        PipelineOptionsFactory.fromArgs("--jdbcPasswordSecret=" + SECRET)
            .as(SourceDatabaseOptions.class);
    return DatabasePassword.of(options, reader);
  }

  /** Java serialization's bytes, uncompressed (Beam's own form is Snappy-compressed). */
  private static String serialized(Serializable value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void theSecretIsReadOnceAndTheDataSourceConnectsWithIt() {
    AtomicInteger reads = new AtomicInteger();
    SourceDataSource provider =
        new SourceDataSource(
            "jdbc:postgresql://10.20.0.3:5432/read-once",
            "fakelake",
            secret(
                version -> {
                  reads.incrementAndGet();
                  return SENTINEL;
                }));

    DataSource first = provider.apply(null);
    DataSource second = provider.apply(null);

    assertSame(first, second);
    assertEquals(1, reads.get());
    BasicDataSource pool = assertInstanceOf(BasicDataSource.class, first);
    assertEquals(SENTINEL, pool.getPassword());
    assertEquals("fakelake", pool.getUsername());
  }

  @Test
  void theSerializedProviderHoldsTheSecretsNameButNotThePassword() {
    String url = "jdbc:postgresql://10.20.0.3:5432/serialized";
    SourceDataSource provider = new SourceDataSource(url, "fakelake", secret(FAKE_SECRET_MANAGER));
    // Read on this "worker" first: what was read must stay in this JVM.
    assertEquals(
        SENTINEL, assertInstanceOf(BasicDataSource.class, provider.apply(null)).getPassword());

    String bytes = serialized(provider);

    assertFalse(bytes.contains(SENTINEL), "the serialized provider holds the password");
    assertTrue(bytes.contains(SECRET) && bytes.contains(url), "it holds the secret's name and URL");
  }

  @Test
  void aDeserializedProviderSharesThePoolOfItsJvm() {
    SourceDataSource provider =
        new SourceDataSource(
            "jdbc:postgresql://10.20.0.3:5432/shared", "fakelake", secret(FAKE_SECRET_MANAGER));

    SourceDataSource copy = SerializableUtils.clone(provider);

    assertEquals(provider, copy);
    assertSame(provider.apply(null), copy.apply(null));
  }

  @Test
  void aGivenPasswordTravelsWithTheJobSoItIsForLocalRunsOnly() {
    SourceDataSource provider =
        new SourceDataSource(
            "jdbc:postgresql://localhost:5432/given",
            "postgres",
            DatabasePassword.given("local-only-password"));

    assertTrue(serialized(provider).contains("local-only-password"));
  }

  @Test
  void itsDisplayDataNamesTheSecretNotThePassword() {
    SourceDataSource provider =
        new SourceDataSource(
            "jdbc:postgresql://10.20.0.3:5432/display", "fakelake", secret(FAKE_SECRET_MANAGER));

    String display = DisplayData.from(provider).toString();

    assertTrue(display.contains(SECRET), display);
    assertFalse(display.contains(SENTINEL), display);
  }
}
