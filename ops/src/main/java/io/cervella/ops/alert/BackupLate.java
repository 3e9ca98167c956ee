package io.cervella.ops.alert;

import io.cervella.ops.facts.PlatformFacts.BackupFact;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * backup_late: a backup target's last good backup is older than {@code maxHours}. A target that has
 * never had one is measured from when this node first saw it, so a new target gets its time to run.
 */
public final class BackupLate implements RuleCheck {
    private final double maxHours;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    public BackupLate(double maxHours) {
        this.maxHours = maxHours;
    }

    @Override
    public List<Finding> check(RuleInputs in) {
        Duration allowed = Duration.ofSeconds(Math.round(maxHours * 3600));
        List<Finding> out = new ArrayList<>();
        for (BackupFact b : in.facts().backups()) {
            Instant from = b.lastSuccess() != null ? b.lastSuccess() : firstSeen.computeIfAbsent(b.target(), t -> in.now());
            Duration since = Duration.between(from, in.now());
            if (since.compareTo(allowed) > 0) {
                String what = b.lastSuccess() != null
                        ? "last good backup was " + hours(since) + " h ago (" + b.lastSuccess() + ")"
                        : "no good backup in the " + hours(since) + " h this node has watched it";
                out.add(new Finding(b.target(), "backup target " + b.target() + ": " + what + ", more than "
                        + hours(allowed) + " h" + (b.running() ? "; one is running now" : "")));
            }
        }
        return out;
    }

    private static String hours(Duration d) {
        String h = String.format(Locale.ROOT, "%.1f", d.toMinutes() / 60.0);
        return h.endsWith(".0") ? h.substring(0, h.length() - 2) : h;
    }
}
