package dev.fakelake.transforms.enrich;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A lookup table read as one map side input answers every key, and an empty one none. */
@ExtendWith(TestPipelineExtension.class)
class LookupMapViewTest {

  private static final KvCoder<Long, String> ENTRY =
      KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of());

  @Test
  void everyEntryOfATableSpreadOverBundlesIsInTheMap(TestPipeline pipeline) {
    List<KV<Long, String>> customers = new ArrayList<>();
    LongStream.range(0, 5_000).forEach(id -> customers.add(KV.of(id, "customer " + id)));
    PCollectionView<Map<Long, String>> view =
        pipeline
            .apply("Customers", Create.of(customers).withCoder(ENTRY))
            .apply("CustomersById", LookupMapView.of());

    PCollection<String> looked =
        pipeline
            .apply("Ids", Create.of(0L, 2_500L, 4_999L, 5_000L))
            .apply("LookUp", ParDo.of(new LookUpFn(view)).withSideInputs(view));

    PAssert.that(looked)
        .containsInAnyOrder(
            "0=customer 0", "2500=customer 2500", "4999=customer 4999", "5000=unknown of 5000");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEmptyTableIsAnEmptyMap(TestPipeline pipeline) {
    PCollectionView<Map<Long, String>> view =
        pipeline.apply("Customers", Create.empty(ENTRY)).apply("CustomersById", LookupMapView.of());

    PCollection<String> looked =
        pipeline
            .apply("Ids", Create.of(7L))
            .apply("LookUp", ParDo.of(new LookUpFn(view)).withSideInputs(view));

    PAssert.that(looked).containsInAnyOrder("7=unknown of 0");
    pipeline.run().waitUntilFinish();
  }

  /** Answers {@code id=value}, or {@code id=unknown of SIZE}. */
  private static final class LookUpFn extends DoFn<Long, String> {
    private final PCollectionView<Map<Long, String>> view;

    LookUpFn(PCollectionView<Map<Long, String>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(@Element Long id, ProcessContext context) {
      Map<Long, String> table = context.sideInput(view);
      String value = table.get(id);
      context.output(id + "=" + (value == null ? "unknown of " + table.size() : value));
    }
  }
}
