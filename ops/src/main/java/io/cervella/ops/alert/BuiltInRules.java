package io.cervella.ops.alert;

import io.cervella.core.config.ConfigException;
import io.cervella.ops.config.AlertRuleConfig;
import io.cervella.ops.config.AlertsConfig;
import io.cervella.ops.config.OpsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The built-in rules, their defaults, and the config's changes to them. Thresholds are checked here
 * (each rule knows what range makes sense); a wrong one is a {@link ConfigException}.
 */
public final class BuiltInRules {
    /**
     * One rule's defaults. {@code threshold} null: the rule takes none. {@code min}/{@code max}: the
     * range a configured threshold must fall in. Backends and hosted apps must stay down for a minute
     * before anyone is woken up: a restart or a deploy should not page.
     */
    private record Defaults(String name, Severity severity, int forSeconds, Double threshold, double min, double max,
                            CheckMaker check) {}

    /** Makes a rule's check from the {@code ops:} section and the threshold (NaN for rules without one). */
    @FunctionalInterface
    private interface CheckMaker {
        RuleCheck make(OpsConfig ops, double threshold);
    }

    private static final List<Defaults> DEFAULTS = List.of(
            new Defaults("backend_down", Severity.CRITICAL, 60, null, 0, 0, (ops, t) -> new BackendDown()),
            new Defaults("slo_burn", Severity.WARNING, 0, 0.05, 0, 0.999, (ops, t) -> new SloBurn(ops.slo(), t)),
            new Defaults("budget_warning", Severity.WARNING, 0, 0.8, 0.01, 10,
                    (ops, t) -> new BudgetUse(ops.budgetUsdPerMonth(), t)),
            new Defaults("budget_exhausted", Severity.CRITICAL, 0, 1.0, 0.01, 10,
                    (ops, t) -> new BudgetUse(ops.budgetUsdPerMonth(), t)),
            new Defaults("backup_late", Severity.WARNING, 0, 26.0, 0.1, 24 * 365, (ops, t) -> new BackupLate(t)),
            new Defaults("backup_failed", Severity.CRITICAL, 0, null, 0, 0, (ops, t) -> new BackupFailed()),
            new Defaults("disk_full", Severity.WARNING, 0, 0.9, 0.01, 1, (ops, t) -> new DiskFull(t)),
            new Defaults("certificate_expiring", Severity.WARNING, 0, 14.0, 0.01, 3650, (ops, t) -> new CertificateExpiring(t)),
            new Defaults("upstream_down", Severity.CRITICAL, 60, null, 0, 0, (ops, t) -> new UpstreamDown()),
            new Defaults("probe_down", Severity.CRITICAL, 0, null, 0, 0, (ops, t) -> new ProbeDown()));

    static {
        if (!DEFAULTS.stream().map(Defaults::name).toList().equals(AlertsConfig.BUILT_IN_RULES)) {
            throw new AssertionError("BuiltInRules and AlertsConfig.BUILT_IN_RULES disagree");
        }
    }

    private BuiltInRules() {}

    /** Every built-in rule (disabled ones too, so that their alerts get resolved), the config applied. */
    public static List<Rule> resolve(OpsConfig ops) {
        Map<String, AlertRuleConfig> changes = ops.alerts().rules().stream()
                .collect(Collectors.toMap(AlertRuleConfig::name, r -> r));
        List<Rule> rules = new ArrayList<>();
        for (Defaults d : DEFAULTS) {
            AlertRuleConfig c = changes.get(d.name());
            String key = "ops.alerts.rules[" + d.name() + "]";
            Double threshold = d.threshold();
            if (c != null && c.threshold() != null) {
                ConfigException.check(d.threshold() != null, key + ".threshold", "this rule takes no threshold");
                ConfigException.check(c.threshold() >= d.min() && c.threshold() <= d.max(), key + ".threshold",
                        "must be between " + d.min() + " and " + d.max() + "; was " + c.threshold());
                threshold = c.threshold();
            }
            boolean enabled = c == null || c.enabled() == null || c.enabled();
            Severity severity = c != null && c.severity() != null ? Severity.of(c.severity()) : d.severity();
            int forSeconds = c != null && c.forSeconds() != null ? c.forSeconds() : d.forSeconds();
            RuleCheck check = d.check().make(ops, threshold == null ? Double.NaN : threshold);
            rules.add(new Rule(d.name(), enabled, severity, Duration.ofSeconds(forSeconds), check));
        }
        return List.copyOf(rules);
    }
}
