package io.cervella.ops.alert;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Since when each condition has been true, as this node saw it: a rule's {@code for_seconds} counts
 * from there. Kept in memory (a restarted node starts counting again, which only delays a new alert).
 * Used by one evaluation at a time.
 */
final class PendingConditions {
    private final Map<AlertKey, Instant> trueSince = new HashMap<>();

    /** Notes that {@code key} is true at {@code now}; returns since when it has been. */
    Instant observe(AlertKey key, Instant now) {
        return trueSince.computeIfAbsent(key, k -> now);
    }

    /** Forgets the conditions of {@code judgedRules} that are no longer true; other rules' are kept. */
    void keepOnly(Set<AlertKey> trueNow, Set<String> judgedRules) {
        trueSince.keySet().removeIf(k -> judgedRules.contains(k.rule()) && !trueNow.contains(k));
    }
}
