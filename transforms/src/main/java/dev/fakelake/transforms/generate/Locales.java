package dev.fakelake.transforms.generate;

import java.util.Locale;
import net.datafaker.Faker;

/** Turns a locale option into a {@link Locale} that Datafaker has data for, or a clear error. */
public final class Locales {

  static final String EXAMPLES = "cs (default), sk, de, de-AT, en, en-US, en-GB, fr, pl, es, ja";

  private Locales() {}

  /**
   * Parses {@code cs}, {@code de-AT} or {@code de_AT}; fails when Datafaker has neither the full
   * locale nor its language.
   */
  public static Locale parse(String option) {
    if (option == null || option.isBlank()) {
      throw new IllegalArgumentException("--locale is empty. Valid examples: " + EXAMPLES);
    }
    Locale locale = Locale.forLanguageTag(option.trim().replace('_', '-'));
    if (locale.getLanguage().isEmpty()
        || (!hasData(locale.toLanguageTag()) && !hasData(locale.getLanguage()))) {
      throw new IllegalArgumentException(
          "Unknown locale '"
              + option
              + "': Datafaker has no data for it. Valid examples: "
              + EXAMPLES);
    }
    return locale;
  }

  private static boolean hasData(String tag) {
    return Faker.class.getResource("/" + tag + ".yml") != null;
  }
}
