package io.cervella.planner.report;

import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.plan.Architecture;
import io.cervella.planner.plan.Assumptions;
import io.cervella.planner.plan.CostItem;
import io.cervella.planner.plan.Evaluation;
import io.cervella.planner.Numbers;
import io.cervella.planner.plan.Plan;
import io.cervella.planner.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The plan as plain text for a terminal: the recommendation first, then the tables behind it. */
public final class TableReport {
    /** Options listed in the ranking beyond each architecture's best. */
    static final int TOP = 12;

    private TableReport() {}

    public static String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        Workload w = plan.workload();
        out.append("Plan for ").append(w.name()).append(" (").append(w.model().name()).append("), ").append(plan.today()).append('\n');
        staleness(plan, out);
        out.append(String.format(Locale.ROOT, "Workload: %s requests/day, busiest hour %s (%.3f/s), prompt %s / completion %s tokens, peak concurrency %d%n",
                Format.number(w.requestsPerDay()), Format.number(Math.round(w.peakHourRequests())), w.peakRequestsPerSecond(),
                Format.number(w.promptTokens()), Format.number(w.completionTokens()), w.peakConcurrency()));
        out.append(String.format(Locale.ROOT, "Targets: TTFT p95 ≤ %s s, uptime %s, budget %s%n%n", Format.number(w.ttftP95Seconds()),
                Numbers.percent(w.uptimePercent()), w.budgetUsdPerMonth() > 0 ? Format.usd(w.budgetUsdPerMonth()) + " USD/month" : "none"));

        Plan.Recommendation r = plan.recommendation();
        Evaluation win = r.winner();
        out.append(r.meetsAll() ? "RECOMMENDED: " : "BEST COMPROMISE (no option meets every target): ")
                .append(win.name()).append(" — ").append(win.architecture().label()).append(": ").append(win.architecture().description())
                .append(", ").append(Format.usd(win.usdPerMonth())).append(" USD/month\n");
        for (String s : r.reasons()) {
            out.append("  - ").append(s).append('\n');
        }
        out.append("What would change it:\n");
        for (String s : r.sensitivity()) {
            out.append("  - ").append(s).append('\n');
        }
        out.append("\nIts monthly bill:\n");
        List<String[]> bill = new ArrayList<>();
        bill.add(new String[] {"ITEM", "OFFER", "BASIS", "USD/MONTH"});
        for (CostItem c : win.costs()) {
            bill.add(new String[] {c.what(), c.offerId() == null ? "-" : c.offerId(), c.basis(), Format.usd(c.usdPerMonth())});
        }
        bill.add(new String[] {"total", "", "", Format.usd(win.usdPerMonth())});
        table(bill, out);
        for (String n : win.notes()) {
            out.append("  note: ").append(n).append('\n');
        }

        out.append("\nBest of each architecture (* = rests on assumed availability where no SLA is published):\n");
        List<String[]> best = new ArrayList<>();
        best.add(header());
        for (Map.Entry<Architecture, Evaluation> e : plan.bestByArchitecture().entrySet()) {
            best.add(row(e.getValue()));
        }
        table(best, out);
        out.append("\nRanking (top ").append(Math.min(TOP, plan.ranked().size())).append(" of ").append(plan.ranked().size()).append("):\n");
        List<String[]> top = new ArrayList<>();
        top.add(header());
        plan.ranked().stream().limit(TOP).forEach(e -> top.add(row(e)));
        table(top, out);

        out.append("\nSingle points of failure and lock-in, per architecture's best:\n");
        for (Map.Entry<Architecture, Evaluation> e : plan.bestByArchitecture().entrySet()) {
            out.append("  ").append(e.getKey().label()).append(" ").append(e.getValue().name()).append('\n');
            e.getValue().singlePointsOfFailure().forEach(s -> out.append("    SPOF: ").append(s).append('\n'));
            e.getValue().lockIn().forEach(s -> out.append("    lock-in: ").append(s).append('\n'));
        }

        out.append("\nCost vs load (USD/month of each architecture's cheapest option under the latency target, each with the replicas"
                + " the ranking chose; - : none):\n");
        List<String[]> load = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("REQUESTS/DAY"));
        for (Architecture a : Architecture.values()) {
            head.add(a.label());
        }
        load.add(head.toArray(String[]::new));
        for (Plan.LoadPoint p : plan.costVsLoad()) {
            List<String> cells = new ArrayList<>(List.of(Format.number(Math.round(p.requestsPerDay()))));
            for (Architecture a : Architecture.values()) {
                Evaluation e = p.best().get(a);
                cells.add(e == null ? "-" : Format.usd(e.usdPerMonth()));
            }
            load.add(cells.toArray(String[]::new));
        }
        table(load, out);

        if (!plan.notEvaluated().isEmpty()) {
            out.append("\nNot evaluated:\n");
            plan.notEvaluated().forEach((k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        assumptions(plan.assumptions(), out);
        return out.toString();
    }

    static void staleness(Plan plan, StringBuilder out) {
        Catalog.Staleness s = plan.staleness();
        if (s.stale()) {
            out.append(String.format(Locale.ROOT, "WARNING: the catalog is stale: its oldest entry was read %d days ago (limit %d); oldest: %s%n",
                    s.oldestAgeDays(), plan.assumptions().maxAgeDays(),
                    String.join(", ", s.oldest().stream().map(e -> e.offer().id() + " (" + e.offer().read() + ")").toList())));
        } else {
            out.append(String.format(Locale.ROOT, "Catalog: oldest entry read %d days ago (limit %d)%n", s.oldestAgeDays(),
                    plan.assumptions().maxAgeDays()));
        }
    }

    static void assumptions(Assumptions a, StringBuilder out) {
        out.append(String.format(Locale.ROOT, "%nAssumptions: %s h billed a month; 1 EUR = %s USD; %d requests decoded at once per GPU; "
                        + "decoding at %s of the memory-bandwidth bound where nothing is measured or published; %s%% availability for a part "
                        + "without a published SLA, %s%% for spot capacity; serverless workers idle %s s before scaling to zero; at most %d replicas; "
                        + "failures independent; latency from an M/M/c queue at the busiest hour's mean rate and from the busiest moment.%n",
                Format.number(a.hoursPerMonth()), Format.number(a.eurUsd()), a.slotsPerGpu(), Format.number(a.bandwidthEfficiency()),
                Format.number(a.percentWithoutSla()), Format.number(a.spotPercent()), Format.number(a.serverlessIdleSeconds()),
                a.maxReplicas()));
    }

    private static String[] header() {
        return new String[] {"ARCH", "OPTION", "USD/MONTH", "REPLICAS", "TTFT_P95_S", "BURST_S", "AVAILABILITY", "TARGETS"};
    }

    private static String[] row(Evaluation e) {
        return new String[] {e.architecture().label(), e.name(), Format.usd(e.usdPerMonth()),
                e.replicas() == 0 ? "-" : String.valueOf(e.replicas()), Format.seconds(e.ttftP95Seconds()),
                Format.seconds(e.burstTtftSeconds()), Numbers.share(e.availability()), Format.targets(e)};
    }

    private static void table(List<String[]> rows, StringBuilder out) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
