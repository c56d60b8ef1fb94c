package dev.fakelake.pipelines;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.beam.sdk.util.GcpSecret;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The source database's password as a pipeline carries it: the value itself ({@code
 * --jdbcPassword}, for a local or self-hosted server), or the name of the Secret Manager secret
 * version that holds it ({@code --jdbcPasswordSecret}, on Google Cloud), read only where a
 * connection is opened. Serialized, the second form holds the name and never the value.
 */
public final class DatabasePassword implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@code projects/P/secrets/S/versions/V}; V is a version number, {@code latest} or an alias. */
  static final Pattern SECRET_VERSION =
      Pattern.compile("projects/[^/\\s]+/secrets/[A-Za-z0-9_-]+/versions/[A-Za-z0-9_-]+");

  /** Reads the payload of a secret version; serializable, since workers read it themselves. */
  @FunctionalInterface
  interface SecretReader extends Serializable {
    String read(String versionName);
  }

  /** Secret Manager, through Beam's {@link GcpSecret}, with the job's own credentials. */
  static final SecretReader SECRET_MANAGER = DatabasePassword::readFromSecretManager;

  private final @Nullable String value;
  private final @Nullable String secretVersion;
  private final SecretReader reader;

  private DatabasePassword(
      @Nullable String value, @Nullable String secretVersion, SecretReader reader) {
    this.value = value;
    this.secretVersion = secretVersion;
    this.reader = reader;
  }

  /** The password itself; empty for none. */
  public static DatabasePassword given(String value) {
    return new DatabasePassword(value, null, SECRET_MANAGER);
  }

  /** The password the options give, read from Secret Manager when they name a secret version. */
  public static DatabasePassword of(SourceDatabaseOptions options) {
    return of(options, SECRET_MANAGER);
  }

  /**
   * As {@link #of(SourceDatabaseOptions)}, reading a secret with {@code reader}: tests read a fake
   * one. Fails when both options are set, or when the secret version name is malformed.
   */
  static DatabasePassword of(SourceDatabaseOptions options, SecretReader reader) {
    String value = Objects.requireNonNullElse(options.getJdbcPassword(), "");
    String secret = Objects.requireNonNullElse(options.getJdbcPasswordSecret(), "").strip();
    if (secret.isEmpty()) {
      return given(value);
    }
    if (!value.isEmpty()) {
      throw new IllegalArgumentException(
          "Give either --jdbcPassword (the password, for a local or self-hosted database) or"
              + " --jdbcPasswordSecret (the Secret Manager secret version that holds it), not"
              + " both");
    }
    if (!SECRET_VERSION.matcher(secret).matches()) {
      throw new IllegalArgumentException(
          "--jdbcPasswordSecret must name a Secret Manager secret version,"
              + " projects/PROJECT/secrets/SECRET/versions/VERSION with VERSION a number or"
              + " latest, got '"
              + secret
              + "'");
    }
    return new DatabasePassword(null, secret, reader);
  }

  /** The secret version the password is read from, or null when it is given as such. */
  public @Nullable String secretVersion() {
    return secretVersion;
  }

  /** The password: the given one, or the secret version's payload, read now. */
  public String value() {
    return secretVersion == null ? Objects.requireNonNull(value) : reader.read(secretVersion);
  }

  private static String readFromSecretManager(String versionName) {
    try {
      return new String(new GcpSecret(versionName).getSecretBytes(), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Cannot read the source database password from Secret Manager ("
              + versionName
              + "): "
              + e.getMessage()
              + ". The job's service account needs roles/secretmanager.secretAccessor on the"
              + " secret.",
          e);
    }
  }

  /** Equal when given the same value, or the same secret version, whatever reads it. */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof DatabasePassword that
        && Objects.equals(value, that.value)
        && Objects.equals(secretVersion, that.secretVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, secretVersion);
  }

  /** Never the password. */
  @Override
  public String toString() {
    return secretVersion != null
        ? "DatabasePassword{secret=" + secretVersion + "}"
        : "DatabasePassword{given}";
  }
}
