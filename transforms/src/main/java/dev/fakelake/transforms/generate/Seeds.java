package dev.fakelake.transforms.generate;

import dev.fakelake.schemas.Entity;

/**
 * Deterministic seeds: the randomness behind record {@code i} of entity {@code e} depends only on
 * (seed, e, i, purpose), never on the runner, the bundle or the worker that generates it.
 */
final class Seeds {

  /** Purposes, so that the same record draws independent numbers for content and for dirt. */
  static final int CONTENT = 1;

  static final int DIRT = 2;

  private Seeds() {}

  static long of(long seed, Entity entity, long index, int purpose) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    // String.hashCode is specified by the JLS, so this stays stable across JVMs and versions.
    h = mix(h + entity.tableName().hashCode());
    h = mix(h + index);
    return mix(h + purpose);
  }

  /** SplitMix64's finaliser: a cheap, well-distributed 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform double in [0, 1) from a 64-bit hash. */
  static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }
}
