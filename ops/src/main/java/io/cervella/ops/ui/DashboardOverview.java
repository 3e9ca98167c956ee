package io.cervella.ops.ui;

import io.cervella.ops.config.OpsConfig;
import io.cervella.ops.facts.FactSource;
import io.cervella.ops.facts.HostingAdvice;
import io.cervella.ops.facts.PlatformFacts;
import io.cervella.ops.probe.ProbeSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Everything one dashboard page shows, gathered in one JSON document (GET /ui/api/overview). */
public final class DashboardOverview {
    /** The chart ranges the page offers, with the bucket count of each. */
    public enum Range {
        HOUR("1h", Duration.ofHours(1), 60), DAY("24h", Duration.ofHours(24), 96), WEEK("7d", Duration.ofDays(7), 84);

        final String label;
        final Duration window;
        final int buckets;

        Range(String label, Duration window, int buckets) {
            this.label = label;
            this.window = window;
            this.buckets = buckets;
        }

        public static Range parse(String text) {
            for (Range r : values()) {
                if (r.label.equals(text)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("range must be 1h, 24h or 7d");
        }
    }

    private final OpsConfig config;
    private final FactSource facts;
    private final LedgerViews ledger;
    private final Supplier<List<ProbeSummary>> probes;
    private final AlertFeed alerts;
    private final Clock clock;
    private final Supplier<HostingAdvice> advice;

    public DashboardOverview(OpsConfig config, FactSource facts, LedgerViews ledger, Supplier<List<ProbeSummary>> probes,
                             AlertFeed alerts, Clock clock) {
        this(config, facts, ledger, probes, alerts, clock, () -> null);
    }

    /** {@code advice}: the planner's current recommendation (null: no planner in this platform). */
    public DashboardOverview(OpsConfig config, FactSource facts, LedgerViews ledger, Supplier<List<ProbeSummary>> probes,
                             AlertFeed alerts, Clock clock, Supplier<HostingAdvice> advice) {
        this.advice = advice;
        this.config = config;
        this.facts = facts;
        this.ledger = ledger;
        this.probes = probes;
        this.alerts = alerts;
        this.clock = clock;
    }

    public Map<String, Object> build(Range range, String signedInAs) {
        Instant now = clock.instant();
        PlatformFacts f = facts.now();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generated_at", now.toString());
        out.put("signed_in_as", signedInAs);
        out.put("range", range.label);
        out.put("slo", Map.of("ttft_p95_seconds", config.slo().ttftP95Seconds(), "window_minutes", config.slo().windowMinutes()));
        out.put("layers", f.layers().stream().map(l -> Map.of("name", l.name(), "state", l.state().name().toLowerCase(),
                "detail", l.detail() == null ? "" : l.detail())).toList());
        out.put("backends", f.backends().stream().map(b -> Map.of("name", b.name(), "models", b.models(), "healthy", b.healthy(),
                "detail", b.detail() == null ? "" : b.detail())).toList());
        try {
            ledgerSections(out, now, range);
        } catch (RuntimeException e) {
            // the layers' state still shows when the ledger cannot be read (the database is what failed)
            out.put("ledger_error", "the usage ledger could not be read: " + e.getMessage());
            out.put("latency", Map.of("with_first_token", 0, "sampled", false));
            out.put("traffic", Map.of("bucket_seconds", 0, "points", List.of()));
            out.put("cost", Map.of("month", "", "total_usd", 0.0, "budget_usd", config.budgetUsdPerMonth(),
                    "by_model", List.of(), "by_backend", List.of(), "by_key", List.of()));
        }
        out.put("backups", f.backups().stream().map(b -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", b.target());
            m.put("last_success", b.lastSuccess() == null ? null : b.lastSuccess().toString());
            m.put("age_seconds", b.lastSuccess() == null ? null : Duration.between(b.lastSuccess(), now).toSeconds());
            m.put("failed", b.lastFailure() != null && (b.lastSuccess() == null || b.lastFailure().isAfter(b.lastSuccess())));
            m.put("last_error", b.lastError());
            m.put("running", b.running());
            return m;
        }).toList());
        out.put("devices", f.devices().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key_id", d.keyId());
            m.put("name", d.name());
            m.put("last_sync", d.lastSync() == null ? null : d.lastSync().toString());
            m.put("age_seconds", d.lastSync() == null ? null : Duration.between(d.lastSync(), now).toSeconds());
            return m;
        }).toList());
        out.put("apps", f.apps().stream().map(a -> Map.of("name", a.name(), "up", a.anyHealthy(),
                "upstreams", a.upstreams().stream().map(u -> Map.of("url", u.url(), "healthy", u.healthy(),
                        "circuit", u.circuit(), "in_flight", u.inFlight())).toList())).toList());
        out.put("probes", probes.get().stream().map(ProbeSummary::toJson).toList());
        out.put("certificates", f.certificates().stream().map(c -> Map.of("name", c.name(), "not_after", c.notAfter().toString(),
                "days_left", Duration.between(now, c.notAfter()).toDays())).toList());
        out.put("disk", Map.of("path", f.disk().path(), "used_share", f.disk().usedShare(), "usable_bytes", f.disk().usableBytes()));
        out.put("alerts", Map.of("firing", alerts.firing().stream().map(DashboardOverview::alert).toList(),
                "recent", alerts.recent(20).stream().map(DashboardOverview::alert).toList()));
        HostingAdvice a = advice.get();
        if (a != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("made_at", a.madeAt().toString());
            m.put("option", a.option());
            m.put("architecture", a.architecture());
            m.put("usd_per_month", a.usdPerMonth());
            m.put("meets_all_targets", a.meetsAllTargets());
            m.put("reasons", a.reasons());
            m.put("sensitivity", a.sensitivity());
            m.put("catalog_stale", a.catalogStale());
            m.put("traffic", a.traffic());
            m.put("problem", a.problem());
            out.put("hosting", m);
        }
        return out;
    }

    private void ledgerSections(Map<String, Object> out, Instant now, Range range) {
        LedgerViews.Series series = ledger.series(now, range.window, range.buckets);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("ttft_p95_ms", series.ttftP95Ms());
        latency.put("with_first_token", series.withFirstToken());
        latency.put("sampled", series.sampled());
        out.put("latency", latency);
        out.put("traffic", Map.of("bucket_seconds", series.bucketSeconds(), "points", series.points().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", p.epochSecond());
            m.put("requests", p.requests());
            m.put("errors", p.errors());
            m.put("tokens", p.tokens());
            m.put("ttft_p95_ms", p.ttftP95Ms());
            return m;
        }).toList()));
        LedgerViews.MonthCost cost = ledger.month(now);
        out.put("cost", Map.of("month", cost.month(), "total_usd", cost.totalUsd(), "budget_usd", config.budgetUsdPerMonth(),
                "by_model", cost.byModel(), "by_backend", cost.byBackend(), "by_key", cost.byKey()));
    }

    private static Map<String, Object> alert(AlertRow a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", a.at() == null ? null : a.at().toString());
        m.put("rule", a.rule());
        m.put("subject", a.subject());
        m.put("state", a.state());
        m.put("severity", a.severity());
        m.put("summary", a.summary());
        return m;
    }
}
