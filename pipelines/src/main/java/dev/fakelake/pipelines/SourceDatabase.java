package dev.fakelake.pipelines;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.apache.beam.sdk.io.jdbc.JdbcIO;

/**
 * The relational source system: a PostgreSQL server given by JDBC URL, or, by default, an embedded
 * PostgreSQL (real binaries from Maven Central) whose data directory lives in the lake folder, so
 * that every command sees the same database. Closing it stops the embedded server.
 */
public final class SourceDatabase implements AutoCloseable {

  private final String url;
  private final String user;
  private final String password;
  private final EmbeddedPostgres embedded;

  private SourceDatabase(String url, String user, String password, EmbeddedPostgres embedded) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
  }

  /** Connects to {@code url}, failing with a clear message when the server cannot be reached. */
  public static SourceDatabase connect(String url, String user, String password) {
    SourceDatabase database = new SourceDatabase(url, user, password, null);
    database.check();
    return database;
  }

  /** The database the options name: {@code --jdbcUrl}, or an embedded one in the lake. */
  public static SourceDatabase open(SourceDatabaseOptions options, String lake) {
    return options.getJdbcUrl().isEmpty()
        ? startEmbedded(lake)
        : connect(options.getJdbcUrl(), options.getJdbcUser(), options.getJdbcPassword());
  }

  /** Starts an embedded PostgreSQL whose data lives in {@code lake/postgres}. */
  public static SourceDatabase startEmbedded(String lake) {
    Path dataDirectory = Path.of(lake, "postgres").toAbsolutePath();
    try {
      Files.createDirectories(dataDirectory);
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .start();
      String url = postgres.getJdbcUrl("postgres", "postgres");
      SourceDatabase database = new SourceDatabase(url, "postgres", "", postgres);
      database.check();
      return database;
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start the embedded PostgreSQL in "
              + dataDirectory
              + ": "
              + e.getMessage()
              + ". Is another fakelake command using this lake? Or pass --jdbcUrl=...",
          e);
    }
  }

  public String url() {
    return url;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  public JdbcIO.DataSourceConfiguration dataSource() {
    JdbcIO.DataSourceConfiguration config =
        JdbcIO.DataSourceConfiguration.create("org.postgresql.Driver", url).withUsername(user);
    return password.isEmpty() ? config : config.withPassword(password);
  }

  public Connection open() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /** Runs statements in one transaction. */
  public void execute(String... statements) {
    try (Connection connection = open()) {
      connection.setAutoCommit(false);
      try (var statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("SQL on " + url + " failed: " + e.getMessage(), e);
    }
  }

  private void check() {
    try (Connection connection = open()) {
      connection.isValid(5);
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "Cannot reach the source database at " + url + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot stop the embedded PostgreSQL", e);
      }
    }
  }
}
