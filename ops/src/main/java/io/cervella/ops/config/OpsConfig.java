package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;

/**
 * The {@code ops:} section: the latency objective the dashboard and the alerts measure against, the
 * monthly budget, dashboard sessions, alerts and uptime probes.
 */
public record OpsConfig(SloConfig slo, Double budgetUsdPerMonth, Integer sessionHours, AlertsConfig alerts,
                        ProbesConfig probes) {
    public OpsConfig {
        slo = slo == null ? SloConfig.defaults() : slo;
        budgetUsdPerMonth = budgetUsdPerMonth == null ? 400.0 : budgetUsdPerMonth;
        sessionHours = sessionHours == null ? 12 : sessionHours;
        alerts = alerts == null ? AlertsConfig.defaults() : alerts;
        probes = probes == null ? ProbesConfig.defaults() : probes;
        ConfigException.check(budgetUsdPerMonth >= 0, "ops.budget_usd_per_month", "must not be negative (0: no budget)");
        ConfigException.check(sessionHours >= 1 && sessionHours <= 24 * 30, "ops.session_hours", "must be between 1 and 720");
    }

    /** With each webhook's URL read from its environment variable where the config names one. */
    public OpsConfig withSecrets(java.util.function.Function<String, String> env) {
        AlertsConfig a = new AlertsConfig(alerts.intervalSeconds(), alerts.repeatMinutes(),
                alerts.webhooks().stream().map(w -> w.resolve(env)).toList(), alerts.rules());
        return new OpsConfig(slo, budgetUsdPerMonth, sessionHours, a, probes);
    }

    public static OpsConfig defaults() {
        return new OpsConfig(null, null, null, null, null);
    }
}
