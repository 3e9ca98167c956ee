package io.cervella.ops.alert;

import io.cervella.ops.config.SloConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * slo_burn: over the SLO's window, more than {@code allowedShare} of a model's requests took longer
 * than the objective to their first token. Models with fewer than {@link #MIN_REQUESTS} requests in the
 * window are not judged: with a handful, one slow request would be a large share.
 */
public record SloBurn(SloConfig slo, double allowedShare) implements RuleCheck {
    /** The fewest requests (with a first token) in the window for a model's share to count. */
    public static final int MIN_REQUESTS = 20;

    @Override
    public List<Finding> check(RuleInputs in) {
        double objectiveMs = slo.ttftP95Seconds() * 1000;
        return in.ledger().firstTokenTimes(in.now().minus(Duration.ofMinutes(slo.windowMinutes())), in.now(), objectiveMs)
                .stream()
                .filter(m -> m.requests() >= MIN_REQUESTS && m.slowShare() > allowedShare)
                .map(m -> new Finding(m.model(), String.format(Locale.ROOT,
                        "model %s: %.1f%% of %d requests in the last %d min took over %s s to the first token (allowed %.1f%%)",
                        m.model(), m.slowShare() * 100, m.requests(), slo.windowMinutes(),
                        trim(slo.ttftP95Seconds()), allowedShare * 100)))
                .toList();
    }

    private static String trim(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
