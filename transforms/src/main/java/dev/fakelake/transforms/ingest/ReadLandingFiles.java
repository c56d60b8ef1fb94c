package dev.fakelake.transforms.ingest;

import dev.fakelake.schemas.Bronze;
import dev.fakelake.schemas.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Reads landing files of one source into bronze rows and dead letters. A JSON Lines file gives one
 * record per line; a JSON file is one record. A byte-order mark and CRLF line ends are tolerated;
 * invalid UTF-8, a record longer than the limit, an empty file and every parse or schema error
 * become dead letters with the location and the original payload. Every record read is counted
 * once, as written or as dead-lettered.
 */
public class ReadLandingFiles extends PTransform<PCollection<String>, PCollectionTuple> {

  public static final TupleTag<Row> BRONZE = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** Longest record kept; longer ones are dead-lettered with their first bytes as payload. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

  private final SourceSpec source;
  private final String batchId;
  private final Instant ingestedAt;
  private final int maxRecordBytes;

  private ReadLandingFiles(
      SourceSpec source, String batchId, Instant ingestedAt, int maxRecordBytes) {
    this.source = source;
    this.batchId = batchId;
    this.ingestedAt = ingestedAt;
    this.maxRecordBytes = maxRecordBytes;
  }

  public static ReadLandingFiles of(SourceSpec source, String batchId, Instant ingestedAt) {
    return new ReadLandingFiles(source, batchId, ingestedAt, DEFAULT_MAX_RECORD_BYTES);
  }

  public ReadLandingFiles withMaxRecordBytes(int bytes) {
    return new ReadLandingFiles(source, batchId, ingestedAt, bytes);
  }

  @Override
  public PCollectionTuple expand(PCollection<String> files) {
    PCollectionTuple out =
        files.apply(
            "ParseRecords",
            ParDo.of(new ReadFn(source, batchId, ingestedAt, maxRecordBytes))
                .withOutputTags(BRONZE, TupleTagList.of(DEAD_LETTERS)));
    out.get(BRONZE).setRowSchema(Bronze.schema(source.entity()));
    return out;
  }

  private static class ReadFn extends DoFn<String, Row> {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final SourceSpec source;
    private final String batchId;
    private final Instant ingestedAt;
    private final int maxRecordBytes;
    private final RecordParser parser;
    private final Schema bronze;
    private final IngestCounters counters;

    ReadFn(SourceSpec source, String batchId, Instant ingestedAt, int maxRecordBytes) {
      this.source = source;
      this.batchId = batchId;
      this.ingestedAt = ingestedAt;
      this.maxRecordBytes = maxRecordBytes;
      this.parser = new RecordParser(source.entity());
      this.bronze = Bronze.schema(source.entity());
      this.counters = IngestCounters.of(source.name());
    }

    @ProcessElement
    public void process(@Element String path, MultiOutputReceiver out) throws IOException {
      ResourceId file = FileSystems.matchNewResource(path, false);
      try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
        if (source.kind() == SourceSpec.Kind.JSONL) {
          readLines(path, in, out);
        } else {
          readWholeFile(path, in, out);
        }
      }
    }

    private void readLines(String path, InputStream in, MultiOutputReceiver out)
        throws IOException {
      LineReader lines = new LineReader(in, maxRecordBytes);
      boolean any = false;
      for (long number = 1; lines.next(); number++) {
        byte[] bytes = lines.bytes();
        if (number == 1) {
          bytes = withoutBom(bytes);
        }
        if (isBlank(bytes) && !lines.truncated()) {
          continue;
        }
        any = true;
        handle(path, "line " + number, bytes, lines.truncated(), out);
      }
      if (!any) {
        emptyFile(path, out);
      }
    }

    private void readWholeFile(String path, InputStream in, MultiOutputReceiver out)
        throws IOException {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      boolean truncated = false;
      for (int n; (n = in.read(chunk)) > 0; ) {
        int room = maxRecordBytes - buffer.size();
        buffer.write(chunk, 0, Math.min(n, Math.max(0, room)));
        truncated |= n > room;
      }
      byte[] bytes = withoutBom(buffer.toByteArray());
      if (isBlank(bytes)) {
        emptyFile(path, out);
      } else {
        handle(path, "file", bytes, truncated, out);
      }
    }

    private void handle(
        String path, String record, byte[] bytes, boolean truncated, MultiOutputReceiver out) {
      counters.countRead();
      if (truncated) {
        deadLetter(
            path,
            record,
            null,
            DeadLetter.Error.LINE_TOO_LONG,
            "record longer than " + maxRecordBytes + " bytes; payload holds its first bytes",
            lenient(bytes),
            out);
        return;
      }
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        deadLetter(
            path,
            record,
            null,
            DeadLetter.Error.INVALID_UTF8,
            "not valid UTF-8: " + e.getMessage(),
            lenient(bytes),
            out);
        return;
      }
      RecordParser.Result result = parser.parse(text);
      if (result.ok()) {
        out.get(BRONZE)
            .output(
                RecordParser.withMetadata(
                    bronze, result.row(), source.name(), path, record, batchId, ingestedAt));
        counters.countWritten();
      } else {
        deadLetter(path, record, result.key(), result.error(), result.reason(), text, out);
      }
    }

    private void emptyFile(String path, MultiOutputReceiver out) {
      counters.countRead();
      deadLetter(path, "file", null, DeadLetter.Error.EMPTY_FILE, "the file is empty", "", out);
    }

    private void deadLetter(
        String path,
        String record,
        String key,
        DeadLetter.Error error,
        String reason,
        String payload,
        MultiOutputReceiver out) {
      out.get(DEAD_LETTERS)
          .output(
              DeadLetter.builder()
                  .setSource(source.name())
                  .setLocation(path)
                  .setRecord(record)
                  .setRecordKey(key)
                  .setError(error.code())
                  .setReason(reason)
                  .setPayload(payload)
                  .setBatchId(batchId)
                  .setFailedAt(ingestedAt)
                  .build());
      counters.countDeadLettered();
    }

    private static String lenient(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] withoutBom(byte[] bytes) {
      if (bytes.length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2]) {
        return java.util.Arrays.copyOfRange(bytes, 3, bytes.length);
      }
      return bytes;
    }

    private static boolean isBlank(byte[] bytes) {
      for (byte b : bytes) {
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Splits a stream into lines on LF, dropping a CR before it, keeping at most {@code max} bytes of
   * a line so one huge line cannot exhaust memory. The limit applies to the line without its line
   * end, so a line of exactly {@code max} bytes is kept whether it ends in LF or CRLF.
   */
  static final class LineReader {
    private final InputStream in;
    private final int max;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean overflow;
    private byte[] bytes = new byte[0];
    private boolean truncated;

    LineReader(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    /** Advances to the next line; false at the end of the stream. */
    boolean next() throws IOException {
      line.reset();
      overflow = false;
      boolean any = false;
      while (true) {
        if (position == limit) {
          limit = in.read(buffer);
          position = 0;
          if (limit <= 0) {
            limit = 0;
            if (any) {
              finish();
            }
            return any;
          }
        }
        any = true;
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        append(start, position);
        if (position < limit) {
          position++;
          finish();
          return true;
        }
      }
    }

    private void append(int from, int to) {
      // One byte more than the limit, for the CR of a CRLF line end.
      int room = max + 1 - line.size();
      if (to - from > room) {
        overflow = true;
      }
      line.write(buffer, from, Math.max(0, Math.min(to - from, room)));
    }

    private void finish() {
      byte[] kept = line.toByteArray();
      if (!overflow && kept.length > 0 && kept[kept.length - 1] == '\r') {
        kept = java.util.Arrays.copyOf(kept, kept.length - 1);
      }
      truncated = overflow || kept.length > max;
      bytes = truncated ? java.util.Arrays.copyOf(kept, Math.min(kept.length, max)) : kept;
    }

    /** The current line without its line end; its first {@code max} bytes when truncated. */
    byte[] bytes() {
      return bytes;
    }

    boolean truncated() {
      return truncated;
    }
  }
}
