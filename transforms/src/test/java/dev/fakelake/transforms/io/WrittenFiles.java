package dev.fakelake.transforms.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** Reads what a test pipeline wrote: every finished lake file under a folder, by relative path. */
final class WrittenFiles {

  private WrittenFiles() {}

  /**
   * The rows of each Parquet or Avro file under {@code folder} (in the order written), keyed by the
   * path relative to the folder with '/' separators; hidden files and folders (a pane's temporary
   * file before its rename) are left out, and one left behind fails the test's expectations by
   * showing up in {@link #leftovers}.
   */
  static Map<String, List<Row>> rows(Path folder, Schema schema) {
    Map<String, List<Row>> files = new TreeMap<>();
    for (Path file : files(folder)) {
      String name = folder.relativize(file).toString().replace('\\', '/');
      if (name.startsWith(".") || name.contains("/.")) {
        continue;
      }
      files.put(name, read(file, schema));
    }
    return files;
  }

  /** Hidden (temporary) files, or files under hidden folders, left once the pipeline finished. */
  static List<String> leftovers(Path folder) {
    List<String> left = new ArrayList<>();
    for (Path file : files(folder)) {
      String name = folder.relativize(file).toString().replace('\\', '/');
      if (name.startsWith(".") || name.contains("/.")) {
        left.add(name);
      }
    }
    return left;
  }

  /** The lines of a JSON Lines file. */
  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sum of a counter over all steps that report it. */
  static long counter(PipelineResult result, Class<?> namespace, String name) {
    long sum = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(namespace, name))
                    .build())
            .getCounters()) {
      sum += counter.getAttempted();
    }
    return sum;
  }

  private static List<Path> files(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Row> read(Path file, Schema schema) {
    List<Row> rows = new ArrayList<>();
    String name = file.getFileName().toString();
    try {
      if (name.endsWith(".parquet")) {
        try (ParquetReader<GenericRecord> reader =
            AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
          for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
            rows.add(AvroRows.toRow(schema).apply(record));
          }
        }
      } else if (name.endsWith(".avro")) {
        try (DataFileReader<GenericRecord> reader =
            new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
          for (GenericRecord record : reader) {
            rows.add(AvroRows.toRow(schema).apply(record));
          }
        }
      } else {
        throw new IllegalArgumentException("Not a Parquet or Avro file: " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
