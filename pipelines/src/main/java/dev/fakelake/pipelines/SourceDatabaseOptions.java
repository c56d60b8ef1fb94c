package dev.fakelake.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the source PostgreSQL database is: an embedded one in the lake, or a JDBC URL. */
public interface SourceDatabaseOptions extends PipelineOptions {

  @Description("JDBC URL of the source PostgreSQL; empty starts an embedded one in the lake.")
  @Default.String("")
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("User of the source database given by --jdbcUrl.")
  @Default.String("postgres")
  String getJdbcUser();

  void setJdbcUser(String value);

  @Description("Password of the source database given by --jdbcUrl.")
  @Default.String("")
  String getJdbcPassword();

  void setJdbcPassword(String value);
}
