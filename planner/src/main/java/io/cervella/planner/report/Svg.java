package io.cervella.planner.report;

import java.util.List;
import java.util.Locale;

/** Two small charts drawn as inline SVG, so the report is one file with no script and no network. */
final class Svg {
    private Svg() {}

    record Bar(String label, double value, String cssClass) {}

    record Series(String label, String cssClass, List<double[]> points) {}

    /** Horizontal bars with their values, and a dashed line at {@code limit} when above 0. */
    static String bars(List<Bar> bars, double limit, String unit) {
        int rowHeight = 28;
        // wide enough for the longest label at about 6.6 px a character of the chart's 12 px font
        int labelWidth = (int) Math.max(160, 10 + 6.6 * bars.stream().mapToInt(b -> b.label().length()).max().orElse(20));
        int plotWidth = 420;
        int height = bars.size() * rowHeight + 30;
        double max = Math.max(1e-9, Math.max(limit, bars.stream().mapToDouble(Bar::value).max().orElse(1))) * 1.1;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">", labelWidth + plotWidth + 90, height));
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = i * rowHeight + 6;
            double w = b.value() / max * plotWidth;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", labelWidth - 8, y + 15, Html.escape(b.label())));
            s.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\"/>", b.cssClass(), labelWidth, y, w));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", labelWidth + w + 6, y + 15, Html.escape(Format.usd(b.value()) + " " + unit)));
        }
        if (limit > 0) {
            double x = labelWidth + limit / max * plotWidth;
            s.append(String.format(Locale.ROOT, "<line class=\"limit\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\"/>", x, x, height - 18));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">budget %s</text>", x, height - 4, Format.usd(limit)));
        }
        return s.append("</svg>").toString();
    }

    /** Lines over a logarithmic x axis (requests a day), a linear y axis (USD a month), a legend. */
    static String lines(List<Series> series, double limit) {
        int left = 70, top = 10, width = 560, height = 300;
        double minX = Double.MAX_VALUE, maxX = 0, maxY = limit;
        for (Series se : series) {
            for (double[] p : se.points()) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                if (!Double.isNaN(p[1])) {
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        if (maxX == 0) {
            return "<p>No option meets the latency target at any load.</p>";
        }
        maxY = Math.max(1e-9, maxY * 1.1);
        final double lo = Math.log(minX), span = Math.max(1e-9, Math.log(maxX) - Math.log(minX)), yMax = maxY;
        java.util.function.DoubleUnaryOperator px = x -> left + (Math.log(x) - lo) / span * width;
        java.util.function.DoubleUnaryOperator py = y -> top + height - y / yMax * height;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">", left + width + 330, top + height + 40));
        s.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, top + height, left + width, top + height));
        s.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, top, left, top + height));
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>", left - 6, py.applyAsDouble(v) + 4, v));
        }
        for (double[] p : series.getFirst().points()) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>", px.applyAsDouble(p[0]), top + height + 16, p[0]));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">requests a day (log scale) · USD a month</text>",
                left + width / 2, top + height + 34));
        if (limit > 0) {
            s.append(String.format(Locale.ROOT, "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", left, py.applyAsDouble(limit),
                    left + width, py.applyAsDouble(limit)));
        }
        int legend = 0;
        for (Series se : series) {
            StringBuilder path = new StringBuilder();
            for (double[] p : se.points()) {
                if (!Double.isNaN(p[1])) {
                    path.append(String.format(Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(p[0]), py.applyAsDouble(p[1])));
                }
            }
            if (path.isEmpty()) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "<polyline class=\"%s\" points=\"%s\"/>", se.cssClass(), path.toString().trim()));
            int ly = top + 14 + legend++ * 18;
            s.append(String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", se.cssClass(), left + width + 14, ly - 4,
                    left + width + 34, ly - 4));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", left + width + 40, ly, Html.escape(se.label())));
        }
        return s.append("</svg>").toString();
    }
}
