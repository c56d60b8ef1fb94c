package dev.fakelake.sqlcheck;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The compiled fixture projects of {@code src/test/dataform}, rebuilt by its compile.sh. */
final class Fixtures {

  private Fixtures() {}

  /** Every kind of action and a passing unit test, all valid BigQuery. */
  static Path valid() {
    return compilation("valid");
  }

  /** One broken action per kind of mistake, a passing and two failing unit tests. */
  static Path broken() {
    return compilation("broken");
  }

  private static Path compilation(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/compilations/" + name + ".json").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
