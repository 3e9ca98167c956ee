package io.cervella.planner.report;

import io.cervella.core.http.Json;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.perf.Rate;
import io.cervella.planner.plan.Architecture;
import io.cervella.planner.plan.Assumptions;
import io.cervella.planner.plan.CostItem;
import io.cervella.planner.plan.Evaluation;
import io.cervella.planner.plan.Plan;
import io.cervella.planner.workload.Workload;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The plan as JSON (`cervella plan --format json`, and what the dashboard shows): every figure the
 * text report prints, with snake_case keys; money in USD per month, times in seconds, availability as
 * a fraction.
 */
public final class JsonReport {
    private JsonReport() {}

    public static ObjectNode toJson(Plan plan) {
        ObjectNode root = Json.object();
        root.put("plan", 1);
        root.put("date", plan.today().toString());
        Catalog.Staleness s = plan.staleness();
        ObjectNode catalog = root.putObject("catalog");
        catalog.put("stale", s.stale());
        catalog.put("oldest_age_days", s.oldestAgeDays());
        catalog.put("max_age_days", plan.assumptions().maxAgeDays());
        ArrayNode oldest = catalog.putArray("oldest");
        s.oldest().forEach(e -> oldest.addObject().put("offer", e.offer().id()).put("read", e.offer().read().toString()));
        ArrayNode files = catalog.putArray("files");
        plan.catalogFiles().forEach(files::add);
        root.set("workload", workload(plan.workload()));

        Plan.Recommendation r = plan.recommendation();
        ObjectNode rec = root.putObject("recommendation");
        rec.put("option", r.winner().name());
        rec.put("architecture", r.winner().architecture().label());
        rec.put("meets_all_targets", r.meetsAll());
        rec.put("usd_per_month", round(r.winner().usdPerMonth()));
        r.reasons().forEach(rec.putArray("reasons")::add);
        r.sensitivity().forEach(rec.putArray("sensitivity")::add);
        if (r.runnerUp() != null) {
            rec.put("runner_up", r.runnerUp().name());
        }

        ArrayNode best = root.putArray("best_by_architecture");
        for (Map.Entry<Architecture, Evaluation> e : plan.bestByArchitecture().entrySet()) {
            best.add(evaluation(e.getValue(), true));
        }
        ArrayNode ranked = root.putArray("ranked");
        plan.ranked().forEach(e -> ranked.add(evaluation(e, false)));

        ArrayNode load = root.putArray("cost_vs_load");
        for (Plan.LoadPoint p : plan.costVsLoad()) {
            ObjectNode point = load.addObject();
            point.put("factor", p.factor());
            point.put("requests_per_day", round(p.requestsPerDay()));
            ObjectNode costs = point.putObject("usd_per_month");
            for (Architecture a : Architecture.values()) {
                Evaluation e = p.best().get(a);
                if (e == null) {
                    costs.putNull(a.label());
                } else {
                    costs.put(a.label(), round(e.usdPerMonth()));
                }
            }
        }
        ObjectNode not = root.putObject("not_evaluated");
        plan.notEvaluated().forEach(not::put);
        root.set("assumptions", assumptions(plan.assumptions()));
        return root;
    }

    static ObjectNode workload(Workload w) {
        ObjectNode o = Json.object();
        o.put("name", w.name());
        o.put("model", w.model().name());
        o.put("requests_per_day", w.requestsPerDay());
        o.put("busiest_hour_requests", round(w.peakHourRequests()));
        o.put("prompt_tokens", w.promptTokens());
        o.put("completion_tokens", w.completionTokens());
        o.put("peak_concurrency", w.peakConcurrency());
        o.put("ttft_p95_seconds", w.ttftP95Seconds());
        o.put("uptime_percent", w.uptimePercent());
        o.put("budget_usd_per_month", w.budgetUsdPerMonth());
        return o;
    }

    static ObjectNode evaluation(Evaluation e, boolean details) {
        ObjectNode o = Json.object();
        o.put("option", e.name());
        o.put("architecture", e.architecture().label());
        o.put("usd_per_month", round(e.usdPerMonth()));
        o.put("replicas", e.replicas());
        o.put("slots_per_replica", e.slotsPerReplica());
        o.put("ttft_p95_seconds", finite(e.ttftP95Seconds()));
        o.put("burst_ttft_seconds", finite(e.burstTtftSeconds()));
        o.put("availability", e.availability());
        o.put("availability_assumed", e.availabilityAssumed());
        o.put("latency_met", e.latencyMet());
        o.put("uptime_met", e.uptimeMet());
        o.put("within_budget", e.withinBudget());
        o.put("service_seconds", round(e.serviceSeconds()));
        o.put("cold_start_share", e.coldStartShare());
        if (!details) {
            return o;
        }
        o.put("availability_basis", e.availabilityBasis());
        ObjectNode perf = o.putObject("performance");
        perf.set("prefill", rate(e.performance().prefill()));
        perf.set("decode", rate(e.performance().decode()));
        ArrayNode costs = o.putArray("costs");
        for (CostItem c : e.costs()) {
            costs.addObject().put("what", c.what()).put("offer", c.offerId()).put("basis", c.basis()).put("usd_per_month", round(c.usdPerMonth()));
        }
        e.singlePointsOfFailure().forEach(o.putArray("single_points_of_failure")::add);
        e.lockIn().forEach(o.putArray("lock_in")::add);
        e.notes().forEach(o.putArray("notes")::add);
        return o;
    }

    static ObjectNode rate(Rate r) {
        return Json.object().put("tokens_per_second", round(r.tokensPerSecond())).put("source", r.source().label()).put("detail", r.detail());
    }

    static ObjectNode assumptions(Assumptions a) {
        return Json.object().put("hours_per_month", a.hoursPerMonth()).put("eur_usd", a.eurUsd()).put("slots_per_gpu", a.slotsPerGpu())
                .put("bandwidth_efficiency", a.bandwidthEfficiency()).put("percent_without_sla", a.percentWithoutSla())
                .put("spot_percent", a.spotPercent()).put("serverless_idle_seconds", a.serverlessIdleSeconds())
                .put("max_replicas", a.maxReplicas()).put("gpu_memory_usable", a.gpuMemoryUsable());
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** JSON has no infinity: an unstable queue's time is null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? round(v) : null;
    }
}
