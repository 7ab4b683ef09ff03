package io.connectx.jmh.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws median TTFB against RTT, plain JDK against the agent with a warm and a cold cookie, with JFreeChart. */
final class TtfbChart {
    private static final String[] MODES = {"plain", "warm", "cold"};
    private static final String[] LABELS = {"plain JDK", "agent, warm cookie", "agent, cold cookie"};
    private static final Color[] COLORS = {new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e)};

    private TtfbChart() {
    }

    static void write(TtfbSamples samples, Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        String[][] measures = {{"socket-ttfb", "Socket"}, {"httpclient-ttfb", "HttpClient"}};
        for (String[] measure : measures) {
            for (int m = 0; m < MODES.length; m++) {
                XYSeries series = new XYSeries(measure[1] + ", " + LABELS[m]);
                for (int rtt : samples.rtts()) {
                    long[] sorted = samples.sorted(rtt, MODES[m], measure[0]);
                    if (sorted != null) {
                        series.add(rtt, TtfbSamples.median(sorted) / 1000.0);
                    }
                }
                data.addSeries(series);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
            "Time to first response byte of a fresh connection (median)", "round-trip time (ms)",
            "time to first byte (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            int m = i % MODES.length;
            renderer.setSeriesPaint(i, COLORS[m]);
            boolean http = i >= MODES.length;
            // Plain is drawn wide and under the others: the cold cookie's line lies on it, as it should.
            float width = m == 0 ? 5f : 2f;
            renderer.setSeriesStroke(i, http
                ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(width));
        }
        plot.setRenderer(renderer);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 520);
    }
}
