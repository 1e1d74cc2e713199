package io.chainrule.cli.train;

import io.chainrule.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The PNG pictures: line charts with XChart; decision boundary and confusion matrix drawn with Java2D. */
public final class Plots {
    /** Class colours (Tableau 10): dark for points, light for regions. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
            new Color(0x17becf)};

    static {
        // ImageIO's default disk cache makes every PNG encode create a temporary file and, the first time, register
        // a JVM shutdown hook. During Ctrl-C that registration throws "Shutdown in progress" (the first chart is
        // often written just then); the charts are small, so encoding in memory avoids both.
        ImageIO.setUseCache(false);
    }

    private Plots() {}

    /** One line of a chart: x and y values. */
    public record Series(double[] x, double[] y) {}

    /** A line chart written atomically as PNG. */
    public static void lineChart(Path file, String title, String xTitle, String yTitle, Map<String, Series> series,
                                 boolean logY) throws IOException {
        // XChart labels a log axis only at powers of ten: within one decade it would show no numbers at all.
        logY &= decades(series) >= 1.3;
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        // The legend goes in the corner the curves end away from (rising accuracy: bottom right).
        chart.getStyler().setLegendPosition(endsHigh(series) ? Styler.LegendPosition.InsideSE : Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setDecimalPattern("#0.####");
        int i = 0;
        for (Map.Entry<String, Series> e : series.entrySet()) {
            double[] y = e.getValue().y();
            if (logY) y = positive(y);
            XYSeries s = chart.addSeries(e.getKey(), e.getValue().x(), y);
            s.setMarker(e.getValue().x().length > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            s.setLineColor(PALETTE[i % PALETTE.length]);
            s.setMarkerColor(PALETTE[i % PALETTE.length]);
            i++;
        }
        AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    private static boolean endsHigh(Map<String, Series> series) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, lastSum = 0;
        int n = 0;
        for (Series s : series.values()) {
            for (double v : s.y()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            double last = s.y().length == 0 ? Double.NaN : s.y()[s.y().length - 1];
            if (Double.isFinite(last)) {
                lastSum += last;
                n++;
            }
        }
        return n > 0 && hi > lo && lastSum / n > (lo + hi) / 2;
    }

    private static double decades(Map<String, Series> series) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Series s : series.values()) {
            for (double v : s.y()) {
                if (v > 0 && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return hi > 0 ? Math.log10(hi / lo) : 0;
    }

    private static double[] positive(double[] y) {
        double[] out = y.clone();
        for (int i = 0; i < out.length; i++) out[i] = Math.max(out[i], 1e-12);
        return out;
    }

    /** Convenience: one series keyed by name. */
    public static Map<String, Series> of(String name, double[] x, double[] y) {
        Map<String, Series> m = new LinkedHashMap<>();
        m.put(name, new Series(x, y));
        return m;
    }

    /**
     * The decision regions of a 2-D classifier with the points on top. {@code predict} maps [n, 2] grid points
     * (row-major, x varying fastest) to per-point class probabilities [n][classes].
     */
    public static void decisionBoundary(Path file, String title, float[] xs, long[] labels, int classes,
                                        java.util.function.Function<float[], double[][]> predict) throws IOException {
        int n = labels.length;
        float minX = Float.MAX_VALUE, maxX = -Float.MAX_VALUE, minY = Float.MAX_VALUE, maxY = -Float.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, xs[2 * i]);
            maxX = Math.max(maxX, xs[2 * i]);
            minY = Math.min(minY, xs[2 * i + 1]);
            maxY = Math.max(maxY, xs[2 * i + 1]);
        }
        float padX = Math.max(1e-3f, (maxX - minX) * 0.08f), padY = Math.max(1e-3f, (maxY - minY) * 0.08f);
        minX -= padX; maxX += padX; minY -= padY; maxY += padY;

        int grid = 200, cell = 3, plot = grid * cell, left = 60, top = 50, right = 20, bottom = 50;
        float[] pts = new float[grid * grid * 2];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                int k = r * grid + c;
                pts[2 * k] = minX + (c + 0.5f) / grid * (maxX - minX);
                pts[2 * k + 1] = maxY - (r + 0.5f) / grid * (maxY - minY); // row 0 at the top
            }
        }
        double[][] prob = predict.apply(pts);

        BufferedImage img = new BufferedImage(left + plot + right, top + plot + bottom, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                double[] p = prob[r * grid + c];
                int best = 0;
                for (int j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
                // Lighter where the model is unsure: the boundary shows as a pale band.
                double conf = classes <= 1 ? 1 : (p[best] - 1.0 / classes) / (1 - 1.0 / classes);
                g.setColor(mix(PALETTE[best % PALETTE.length], Color.WHITE, 0.62 + 0.3 * (1 - conf)));
                g.fillRect(left + c * cell, top + r * cell, cell, cell);
            }
        }
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i < n; i++) {
            int px = left + (int) Math.round((xs[2 * i] - minX) / (maxX - minX) * plot);
            int py = top + (int) Math.round((maxY - xs[2 * i + 1]) / (maxY - minY) * plot);
            g.setColor(PALETTE[(int) labels[i] % PALETTE.length]);
            g.fillOval(px - 3, py - 3, 7, 7);
            g.setColor(Color.DARK_GRAY);
            g.drawOval(px - 3, py - 3, 7, 7);
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, plot, plot);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int t = 0; t <= 4; t++) {
            float vx = minX + t / 4f * (maxX - minX);
            float vy = maxY - t / 4f * (maxY - minY);
            int px = left + t * plot / 4, py = top + t * plot / 4;
            g.setColor(Color.GRAY);
            g.drawLine(px, top + plot, px, top + plot + 4);
            g.drawLine(left - 4, py, left, py);
            g.setColor(Color.DARK_GRAY);
            String sx = String.format(Locale.ROOT, "%.2f", vx), sy = String.format(Locale.ROOT, "%.2f", vy);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(sx, px - fm.stringWidth(sx) / 2, top + plot + 18);
            g.drawString(sy, left - 8 - fm.stringWidth(sy), py + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lx = left;
        for (int k = 0; k < classes; k++) {
            g.setColor(PALETTE[k % PALETTE.length]);
            g.fillOval(lx, top + plot + 30, 9, 9);
            g.setColor(Color.DARK_GRAY);
            g.drawString("class " + k, lx + 13, top + plot + 39);
            lx += 80;
        }
        g.dispose();
        writePng(file, img);
    }

    /** A confusion matrix: rows are true classes, columns predictions; cells shaded by the row's share. */
    public static void confusionMatrix(Path file, String title, long[][] counts, String[] names) throws IOException {
        int k = counts.length;
        int cellSize = Math.max(36, Math.min(70, 640 / Math.max(1, k)));
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        // Measure the labels and the title first, so that nothing is cut off.
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int longest = 0;
        for (String n : names) longest = Math.max(longest, probe.getFontMetrics(labelFont).stringWidth(n));
        int titleWidth = probe.getFontMetrics(titleFont).stringWidth(title);
        probe.dispose();
        int left = Math.max(60, longest + 40), top = 70, plot = cellSize * k;
        int below = (int) (longest * 0.75) + 45;
        int width = Math.max(left + plot + (int) (longest * 0.72) + 20, titleWidth + 40);
        BufferedImage img = new BufferedImage(width, top + plot + below, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(13, cellSize / 3)));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < k; i++) {
            long row = 0;
            for (long v : counts[i]) row += v;
            for (int j = 0; j < k; j++) {
                double share = row == 0 ? 0 : (double) counts[i][j] / row;
                Color base = i == j ? new Color(0x2ca02c) : new Color(0xd62728);
                g.setColor(mix(base, Color.WHITE, 1 - Math.sqrt(share) * 0.85));
                g.fillRect(left + j * cellSize, top + i * cellSize, cellSize, cellSize);
                g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                String s = Long.toString(counts[i][j]);
                g.drawString(s, left + j * cellSize + (cellSize - fm.stringWidth(s)) / 2,
                        top + i * cellSize + (cellSize + fm.getAscent()) / 2 - 2);
            }
        }
        g.setColor(Color.GRAY);
        for (int i = 0; i <= k; i++) {
            g.drawLine(left, top + i * cellSize, left + plot, top + i * cellSize);
            g.drawLine(left + i * cellSize, top, left + i * cellSize, top + plot);
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(labelFont);
        fm = g.getFontMetrics();
        for (int i = 0; i < k; i++) {
            String n = names[i];
            g.drawString(n, left - 8 - fm.stringWidth(n), top + i * cellSize + (cellSize + fm.getAscent()) / 2 - 2);
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + i * cellSize + cellSize / 2 - 3, top + plot + 10);
            r.rotate(Math.PI / 4);
            r.drawString(n, 0, 0);
            r.dispose();
        }
        g.setFont(titleFont);
        g.setColor(Color.BLACK);
        g.drawString(title, 20, 30);
        g.setFont(labelFont);
        g.drawString("rows: true class, columns: predicted class; green: correct, red: mistaken", 20, 50);
        g.dispose();
        writePng(file, img);
    }

    private static void writePng(Path file, BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private static Color mix(Color a, Color b, double t) {
        t = Math.max(0, Math.min(1, t));
        return new Color((int) Math.round(a.getRed() * (1 - t) + b.getRed() * t),
                (int) Math.round(a.getGreen() * (1 - t) + b.getGreen() * t),
                (int) Math.round(a.getBlue() * (1 - t) + b.getBlue() * t));
    }
}
