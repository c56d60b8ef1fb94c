package dev.fakelake.transforms.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Writes a whole file under a folder of any Beam file system (local, GCS), all or nothing: the
 * content goes to a hidden temporary file first and is renamed into place when complete, so a
 * reader never sees half a file, and a retried bundle overwrites with the same bytes. The rename
 * replaces an existing file on every Beam file system; deleting first would cost more than it
 * seems, since a delete of a missing local file lists its whole folder.
 */
public final class LandingFiles {

  private LandingFiles() {}

  /** Receives the content of one file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void write(String folder, String fileName, Content content) {
    ResourceId directory = FileSystems.matchNewResource(folder, true);
    ResourceId target =
        directory.resolve(fileName, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    ResourceId temp =
        directory.resolve(
            ".tmp-" + fileName + "-" + UUID.randomUUID(),
            ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try {
      // Buffered: content is written a record at a time, and each unbuffered write is a system
      // call.
      try (OutputStream out =
          new BufferedOutputStream(
              Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT)), 1 << 16)) {
        content.writeTo(out);
      }
      FileSystems.rename(List.of(temp), List.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target, e);
    }
  }
}
