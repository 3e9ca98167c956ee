package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Alerts: how often the rules are evaluated, whether a firing alert is repeated, the webhooks, and
 * changes to the built-in rules. The built-in rules and what their threshold means:
 * {@code backend_down} (—), {@code slo_burn} (the share of the window's requests allowed over the
 * objective, default 0.05), {@code budget_warning} (share of the monthly budget, 0.8),
 * {@code budget_exhausted} (1.0), {@code backup_late} (hours since the last good backup, 26),
 * {@code backup_failed} (—), {@code disk_full} (share of the data directory's disk used, 0.9),
 * {@code certificate_expiring} (days left, 14), {@code upstream_down} (—), {@code probe_down} (—).
 */
public record AlertsConfig(Integer intervalSeconds, Integer repeatMinutes, List<WebhookConfig> webhooks,
                           List<AlertRuleConfig> rules) {
    /** The names {@code rules[].name} may take. */
    public static final List<String> BUILT_IN_RULES = List.of("backend_down", "slo_burn", "budget_warning",
            "budget_exhausted", "backup_late", "backup_failed", "disk_full", "certificate_expiring", "upstream_down",
            "probe_down");

    public AlertsConfig {
        intervalSeconds = intervalSeconds == null ? 30 : intervalSeconds;
        repeatMinutes = repeatMinutes == null ? 0 : repeatMinutes;
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        rules = rules == null ? List.of() : List.copyOf(rules);
        ConfigException.check(intervalSeconds >= 1, "ops.alerts.interval_seconds", "must be at least 1");
        ConfigException.check(repeatMinutes >= 0, "ops.alerts.repeat_minutes", "must not be negative (0: never repeat)");
        Set<String> names = new HashSet<>();
        for (WebhookConfig w : webhooks) {
            ConfigException.check(names.add(w.name()), "ops.alerts.webhooks", "'" + w.name() + "' is used twice");
        }
        Set<String> ruleNames = new HashSet<>();
        for (AlertRuleConfig r : rules) {
            ConfigException.check(ruleNames.add(r.name()), "ops.alerts.rules", "'" + r.name() + "' is listed twice");
            ConfigException.check(BUILT_IN_RULES.contains(r.name()), "ops.alerts.rules[" + r.name() + "].name",
                    "is not a built-in rule (" + String.join(", ", BUILT_IN_RULES) + ")");
        }
    }

    public static AlertsConfig defaults() {
        return new AlertsConfig(null, null, null, null);
    }
}
