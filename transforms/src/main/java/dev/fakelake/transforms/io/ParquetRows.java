package dev.fakelake.transforms.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Writes and reads schema rows as Parquet files; the Parquet schema is derived from the Beam schema
 * through Avro, so column names and types are the ones declared in {@code schemas/}.
 */
public final class ParquetRows {

  private ParquetRows() {}

  /** Writes rows to {@code folder/prefix-SSSSS-of-NNNNN.parquet}. */
  public static PTransform<PCollection<Row>, WriteFilesResult<Void>> write(
      String folder, String prefix) {
    return new PTransform<PCollection<Row>, WriteFilesResult<Void>>() {
      @Override
      public WriteFilesResult<Void> expand(PCollection<Row> rows) {
        org.apache.avro.Schema avro = AvroUtils.toAvroSchema(rows.getSchema());
        return rows.apply(
                "ToAvro",
                MapElements.into(TypeDescriptor.of(GenericRecord.class))
                    .via(AvroRows.toGenericRecord(rows.getSchema())))
            .setCoder(AvroCoder.of(GenericRecord.class, avro))
            .apply(
                "WriteParquet",
                FileIO.<GenericRecord>write()
                    .via(ParquetIO.sink(avro))
                    .to(folder)
                    .withPrefix(prefix)
                    .withSuffix(".parquet"));
      }
    };
  }

  /** Reads every Parquet file matching {@code glob} as rows of {@code schema}; none is fine. */
  public static PTransform<PBegin, PCollection<Row>> read(String glob, Schema schema) {
    return new PTransform<PBegin, PCollection<Row>>() {
      @Override
      public PCollection<Row> expand(PBegin begin) {
        org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
        return begin
            .apply(
                "MatchParquet",
                FileIO.match().filepattern(glob).withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
            .apply("OpenParquet", FileIO.readMatches())
            .apply("ReadParquet", ParquetIO.readFiles(avro))
            .apply("ToRows", MapElements.into(TypeDescriptors.rows()).via(AvroRows.toRow(schema)))
            .setRowSchema(schema);
      }
    };
  }

  /**
   * A Parquet sink, Snappy-compressed as {@link ParquetIO#sink}'s, but without dictionary encoding:
   * for the stream's files, a pane each, whose columns are mostly unique (ids, times, payloads).
   * Parquet tries a dictionary for every column of every file and throws it away once it is no
   * smaller than the values; on the raw capture that was 45% of the write. Rows of flat schemas
   * only; they go straight into the columns ({@link RowWriteSupport}).
   */
  public static FileIO.Sink<Row> sinkWithoutDictionaries(Schema schema) {
    return new SinkWithoutDictionaries(schema);
  }

  /**
   * Hadoop settings for every file a sink writes, read once: a writer built without them loads
   * Hadoop's default configuration files anew for each file.
   */
  private static final Configuration CONFIGURATION = new Configuration();

  private static final class SinkWithoutDictionaries implements FileIO.Sink<Row> {
    private final Schema schema;
    private transient ParquetWriter<Row> writer;

    SinkWithoutDictionaries(Schema schema) {
      RowWriteSupport.requireWritable(schema);
      this.schema = schema;
    }

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      writer =
          new RowWriterBuilder(
                  new StreamOutputFile(Channels.newOutputStream(channel)),
                  new RowWriteSupport(schema))
              .withConf(CONFIGURATION)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withDictionaryEncoding(false)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build();
    }

    @Override
    public void write(Row row) throws IOException {
      writer.write(row);
    }

    /** Writes the footer; the caller closes the channel. */
    @Override
    public void flush() throws IOException {
      writer.close();
    }
  }

  /** Builds a Parquet writer of rows with a given write support. */
  private static final class RowWriterBuilder extends ParquetWriter.Builder<Row, RowWriterBuilder> {
    private final RowWriteSupport support;

    RowWriterBuilder(OutputFile file, RowWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected RowWriterBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration configuration) {
      return support;
    }
  }

  /** Parquet's output file over an open stream, counting the position itself. */
  private static final class StreamOutputFile implements OutputFile {
    private final OutputStream out;

    StreamOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        private long position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          position++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
          out.write(bytes, offset, length);
          position += length;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          // The caller closes the channel.
          out.flush();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }
}
