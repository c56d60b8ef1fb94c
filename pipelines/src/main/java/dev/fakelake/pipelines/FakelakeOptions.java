package dev.fakelake.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options every fakelake command accepts. */
public interface FakelakeOptions extends PipelineOptions {

  @Description("The lake: a local folder or any Beam file system path, e.g. gs://bucket/lake.")
  @Default.String("./fakelake-data")
  String getLake();

  void setLake(String value);

  @Description("Seed of the synthetic data set: the same seed gives the same data.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("Volume factor applied to every entity's default count (0 < scale <= 10000).")
  @Default.Double(1.0)
  double getScale();

  void setScale(double value);

  @Description("Datafaker locale of names, addresses and cities, e.g. cs, de-AT, en-US.")
  @Default.String("cs")
  String getLocale();

  void setLocale(String value);
}
