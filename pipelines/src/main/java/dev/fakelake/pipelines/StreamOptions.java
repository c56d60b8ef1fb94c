package dev.fakelake.pipelines;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/** Options of the stream commands: which Kafka topic, and how long a run lasts. */
public interface StreamOptions extends PipelineOptions {

  @Description(
      "Kafka bootstrap servers; empty = start the embedded broker under LAKE/_stream/kafka.")
  @Default.String("")
  String getKafkaBootstrap();

  void setKafkaBootstrap(String value);

  @Description("The Kafka topic of both pageviews and ratings.")
  @Default.String("fakelake-events")
  String getKafkaTopic();

  void setKafkaTopic(String value);

  @Description(
      "Partitions of the Kafka topic when a stream command creates it. Beam's Kafka read on Flink"
          + " takes the partitions a reader is given in turns of about 10,000 messages, and the one"
          + " waiting its turn falls behind: with one, stream-ingest's read keeps up.")
  @Default.Integer(1)
  int getKafkaPartitions();

  void setKafkaPartitions(int value);

  @Description(
      "Stop after this many events (stream-generate) or messages read (stream-ingest); 0 = none.")
  @Default.Long(0)
  long getLimit();

  void setLimit(long value);

  @Description("Stop after this long, e.g. 20s, 5m, 1h; none = run until stopped (Ctrl-C).")
  @Nullable String getDuration();

  void setDuration(@Nullable String value);

  /**
   * Parses a duration option: a positive whole number followed by {@code ms}, {@code s}, {@code m}
   * or {@code h}; null or blank gives null.
   *
   * @throws IllegalArgumentException naming the option when the text is not such a duration
   */
  static @Nullable Duration parseDuration(String option, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(
          "--"
              + option
              + " must be a positive number with ms, s, m or h, like 20s or 5m, got '"
              + text
              + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.millis(amount);
      case "s" -> Duration.standardSeconds(amount);
      case "m" -> Duration.standardMinutes(amount);
      default -> Duration.standardHours(amount);
    };
  }
}
