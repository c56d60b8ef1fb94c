package dev.fakelake.transforms.aggregate;

import java.math.BigDecimal;
import org.apache.beam.sdk.coders.BigDecimalCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Sums doubles without rounding and rounds once at the end. Floating-point addition is not
 * associative, so a plain double sum could differ in its last bits with the order in which a runner
 * merges partial sums; this one gives the same total for the same values on any runner.
 */
final class ExactSum extends Combine.CombineFn<Double, BigDecimal, Double> {

  static <K> Combine.PerKey<K, Double, Double> perKey() {
    return Combine.perKey(new ExactSum());
  }

  @Override
  public BigDecimal createAccumulator() {
    return BigDecimal.ZERO;
  }

  @Override
  public BigDecimal addInput(BigDecimal sum, Double value) {
    return sum.add(new BigDecimal(value));
  }

  @Override
  public BigDecimal mergeAccumulators(Iterable<BigDecimal> sums) {
    BigDecimal total = BigDecimal.ZERO;
    for (BigDecimal sum : sums) {
      total = total.add(sum);
    }
    return total;
  }

  @Override
  public Double extractOutput(BigDecimal sum) {
    return sum.doubleValue();
  }

  @Override
  public Coder<BigDecimal> getAccumulatorCoder(CoderRegistry registry, Coder<Double> inputCoder) {
    return BigDecimalCoder.of();
  }
}
