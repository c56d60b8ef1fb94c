package dev.fakelake.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where the source PostgreSQL database is: an embedded one in the lake, or a JDBC URL, with its
 * password given either as such (a local or self-hosted server) or as a Secret Manager secret
 * version (on Google Cloud), so that the password is never a job option there.
 */
public interface SourceDatabaseOptions extends PipelineOptions {

  @Description("JDBC URL of the source PostgreSQL; empty starts an embedded one in the lake.")
  @Default.String("")
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("User of the source database given by --jdbcUrl.")
  @Default.String("postgres")
  String getJdbcUser();

  void setJdbcUser(String value);

  // Not a flex template parameter: every job option is visible in the Dataflow console, so on
  // Google Cloud the password comes from --jdbcPasswordSecret.
  @Hidden
  @Description(
      "Password of the source database given by --jdbcUrl, for a local or self-hosted server;"
          + " on Google Cloud use --jdbcPasswordSecret.")
  @Default.String("")
  String getJdbcPassword();

  void setJdbcPassword(String value);

  @Description(
      "Secret Manager secret version holding the password of the source database given by"
          + " --jdbcUrl: projects/PROJECT/secrets/SECRET/versions/VERSION, VERSION a number or"
          + " latest. The launcher and the workers read it, so the password is no job option."
          + " Not together with --jdbcPassword.")
  @Default.String("")
  String getJdbcPasswordSecret();

  void setJdbcPasswordSecret(String value);
}
