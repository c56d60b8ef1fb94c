package dev.fakelake.transforms.aggregate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What a stateful stream step keeps for a key in one state cell: the items it holds, and the time
 * its event-time timer last fired at for the key ({@code Long.MIN_VALUE} before the first firing).
 * The watermark has passed that time: it is all the step knows of the watermark, and what it tells
 * a too-late event by ({@link BuildSessions}, the rating join), rather than a watermark reading
 * taken while an event is processed.
 */
public record KeyState<T>(List<T> kept, long lastFiredMs) {

  /** A key with nothing kept and no firing yet. */
  public static <T> KeyState<T> none() {
    return new KeyState<>(List.of(), Long.MIN_VALUE);
  }

  /** The key's state as read: {@link #none} if the cell is empty. */
  public static <T> KeyState<T> orNone(@Nullable KeyState<T> read) {
    return read == null ? none() : read;
  }

  /** The time of the last firing; before any, the earliest instant there is. */
  public Instant lastFired() {
    return new Instant(lastFiredMs);
  }

  /** The same last firing, with other items kept. */
  public KeyState<T> keeping(List<T> items) {
    return new KeyState<>(items, lastFiredMs);
  }

  /** The state after a firing at {@code now}, with {@code items} still kept. */
  public KeyState<T> firedAt(Instant now, List<T> items) {
    return new KeyState<>(items, Math.max(lastFiredMs, now.getMillis()));
  }

  /** Encodes a key's state with its items' coder. */
  public static <T> Coder<KeyState<T>> coder(Coder<T> itemCoder) {
    return new KeyStateCoder<>(ListCoder.of(itemCoder));
  }

  private static final class KeyStateCoder<T> extends CustomCoder<KeyState<T>> {
    private static final Coder<Long> TIME = BigEndianLongCoder.of();
    private final Coder<List<T>> items;

    KeyStateCoder(Coder<List<T>> items) {
      this.items = items;
    }

    @Override
    public void encode(KeyState<T> state, OutputStream out) throws IOException {
      items.encode(state.kept(), out);
      TIME.encode(state.lastFiredMs(), out);
    }

    @Override
    public KeyState<T> decode(InputStream in) throws IOException {
      return new KeyState<>(items.decode(in), TIME.decode(in));
    }
  }
}
