package dev.fakelake.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fakelake.schemas.Entity;
import dev.fakelake.transforms.ingest.SourceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourcesFileTest {

  private static final String HEADER = "# my sources\n\n";

  @Test
  void theBundledFileListsEverySourceOfTheDataSet() {
    List<SourceSpec> sources = SourcesFile.load("");

    assertEquals(
        List.of(
            "customers",
            "vip_customers",
            "products",
            "pageviews",
            "ratings",
            "car_listings",
            "orders",
            "order_items"),
        sources.stream().map(SourceSpec::name).toList());
    SourceSpec products = sources.get(2);
    assertEquals(SourceSpec.Kind.JSON_FILE, products.kind());
    assertEquals("landing/products/*.json", products.location());
    assertEquals(Entity.PRODUCTS, products.entity());
    SourceSpec orders = sources.get(6);
    assertEquals(SourceSpec.Kind.JDBC, orders.kind());
    assertEquals("shop.orders", orders.location());
    assertEquals(Map.of("incremental", "updated_at"), orders.options());
  }

  @Test
  void commentsBlankLinesAndCrlfAreIgnored() {
    List<SourceSpec> sources =
        SourcesFile.parse(
            "# sources\r\n\r\n  clients  jsonl  landing/clients/*.jsonl  customers  \r\n"
                + "# the end\r\n",
            "test.conf");

    assertEquals(
        List.of(
            new SourceSpec(
                "clients",
                SourceSpec.Kind.JSONL,
                "landing/clients/*.jsonl",
                Entity.CUSTOMERS,
                Map.of())),
        sources);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "customers jsonl landing/customers/*.jsonl"
            + "|expected 'name kind location entity [key=value ...]'",
        "Customers jsonl landing/customers/*.jsonl customers"
            + "|a source name is lower case letters, digits and _, got 'Customers'",
        "customers csv landing/customers/*.csv customers|Unknown source kind 'csv'",
        "customers jsonl landing/customers/*.jsonl clients|Unknown entity 'clients'",
        "orders jdbc shop.orders orders incremental|expected key=value, got 'incremental'",
      })
  void aBadLineIsAnErrorWithItsLineNumber(String line, String message) {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> SourcesFile.parse(HEADER + line + "\n", "test.conf"));

    assertTrue(error.getMessage().startsWith("test.conf line 3: "), error.getMessage());
    assertTrue(error.getMessage().contains(message), error.getMessage());
  }

  @Test
  void aSourceListedTwiceIsAnError() {
    String text =
        "customers jsonl landing/customers/*.jsonl customers\n"
            + "customers jsonl landing/clients/*.jsonl customers\n";

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> SourcesFile.parse(text, "test.conf"));

    assertEquals("test.conf line 2: source 'customers' is listed twice", error.getMessage());
  }

  @Test
  void aFileWithoutSourcesIsAnError() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> SourcesFile.parse(HEADER, "test.conf"));

    assertEquals("test.conf lists no sources", error.getMessage());
  }
}
