package dev.fakelake.pipelines;

import dev.fakelake.transforms.io.LandingFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Small file operations the commands do outside pipelines (state files, archiving), on any Beam
 * file system, so the lake can be a local folder or a GCS prefix.
 */
final class LakeFiles {

  private LakeFiles() {}

  /** Paths matching a glob, sorted; none is fine. */
  static List<String> match(String glob) {
    try {
      MatchResult result = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      List<String> paths = new ArrayList<>();
      if (result.status() == MatchResult.Status.OK) {
        result.metadata().forEach(m -> paths.add(m.resourceId().toString()));
      }
      paths.sort(null);
      return paths;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + glob, e);
    }
  }

  static boolean exists(String path) {
    return !match(path).isEmpty();
  }

  static String read(String path) {
    try (InputStream in = Channels.newInputStream(FileSystems.open(resource(path)))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }

  /** Writes a whole file atomically: readers see the old content or the new, never half. */
  static void write(String path, String text) {
    ResourceId file = resource(path);
    LandingFiles.write(
        file.getCurrentDirectory().toString(),
        file.getFilename(),
        out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  static void delete(List<String> paths) {
    try {
      FileSystems.delete(
          paths.stream().map(LakeFiles::resource).toList(),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + paths, e);
    }
  }

  /**
   * Moves a file, replacing what is at the target: Beam's rename replaces on every file system. No
   * delete first: deleting a missing file makes the local file system list the whole folder, and
   * archiving fills one folder a file at a time.
   */
  static void move(String from, String to) {
    try {
      FileSystems.rename(List.of(resource(from)), List.of(resource(to)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move " + from + " to " + to, e);
    }
  }

  /** SHA-256 of a file's bytes, to recognise a landing file that was already ingested. */
  static String sha256(String path) {
    try (InputStream in = Channels.newInputStream(FileSystems.open(resource(path)))) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String fileName(String path) {
    return resource(path).getFilename();
  }

  private static ResourceId resource(String path) {
    return FileSystems.matchNewResource(path, false);
  }
}
