package io.connectx.jmh.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws the virtual-thread burst's median total time, plain JDK against the agent, per connect kind. */
final class BurstChart {
    private static final String[] LABELS = {"plain JDK", "agent"};
    /** The TTFB chart's colours for plain and the agent (warm cookie). */
    private static final Color[] COLORS = {new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4)};

    private BurstChart() {
    }

    static void write(BurstResults burst, Path png) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String connect : BurstResults.CONNECTS) {
            String category = BenchmarkReport.burstKind(connect).replace("`", "");
            for (int m = 0; m < BurstResults.MODES.length; m++) {
                long[] sorted = burst.sorted(BurstResults.MODES[m], connect);
                if (sorted != null) {
                    data.addValue(TtfbSamples.median(sorted) / 1000.0, LABELS[m], category);
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
            burst.threads() + " virtual threads, a fresh connection each, RTT " + burst.rtt() + " ms (median burst)",
            null, "whole burst (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int m = 0; m < COLORS.length; m++) {
            renderer.setSeriesPaint(m, COLORS[m]);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 420);
    }
}
