package dev.fakelake.transforms.io;

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
}
