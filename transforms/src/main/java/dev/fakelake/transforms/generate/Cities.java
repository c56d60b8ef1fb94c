package dev.fakelake.transforms.generate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Real cities with coordinates for a locale, so that enrichment can compute sunrise and sunset
 * where a customer lives. Czech has its own table; other locales take the cities of their country
 * from a world table, or the whole world table when the country is not in it.
 */
public final class Cities {

  /** Countries for locales that name only a language. */
  private static final Map<String, String> COUNTRY_OF_LANGUAGE =
      Map.ofEntries(
          Map.entry("cs", "CZ"),
          Map.entry("sk", "SK"),
          Map.entry("de", "DE"),
          Map.entry("fr", "FR"),
          Map.entry("it", "IT"),
          Map.entry("es", "ES"),
          Map.entry("pt", "PT"),
          Map.entry("pl", "PL"),
          Map.entry("nl", "NL"),
          Map.entry("sv", "SE"),
          Map.entry("nb", "NO"),
          Map.entry("no", "NO"),
          Map.entry("da", "DK"),
          Map.entry("fi", "FI"),
          Map.entry("hu", "HU"),
          Map.entry("ro", "RO"),
          Map.entry("bg", "BG"),
          Map.entry("el", "GR"),
          Map.entry("hr", "HR"),
          Map.entry("uk", "UA"),
          Map.entry("ru", "RU"),
          Map.entry("tr", "TR"),
          Map.entry("ja", "JP"),
          Map.entry("ko", "KR"),
          Map.entry("zh", "CN"),
          Map.entry("id", "ID"),
          Map.entry("vi", "VN"),
          Map.entry("th", "TH"),
          Map.entry("he", "IL"));

  private Cities() {}

  /** The cities customers of this locale live in; never empty. */
  public static List<City> forLocale(Locale locale) {
    String country = locale.getCountry();
    if (country.isEmpty()) {
      country = COUNTRY_OF_LANGUAGE.getOrDefault(locale.getLanguage(), "");
    }
    if (country.equals("CZ")) {
      return read("cities-cs.csv", false, "");
    }
    List<City> ofCountry = read("cities-world.csv", true, country);
    return ofCountry.isEmpty() ? read("cities-world.csv", true, null) : ofCountry;
  }

  private static List<City> read(String resource, boolean hasCountry, String country) {
    List<City> cities = new ArrayList<>();
    try (InputStream in = Cities.class.getResourceAsStream(resource);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(",");
        int i = 0;
        if (hasCountry) {
          if (country != null && !f[0].equals(country)) {
            continue;
          }
          i = 1;
        }
        cities.add(
            new City(
                f[i],
                f[i + 1],
                Double.parseDouble(f[i + 2]),
                Double.parseDouble(f[i + 3]),
                Integer.parseInt(f[i + 4])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the city table " + resource, e);
    }
    return cities;
  }
}
