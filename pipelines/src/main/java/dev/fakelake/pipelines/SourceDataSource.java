package dev.fakelake.pipelines;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.display.HasDisplayData;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The source database as the steps of a job reach it: JdbcIO's data source provider function,
 * holding the JDBC URL, the user and the {@link DatabasePassword}. A password kept in Secret
 * Manager is read on the worker, when the worker first needs a connection, so that the job's
 * serialized steps hold the secret's name and never the password, as a {@link
 * JdbcIO.DataSourceConfiguration} would.
 */
public final class SourceDataSource
    implements SerializableFunction<Void, DataSource>, HasDisplayData {

  private static final long serialVersionUID = 1L;

  private static final String DRIVER = "org.postgresql.Driver";

  /**
   * One connection pool per database and JVM, shared by the DoFn instances of every step, as
   * JdbcIO's own provider does; the secret is read once, when the pool is made.
   */
  private static final ConcurrentMap<SourceDataSource, DataSource> POOLS =
      new ConcurrentHashMap<>();

  private final String url;
  private final String user;
  private final DatabasePassword password;

  SourceDataSource(String url, String user, DatabasePassword password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  @Override
  public DataSource apply(Void input) {
    return POOLS.computeIfAbsent(this, SourceDataSource::pool);
  }

  private DataSource pool() {
    JdbcIO.DataSourceConfiguration config =
        JdbcIO.DataSourceConfiguration.create(DRIVER, url).withUsername(user);
    String value = password.value();
    return (value.isEmpty() ? config : config.withPassword(value)).buildDatasource();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    builder
        .add(DisplayData.item("jdbcUrl", url))
        .add(DisplayData.item("username", user))
        .addIfNotNull(DisplayData.item("passwordSecret", password.secretVersion()));
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof SourceDataSource that
        && url.equals(that.url)
        && user.equals(that.user)
        && password.equals(that.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(url, user, password);
  }

  @Override
  public String toString() {
    return "SourceDataSource{" + url + ", " + user + ", " + password + "}";
  }
}
