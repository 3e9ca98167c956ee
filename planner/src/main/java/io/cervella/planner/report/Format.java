package io.cervella.planner.report;

import io.cervella.planner.plan.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Bare numbers for table cells, shared by the reports (sentences with units use {@code plan.Numbers}). */
final class Format {
    private Format() {}

    static String usd(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String seconds(double v) {
        return Double.isInfinite(v) ? "∞" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String number(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** "latency, uptime*, budget" for the targets an option misses (* = on assumed figures); "all met" otherwise. */
    static String targets(Evaluation e) {
        List<String> m = new ArrayList<>();
        if (!e.latencyMet()) {
            m.add("latency");
        }
        if (!e.uptimeMet()) {
            m.add(e.availabilityAssumed() ? "uptime*" : "uptime");
        }
        if (!e.withinBudget()) {
            m.add("budget");
        }
        return m.isEmpty() ? (e.availabilityAssumed() ? "all met*" : "all met") : "misses " + String.join(", ", m);
    }
}
