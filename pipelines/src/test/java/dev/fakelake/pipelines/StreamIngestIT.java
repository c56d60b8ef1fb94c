package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * stream-ingest end to end on the embedded broker, on the Direct runner and on Flink's local
 * cluster: a run stopped after part of the topic and a second run resuming from the committed
 * offsets together read every message exactly once, and give the same events and the same counts as
 * one uninterrupted run over the whole topic (a reference consumer group into a second lake).
 */
class StreamIngestIT {

  private static final int EVENTS = 600;

  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner"})
  void aStoppedAndRestartedRunLosesNothingAndCountsNothingTwice(String runner, @TempDir Path temp)
      throws SQLException {
    Path lake = temp.resolve("lake");
    Path reference = temp.resolve("reference");
    long messages;
    String resumedRuns;
    try (EmbeddedKafka kafka =
        EmbeddedKafka.start(StreamTopic.embeddedKafkaDirectory(lake.toString()))) {
      String bootstrap = "--kafkaBootstrap=" + kafka.bootstrapServers();
      // No out-of-order events: whether a rating near the end of its allowed lateness still meets
      // its pageview depends on how far the watermark has moved by then, which differs from run
      // to run (the join's own tests cover lateness); restarts are what this test is about.
      run(
          "stream-generate",
          lake,
          runner,
          bootstrap,
          "--limit=" + EVENTS,
          "--rate=5000",
          "--outOfOrderRate=0");
      messages = sum(StreamTopic.endOffsets(kafka.bootstrapServers(), "fakelake-events"));

      String firstRun = run("stream-ingest", lake, runner, bootstrap, "--limit=" + messages / 3);
      long first = committed(kafka, "fakelake-stream-ingest");
      assertTrue(first > 0 && first < messages, "first run committed " + first);
      resumedRuns =
          firstRun + run("stream-ingest", lake, runner, bootstrap, "--limit=" + (messages - first));
      assertEquals(messages, committed(kafka, "fakelake-stream-ingest"));

      run(
          "stream-ingest",
          reference,
          runner,
          bootstrap,
          "--consumerGroup=reference",
          "--limit=" + messages);
      assertEquals(messages, committed(kafka, "reference"));
    }

    try (Connection resumed = DuckDbWarehouse.open(lake.toString());
        Connection once = DuckDbWarehouse.open(reference.toString())) {
      List<String> events =
          strings(resumed, "SELECT event_id FROM silver.pageviews_enriched ORDER BY event_id");
      assertEquals(new HashSet<>(events).size(), events.size(), "an event was enriched twice");
      List<String> all =
          strings(once, "SELECT event_id FROM silver.pageviews_enriched ORDER BY event_id");
      Set<String> missing = new TreeSet<>(all);
      missing.removeAll(events);
      Set<String> extra = new TreeSet<>(events);
      extra.removeAll(all);
      assertEquals(
          Set.of(), missing, "not enriched after the restart; also extra: " + extra.size());
      assertEquals(Set.of(), extra, "enriched only after the restart");
      assertTrue(events.size() > EVENTS / 2, "only " + events.size() + " pageviews enriched");

      String perMethod =
          "SELECT http_method || '=' || SUM(pageviews) FROM gold.pageviews_by_method_5m"
              + " GROUP BY http_method ORDER BY http_method";
      assertEquals(strings(once, perMethod), strings(resumed, perMethod));
      String counted = "SELECT CAST(SUM(pageviews) AS VARCHAR) FROM gold.pageviews_by_method_5m";
      assertEquals(List.of(String.valueOf(events.size())), strings(resumed, counted));
      String inSessions = "SELECT CAST(SUM(pageviews) AS VARCHAR) FROM gold.sessions";
      assertEquals(
          List.of(String.valueOf(events.size())),
          strings(resumed, inSessions),
          () ->
              "pageviews per user not in sessions: " + notInSessions(resumed) + "\n" + resumedRuns);

      String pairs =
          "SELECT rating_event_id || '/' || pageview_event_id FROM silver.pageview_ratings";
      List<String> resumedPairs = strings(resumed, pairs);
      assertEquals(new HashSet<>(resumedPairs).size(), resumedPairs.size(), "a pair twice");
      // A pair whose pageview came before the restart and its rating after is not formed.
      List<String> pairsOnce = strings(once, pairs);
      Set<String> unexpectedPairs = new TreeSet<>(resumedPairs);
      unexpectedPairs.removeAll(pairsOnce);
      assertEquals(
          Set.of(),
          unexpectedPairs,
          "paired only after the restart: "
              + strings(
                  resumed,
                  "SELECT rating_event_id || ' ' || CAST(rating_time AS VARCHAR) || ' '"
                      + " || pageview_event_id || ' ' || CAST(pageview_time AS VARCHAR)"
                      + " FROM silver.pageview_ratings"));
      // The generator's ratings follow a view of the same product 1-14 minutes earlier (when that
      // view was of a product's page); a pair is a rating and a view of the rated product by the
      // same user, the view at most 15 minutes before.
      assertTrue(pairsOnce.size() > EVENTS / 100, "only " + pairsOnce.size() + " pairs");
      String unrelated =
          "SELECT CAST(count(*) AS VARCHAR) FROM silver.pageview_ratings p"
              + " JOIN silver.pageviews_enriched v ON v.event_id = p.pageview_event_id"
              + " WHERE v.user_id <> p.user_id OR v.url <> '/product/' || p.product_id"
              + " OR p.rating_time < p.pageview_time"
              + " OR p.rating_time > p.pageview_time + INTERVAL 15 MINUTE";
      assertEquals(List.of("0"), strings(once, unrelated));
      String joined =
          "SELECT CAST(count(*) AS VARCHAR) FROM silver.pageview_ratings p"
              + " JOIN silver.pageviews_enriched v ON v.event_id = p.pageview_event_id";
      assertEquals(List.of(String.valueOf(pairsOnce.size())), strings(once, joined));

      String captured =
          "SELECT CAST(count(*) AS VARCHAR) || ' ' || CAST(count(DISTINCT message_id) AS VARCHAR)"
              + " FROM read_parquet('"
              + lake
              + "/landing/stream/parquet/**/*.parquet')";
      assertEquals(List.of(messages + " " + messages), strings(resumed, captured));
      String deadLetters =
          "SELECT error FROM read_json_auto('%s/deadletter/stream/*.jsonl') ORDER BY 1";
      assertEquals(
          strings(once, deadLetters.formatted(reference)),
          strings(resumed, deadLetters.formatted(lake)));
    }
  }

  /** Runs a command on the lake and returns what it printed. */
  private static String run(String command, Path lake, String runner, String... options) {
    List<String> args = new ArrayList<>(List.of(command, "--lake=" + lake, "--runner=" + runner));
    args.add("--scale=0.05");
    args.addAll(List.of(options));
    CommandRun run = CommandRun.of(args.toArray(String[]::new));
    assertEquals(0, run.exit(), String.join(" ", args));
    return run.output();
  }

  /** Per user whose enriched pageviews and sessions' pageviews differ: both counts and times. */
  private static List<String> notInSessions(Connection lake) {
    try {
      return strings(
          lake,
          "SELECT CAST(v.user_id AS VARCHAR) || ': ' || CAST(v.n AS VARCHAR) || ' enriched ('"
              + " || v.times || '), '"
              + " || CAST(coalesce(s.n, 0) AS VARCHAR) || ' in sessions (' || coalesce(s.spans, '')"
              + " || ')'"
              + " FROM (SELECT user_id, count(*) AS n,"
              + "   string_agg(CAST(event_time AS VARCHAR), ' ' ORDER BY event_time) AS times"
              + "   FROM silver.pageviews_enriched GROUP BY user_id) v"
              + " LEFT JOIN (SELECT user_id, SUM(pageviews) AS n,"
              + "   string_agg(CAST(session_start AS VARCHAR) || '..' || CAST(session_end AS VARCHAR)"
              + "     || ' ' || pane_timing, ' ') AS spans"
              + "   FROM gold.sessions GROUP BY user_id) s ON s.user_id = v.user_id"
              + " WHERE v.n <> coalesce(s.n, 0)");
    } catch (SQLException e) {
      return List.of("(cannot list: " + e.getMessage() + ")");
    }
  }

  private static long committed(EmbeddedKafka kafka, String group) {
    Map<Integer, Long> start =
        new HashMap<>(StreamTopic.startOffsets(kafka.bootstrapServers(), "fakelake-events", group));
    return sum(start);
  }

  private static long sum(Map<Integer, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  private static List<String> strings(Connection connection, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }
}
