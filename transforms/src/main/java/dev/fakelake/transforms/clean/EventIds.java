package dev.fakelake.transforms.clean;

import java.util.UUID;

/**
 * Event ids in the canonical form of a UUID (36 lowercase hex digits and hyphens, as the generator
 * and {@link UUID#toString} write them) as their 128 bits, so that a stateful step can hold
 * millions of them as longs rather than strings. The form is exact: an id is canonical only if
 * writing its bits back gives the same string, so no two ids share bits.
 */
public final class EventIds {

  private EventIds() {}

  /** {@code xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} in lowercase hex digits. */
  public static boolean isCanonicalUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      boolean hyphen = i == 8 || i == 13 || i == 18 || i == 23;
      if (hyphen ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** The high 64 bits of a canonical UUID id. */
  public static long high(String canonicalUuid) {
    return hexBits(canonicalUuid, 0, 18);
  }

  /** The low 64 bits of a canonical UUID id. */
  public static long low(String canonicalUuid) {
    return hexBits(canonicalUuid, 19, 36);
  }

  /** The canonical id of these bits. */
  public static String of(long high, long low) {
    return new UUID(high, low).toString();
  }

  /** The hex digits of {@code id} from {@code from} up to {@code to}, hyphens skipped. */
  private static long hexBits(String id, int from, int to) {
    long bits = 0;
    for (int i = from; i < to; i++) {
      char c = id.charAt(i);
      if (c != '-') {
        bits = (bits << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
      }
    }
    return bits;
  }
}
