package io.cervella.planner.report;

import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.plan.Architecture;
import io.cervella.planner.plan.CostItem;
import io.cervella.planner.plan.Evaluation;
import io.cervella.planner.Numbers;
import io.cervella.planner.plan.Plan;
import io.cervella.planner.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The plan as one HTML file (`cervella plan --format html`): the recommendation and its reasons, a
 * chart of each architecture's cost, a chart of cost against load, the bill, the ranking and what
 * could not be evaluated. No script, no external resource: it opens anywhere and can be mailed.
 */
public final class HtmlReport {
    /** Options listed in the ranking. */
    static final int TOP = 25;

    private HtmlReport() {}

    private static final String STYLE = """
            body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2430}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
            table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dde2ea}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            .stale{background:#fff3cd;border:1px solid #e0b700;padding:.6rem 1rem}
            .winner{background:#eef6ee;border:1px solid #7bb77b;padding:.8rem 1rem}.compromise{background:#fdf2e9;border:1px solid #d9924a;padding:.8rem 1rem}
            svg.chart{width:100%;height:auto;font-size:12px}svg text{fill:#1d2430}
            rect.met{fill:#4c9a5b}rect.uptime{fill:#d9a23f}rect.missed{fill:#c4554d}
            line.axis{stroke:#7a8494}line.limit{stroke:#c4554d;stroke-dasharray:5 4}
            polyline{fill:none;stroke-width:2.5}
            .a-A{stroke:#1f77b4}.a-B{stroke:#ff7f0e}.a-C{stroke:#2ca02c}.a-D{stroke:#9467bd}.a-E{stroke:#8c564b}.a-other{stroke:#7f7f7f}
            small{color:#5b6575}
            """;

    public static String render(Plan plan) {
        Workload w = plan.workload();
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        h.append("<title>").append(Html.escape("Plan for " + w.name())).append("</title><style>").append(STYLE).append("</style></head><body>");
        h.append("<h1>").append(Html.escape("Where to run " + w.name() + " (" + w.model().name() + ")")).append("</h1>");
        h.append("<p><small>").append(Html.escape("Made " + plan.today() + " by cervella plan from " + String.join(", ", plan.catalogFiles())))
                .append("</small></p>");
        Catalog.Staleness s = plan.staleness();
        if (s.stale()) {
            h.append("<p class=\"stale\">").append(Html.escape(String.format(Locale.ROOT,
                    "The catalog is stale: its oldest entry was read %d days ago (limit %d): %s. Check these prices before deciding.",
                    s.oldestAgeDays(), plan.assumptions().maxAgeDays(),
                    String.join(", ", s.oldest().stream().map(e -> e.offer().id() + " (" + e.offer().read() + ")").toList())))).append("</p>");
        }
        h.append("<p>").append(Html.escape(String.format(Locale.ROOT,
                "Workload: %s requests a day (%s in the busiest hour), %s prompt and %s completion tokens, up to %d at once. "
                        + "Targets: first token within %s s (p95), %s uptime, %s.",
                Format.number(w.requestsPerDay()), Format.number(Math.round(w.peakHourRequests())), Format.number(w.promptTokens()),
                Format.number(w.completionTokens()), w.peakConcurrency(), Format.number(w.ttftP95Seconds()), Numbers.percent(w.uptimePercent()),
                w.budgetUsdPerMonth() > 0 ? "at most " + Format.usd(w.budgetUsdPerMonth()) + " USD a month" : "no budget set"))).append("</p>");

        Plan.Recommendation r = plan.recommendation();
        Evaluation win = r.winner();
        h.append("<div class=\"").append(r.meetsAll() ? "winner" : "compromise").append("\"><h2 style=\"margin-top:0\">")
                .append(Html.escape((r.meetsAll() ? "Recommended: " : "Best compromise (no option meets every target): ") + win.name()
                        + " — " + Format.usd(win.usdPerMonth()) + " USD a month"))
                .append("</h2><p>").append(Html.escape(win.architecture().label() + ": " + win.architecture().description())).append("</p><ul>");
        r.reasons().forEach(x -> h.append("<li>").append(Html.escape(x)).append("</li>"));
        h.append("</ul><p><b>What would change it</b></p><ul>");
        r.sensitivity().forEach(x -> h.append("<li>").append(Html.escape(x)).append("</li>"));
        h.append("</ul></div>");

        h.append("<h2>Cost per option</h2><p><small>Each architecture's best-ranked option; green: meets every target, amber: misses only the uptime target, red: misses latency or budget.</small></p>");
        List<Svg.Bar> bars = new ArrayList<>();
        for (Map.Entry<Architecture, Evaluation> e : plan.bestByArchitecture().entrySet()) {
            Evaluation ev = e.getValue();
            String css = ev.meetsAll() ? "met" : ev.latencyMet() && ev.withinBudget() ? "uptime" : "missed";
            bars.add(new Svg.Bar(e.getKey().label() + " · " + ev.name(), ev.usdPerMonth(), css));
        }
        h.append(Svg.bars(bars, w.budgetUsdPerMonth(), "USD"));

        h.append("<h2>Cost against load</h2><p><small>Each architecture's cheapest option that still meets the latency target (each with the replicas the ranking chose), from a quarter of today's requests to sixteen times as many; the dashed line is the budget.</small></p>");
        List<Svg.Series> series = new ArrayList<>();
        for (Architecture a : Architecture.values()) {
            List<double[]> points = new ArrayList<>();
            boolean any = false;
            for (Plan.LoadPoint p : plan.costVsLoad()) {
                Evaluation e = p.best().get(a);
                points.add(new double[] {p.requestsPerDay(), e == null ? Double.NaN : e.usdPerMonth()});
                any |= e != null;
            }
            if (any) {
                series.add(new Svg.Series(a.label() + ": " + a.description(), "a-" + a.label(), points));
            }
        }
        h.append(w.requestsPerDay() == 0 ? "<p>The workload has no requests: there is no load to scale.</p>"
                : series.isEmpty() ? "<p>No option meets the latency target at any load.</p>" : Svg.lines(series, w.budgetUsdPerMonth()));

        h.append("<h2>The recommended option's bill</h2><table><tr><th>Item</th><th>Offer</th><th>Basis</th><th>USD a month</th></tr>");
        for (CostItem c : win.costs()) {
            h.append("<tr><td>").append(Html.escape(c.what())).append("</td><td>").append(Html.escape(c.offerId() == null ? "—" : c.offerId()))
                    .append("</td><td>").append(Html.escape(c.basis())).append("</td><td class=\"n\">").append(Format.usd(c.usdPerMonth())).append("</td></tr>");
        }
        h.append("<tr><th colspan=\"3\">Total</th><th class=\"n\">").append(Format.usd(win.usdPerMonth())).append("</th></tr></table><ul>");
        win.notes().forEach(n -> h.append("<li><small>").append(Html.escape(n)).append("</small></li>"));
        h.append("</ul>");

        h.append("<h2>Best of each architecture</h2>");
        table(h, new ArrayList<>(plan.bestByArchitecture().values()), true);
        h.append("<h2>Ranking</h2><p><small>Top ").append(Math.min(TOP, plan.ranked().size())).append(" of ").append(plan.ranked().size())
                .append(" options. * availability rests on assumed figures where no SLA is published.</small></p>");
        table(h, plan.ranked().stream().limit(TOP).toList(), false);

        if (!plan.notEvaluated().isEmpty()) {
            h.append("<h2>Not evaluated</h2><ul>");
            plan.notEvaluated().forEach((k, v) -> h.append("<li><b>").append(Html.escape(k)).append("</b>: ").append(Html.escape(v)).append("</li>"));
            h.append("</ul>");
        }
        StringBuilder assumptions = new StringBuilder();
        TableReport.assumptions(plan.assumptions(), assumptions);
        h.append("<h2>Assumptions</h2><p>").append(Html.escape(assumptions.toString().trim().replaceFirst("^Assumptions: ", ""))).append("</p>");
        return h.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder h, List<Evaluation> rows, boolean details) {
        h.append("<table><tr><th>Arch</th><th>Option</th><th>USD a month</th><th>Replicas</th><th>TTFT p95 s</th><th>Burst s</th><th>Availability</th><th>Targets</th>");
        if (details) {
            h.append("<th>Single points of failure</th><th>Lock-in</th>");
        }
        h.append("</tr>");
        for (Evaluation e : rows) {
            h.append("<tr><td>").append(e.architecture().label()).append("</td><td>").append(Html.escape(e.name())).append("</td><td class=\"n\">")
                    .append(Format.usd(e.usdPerMonth())).append("</td><td class=\"n\">").append(e.replicas() == 0 ? "—" : e.replicas())
                    .append("</td><td class=\"n\">").append(Format.seconds(e.ttftP95Seconds())).append("</td><td class=\"n\">")
                    .append(Format.seconds(e.burstTtftSeconds())).append("</td><td class=\"n\">").append(Numbers.share(e.availability()))
                    .append("</td><td>").append(Html.escape(Format.targets(e))).append("</td>");
            if (details) {
                h.append("<td>").append(Html.escape(String.join("; ", e.singlePointsOfFailure()))).append("</td><td>")
                        .append(Html.escape(String.join(" ", e.lockIn()))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }
}
