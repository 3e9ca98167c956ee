package io.cervella.planner;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How the planner writes numbers into reasons and bills: so that a reader can redo the sum. */
public final class Numbers {
    private Numbers() {}

    /** Six significant digits, no trailing zeros: 0.000164, 0.134, 730, 2628000. */
    public static String plain(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "?" : "∞";
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** "384.52 USD". */
    public static String usd(double v) {
        return String.format(Locale.ROOT, "%.2f USD", v);
    }

    /** A percentage as given (99.9%, 99.95%), at most three decimals. */
    public static String percent(double percent) {
        return plain(Math.round(percent * 1000) / 1000.0) + "%";
    }

    /** A fraction as a percentage with three decimals: 0.98901 → 98.901%. */
    public static String share(double fraction) {
        return String.format(Locale.ROOT, "%.3f%%", fraction * 100);
    }

    /** Seconds with two decimals; an unstable queue's wait has no bound. */
    public static String seconds(double v) {
        return Double.isInfinite(v) ? "∞ (the queue grows without bound)" : String.format(Locale.ROOT, "%.2f s", v);
    }

    /** Requests a day: whole above ten, two decimals below (a quiet ledger measures a fraction a day). */
    public static String perDay(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.2f", v);
    }
}
