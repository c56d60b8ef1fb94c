package dev.fakelake.pipelines.report;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart into PNG bytes without a display: lines over time and bars
 * over categories, each with a title and both axis titles.
 */
final class Charts {

  static final int WIDTH = 960;
  static final int HEIGHT = 420;

  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x7f7f7f)
  };

  static {
    // Charts are drawn into images; there is no screen, and a server has none either.
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /**
   * A time axis: x values are whole {@code unitSeconds} since the epoch, labelled in UTC with
   * {@code pattern}.
   */
  record TimeAxis(long unitSeconds, String pattern) {
    static final TimeAxis DAYS = new TimeAxis(86_400, "yyyy-MM-dd");
    static final TimeAxis HOURS = new TimeAxis(3_600, "MM-dd HH:00");
    static final TimeAxis MINUTES = new TimeAxis(60, "MM-dd HH:mm");

    double x(Instant instant) {
      return Math.floorDiv(instant.getEpochSecond(), unitSeconds);
    }

    Function<Double, String> labels() {
      DateTimeFormatter format =
          DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
      return x -> format.format(Instant.ofEpochSecond(Math.round(x * unitSeconds)));
    }
  }

  /** One line of a chart: x and y values of the same length. */
  record Line(String name, double[] x, double[] y, boolean bold) {}

  /**
   * Lines over time; {@code markers} draws each point (for few points), {@code logY} a logarithmic
   * y axis.
   */
  static byte[] timeLines(
      String title,
      String xTitle,
      String yTitle,
      TimeAxis axis,
      List<Line> lines,
      boolean markers,
      boolean logY) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setXAxisTickLabelsFormattingFunction(axis.labels());
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setMarkerSize(markers ? 7 : 0);
    for (Line line : lines) {
      XYSeries series = chart.addSeries(line.name(), line.x(), line.y());
      series.setLineWidth(line.bold() ? 3.0f : 1.2f);
      if (!markers) {
        series.setMarker(SeriesMarkers.NONE);
      }
    }
    return png(chart);
  }

  /**
   * Bars over categories, one bar per series in each category (side by side), with {@code series}
   * mapping a series name to one value per category.
   */
  static byte[] bars(
      String title,
      String xTitle,
      String yTitle,
      List<String> categories,
      Map<String, List<Double>> series,
      boolean rotateLabels) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    chart.getStyler().setXAxisLabelRotation(rotateLabels ? 90 : 0);
    // XChart leaves out labels it thinks crowded (and refuses a count below 2): each category
    // needs its name.
    chart.getStyler().setXAxisMaxLabelCount(Math.max(2, categories.size()));
    chart.getStyler().setLegendVisible(series.size() > 1);
    chart.getStyler().setAvailableSpaceFill(series.size() > 1 ? 0.8 : 0.6);
    series.forEach((name, values) -> chart.addSeries(name, categories, values));
    return png(chart);
  }

  /** One series of bars: a value per category, in order. */
  static Map<String, List<Double>> single(String name, List<Double> values) {
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put(name, values);
    return series;
  }

  private static void style(Chart<? extends AxesChartStyler, ?> chart) {
    AxesChartStyler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBorderVisible(false);
    styler.setLegendPosition(LegendPosition.OutsideS);
    styler.setLegendLayout(LegendLayout.Horizontal);
    styler.setYAxisDecimalPattern("#,##0.##");
    styler.setLegendBorderColor(Color.WHITE);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setSeriesColors(PALETTE);
    styler.setLocale(Locale.ROOT);
    styler.setAntiAlias(true);
  }

  private static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode the chart '" + chart.getTitle() + "'", e);
    }
  }
}
