package dev.fakelake.pipelines;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relational source system: a PostgreSQL server given by JDBC URL, or, by default, an embedded
 * PostgreSQL (real binaries from Maven Central) whose data directory lives in the lake folder, so
 * that every command sees the same database. Closing it stops the embedded server.
 *
 * <p>The password may live in Secret Manager ({@code --jdbcPasswordSecret}): this machine reads it
 * only when it connects itself, and a job's steps reach the database through {@link #dataSource()},
 * which reads it on the workers.
 */
public final class SourceDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SourceDatabase.class);

  /** The file the embedded PostgreSQL's owner locks while the server runs. */
  private static final String LOCK_FILE = "epg-lock";

  private final String url;
  private final String user;
  private final DatabasePassword password;
  private final @Nullable EmbeddedPostgres embedded;

  /** The password, once this machine has connected: read from Secret Manager at most once. */
  private @Nullable String passwordValue;

  private SourceDatabase(
      String url, String user, DatabasePassword password, @Nullable EmbeddedPostgres embedded) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
  }

  /** Connects to {@code url}, failing with a clear message when the server cannot be reached. */
  public static SourceDatabase connect(String url, String user, String password) {
    return connect(url, user, DatabasePassword.given(password));
  }

  static SourceDatabase connect(String url, String user, DatabasePassword password) {
    SourceDatabase database = new SourceDatabase(url, user, password, null);
    database.check();
    return database;
  }

  /**
   * The database at {@code url}, not contacted here, and its password not read: for building the
   * graph of a job whose workers reach a database that this machine cannot (the Dataflow job graph
   * test builds the Cloud SQL graphs offline).
   */
  static SourceDatabase unreached(String url, String user, DatabasePassword password) {
    return new SourceDatabase(url, user, password, null);
  }

  /**
   * The database the options name: {@code --jdbcUrl}, or an embedded one in the lake. Fails when
   * the password options contradict each other.
   */
  public static SourceDatabase open(SourceDatabaseOptions options, String lake) {
    DatabasePassword password = DatabasePassword.of(options);
    if (options.getJdbcUrl().isEmpty() && !password.equals(DatabasePassword.given(""))) {
      throw new IllegalArgumentException(
          "--jdbcPassword and --jdbcPasswordSecret are for the server --jdbcUrl names; without"
              + " --jdbcUrl the lake's embedded PostgreSQL is used, which needs neither");
    }
    return options.getJdbcUrl().isEmpty()
        ? startEmbedded(lake)
        : connect(options.getJdbcUrl(), options.getJdbcUser(), password);
  }

  /**
   * Starts an embedded PostgreSQL whose data lives in {@code lake/postgres}, first stopping a
   * server that a killed command left running there.
   */
  public static SourceDatabase startEmbedded(String lake) {
    Path dataDirectory = Path.of(lake, "postgres").toAbsolutePath();
    try {
      Files.createDirectories(dataDirectory);
      stopLeftoverServer(dataDirectory);
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .start();
      String url = postgres.getJdbcUrl("postgres", "postgres");
      SourceDatabase database =
          new SourceDatabase(url, "postgres", DatabasePassword.given(""), postgres);
      database.check();
      return database;
    } catch (IOException | IllegalStateException e) {
      // The embedded server says "could not lock" when another command holds the data directory.
      throw new IllegalStateException(
          "Cannot start the embedded PostgreSQL in "
              + dataDirectory
              + ": "
              + e.getMessage()
              + ". Is another fakelake command using this lake? Or pass --jdbcUrl=...",
          e);
    }
  }

  /**
   * Stops a server that a killed command left running on {@code dataDirectory}. The embedded server
   * is a process of its own: when the JVM that started it is killed, it keeps running and holding
   * the data directory, and no later command could start one. The embedded server's owner holds a
   * lock on {@code epg-lock} in the data directory while it runs, so a server whose lock is free
   * has no owner left; a server that a live command uses is never touched. A {@code postmaster.pid}
   * naming a process that is gone, or is not PostgreSQL, is removed.
   */
  static void stopLeftoverServer(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    try (FileChannel channel =
            FileChannel.open(
                dataDirectory.resolve(LOCK_FILE),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        return;
      }
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
        return;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(lines.get(0).strip()));
      Optional<String> command = process.flatMap(p -> p.info().command());
      if (process.isEmpty() || !process.get().isAlive()) {
        Files.deleteIfExists(pidFile);
      } else if (command.isPresent() && isPostgres(command.get())) {
        LOG.warn(
            "Stopping the PostgreSQL server (pid {}) that an interrupted command left running on {}",
            process.get().pid(),
            dataDirectory);
        // SIGTERM is a smart shutdown, which waits for the sessions: they died with their command.
        process.get().destroy();
        try {
          process.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          process.get().destroyForcibly();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("Interrupted while stopping a leftover PostgreSQL server", e);
        } catch (ExecutionException e) {
          throw new IOException("Cannot stop the leftover PostgreSQL server", e);
        }
      } else if (command.isPresent()) {
        Files.deleteIfExists(pidFile);
      }
    } catch (OverlappingFileLockException e) {
      // This JVM runs a server on this directory: it is no leftover.
    }
  }

  private static boolean isPostgres(String command) {
    Path program = Path.of(command).getFileName();
    return program != null && program.toString().matches("postgres(\\.exe)?");
  }

  public String url() {
    return url;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  /**
   * The database as a job's steps reach it (JdbcIO's data source provider): a password kept in
   * Secret Manager is read on the workers, and is not part of the job.
   */
  public SourceDataSource dataSource() {
    return new SourceDataSource(url, user, password);
  }

  /** A connection from this machine, e.g. a launcher's, reading the password first if needed. */
  public Connection open() throws SQLException {
    return DriverManager.getConnection(url, user, passwordValue());
  }

  private synchronized String passwordValue() {
    if (passwordValue == null) {
      passwordValue = password.value();
    }
    return passwordValue;
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
