package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;
import java.util.Set;

/**
 * One alert rule: a built-in one changed by name (turned off, another threshold) or its values.
 * {@code threshold}'s meaning is the rule's (AlertsConfig lists them); {@code for_seconds}: how long a
 * condition must hold before it fires.
 */
public record AlertRuleConfig(String name, Boolean enabled, Double threshold, Integer forSeconds, String severity) {
    static final Set<String> SEVERITIES = Set.of("warning", "critical");

    public AlertRuleConfig {
        ConfigException.check(name != null && !name.isBlank(), "ops.alerts.rules[].name", "is required");
        ConfigException.check(severity == null || SEVERITIES.contains(severity), "ops.alerts.rules[" + name + "].severity",
                "must be warning or critical");
        ConfigException.check(forSeconds == null || forSeconds >= 0, "ops.alerts.rules[" + name + "].for_seconds",
                "must not be negative");
    }
}
