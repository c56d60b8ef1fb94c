package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.generate.GenerationSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Orders land in a real PostgreSQL: the embedded one that the command starts. */
@ExtendWith(TestPipelineExtension.class)
class SourceDatabaseTest {

  @TempDir static Path lake;
  private static SourceDatabase database;

  @BeforeAll
  static void startDatabase() {
    database = SourceDatabase.startEmbedded(lake.toString());
  }

  @AfterAll
  static void stopDatabase() {
    database.close();
  }

  private static long count(String sql) throws SQLException {
    try (Connection connection = database.open();
        ResultSet result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static void generateOrders(Pipeline pipeline, GenerationSpec spec) {
    GeneratePipeline.prepareTables(database);
    GeneratePipeline.build(pipeline, lake.toString(), spec, EnumSet.of(Entity.ORDERS), database);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void ordersAndItemsLandWithTheirDirt(TestPipeline pipeline) throws Exception {
    GenerationSpec spec =
        GenerationSpec.defaults(1)
            .count(Entity.ORDERS, 3_000)
            .rate(dev.fakelake.schemas.DefectKind.ORPHAN, 0.05)
            .build();

    generateOrders(pipeline, spec);

    assertEquals(3_000, count("SELECT count(*) FROM shop.orders"));
    long items = count("SELECT count(*) FROM shop.order_items");
    assertTrue(items >= 3_000 && items <= 15_000, "items: " + items);
    long orphans =
        count(
            "SELECT count(*) FROM shop.order_items i"
                + " WHERE NOT EXISTS (SELECT 1 FROM shop.orders o WHERE o.order_id = i.order_id)");
    assertTrue(orphans > items * 0.03 && orphans < items * 0.07, "orphans: " + orphans);
    long missing = count("SELECT count(*) FROM shop.orders WHERE payment_method IS NULL");
    assertTrue(missing > 10 && missing < 60, "missing payment methods: " + missing);
  }

  @Test
  void generatingTwiceLandsTheSameRowsOnce(TestPipeline first) throws Exception {
    GenerationSpec spec = GenerationSpec.defaults(1).count(Entity.ORDERS, 500).build();
    generateOrders(first, spec);
    long orders = count("SELECT count(*) FROM shop.orders");
    String checksum = "SELECT sum(hashtext(o::text)) FROM shop.orders o";
    long before = count(checksum);

    // A retry or a rerun writes the same keys again: the upsert must leave one row per key.
    generateOrders(Pipeline.create(first.getOptions()), spec);

    assertEquals(orders, count("SELECT count(*) FROM shop.orders"));
    assertEquals(before, count(checksum));
  }

  @Test
  void aServerThatALiveCommandUsesIsLeftRunning() throws Exception {
    SourceDatabase.stopLeftoverServer(lake.resolve("postgres"));

    assertEquals(1, count("SELECT 1"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aPidFileOfAProcessThatIsGoneOrIsNoServerIsRemoved(boolean gone, @TempDir Path data)
      throws Exception {
    long pid = gone ? Integer.MAX_VALUE : ProcessHandle.current().pid();
    Path pidFile = data.resolve("postmaster.pid");
    Files.writeString(pidFile, pid + "\n" + data + "\n");

    SourceDatabase.stopLeftoverServer(data);

    assertFalse(Files.exists(pidFile));
  }

  @Test
  void anUnreachableServerIsAClearError() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> SourceDatabase.connect("jdbc:postgresql://127.0.0.1:1/none", "postgres", ""));

    assertTrue(
        error.getMessage().startsWith("Cannot reach the source database"), error.getMessage());
  }
}
