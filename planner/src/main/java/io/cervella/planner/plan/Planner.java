package io.cervella.planner.plan;

import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.Offer;
import io.cervella.planner.workload.Workload;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Makes a plan: evaluates every candidate the catalog allows, ranks them, picks the winner and says
 * why, and finds what would change the answer (prices, load, budget).
 */
public final class Planner {
    /** The load factors of the cost-vs-load series and of the load sensitivity. */
    static final double[] LOAD_FACTORS = {0.25, 0.5, 1, 2, 4, 8, 16};

    private final Catalog catalog;
    private final Assumptions as;

    public Planner(Catalog catalog, Assumptions as) {
        this.catalog = catalog;
        this.as = as;
    }

    public Plan plan(Workload w, LocalDate today, List<String> catalogFiles) {
        Evaluator evaluator = new Evaluator(catalog, as, storage(w));
        Map<String, String> notEvaluated = new LinkedHashMap<>();
        List<Evaluation> ranked = rank(evaluator, w, notEvaluated);
        if (ranked.isEmpty()) {
            throw new PlanException("no option could be evaluated for " + w.model().name() + ": "
                    + (notEvaluated.isEmpty() ? "the catalog has no GPU, serverless or CPU offer that fits the CPU services ("
                    + w.cpuVcpus() + " vCPU, " + w.cpuMemoryGb() + " GB)" : String.join("; ", notEvaluated.values())));
        }
        List<Plan.LoadPoint> costVsLoad = new ArrayList<>();
        List<Evaluation> winnerByFactor = new ArrayList<>();
        for (double f : LOAD_FACTORS) {
            List<Evaluation> at = f == 1 ? ranked : rank(evaluator, w.scaled(f), new LinkedHashMap<>());
            Map<Architecture, Evaluation> best = new EnumMap<>(Architecture.class);
            at.stream().filter(Evaluation::latencyMet).sorted(Comparator.comparingDouble(Evaluation::usdPerMonth))
                    .forEach(e -> best.putIfAbsent(e.architecture(), e));
            costVsLoad.add(new Plan.LoadPoint(f, w.requestsPerDay() * f, best));
            winnerByFactor.add(at.isEmpty() ? null : at.getFirst());
        }
        Plan.Recommendation rec = recommend(w, ranked, winnerByFactor);
        return new Plan(w, as, today, catalog.staleness(today, as.maxAgeDays()), ranked, notEvaluated, rec, costVsLoad,
                List.copyOf(catalogFiles));
    }

    private List<Evaluation> rank(Evaluator evaluator, Workload w, Map<String, String> notEvaluated) {
        List<Evaluation> out = new ArrayList<>();
        for (Candidate c : Candidates.of(catalog, w, as)) {
            switch (evaluator.evaluate(c, w)) {
                case Evaluator.Evaluated e -> out.add(e.evaluation());
                case Evaluator.NotEvaluated n -> notEvaluated.putIfAbsent(n.subject(), n.reason());
            }
        }
        out.sort(ranking(w));
        return out;
    }

    /**
     * Best first: missing the latency target weighs most (the model is then too slow to use), then
     * the budget, then the uptime target (which mostly rests on assumed figures); among options that
     * miss the uptime target the nearer one (in steps of 0.1 percentage point) first; then the cost.
     */
    static Comparator<Evaluation> ranking(Workload w) {
        double target = w.uptimePercent() / 100;
        return Comparator.comparingInt(Planner::misses)
                .thenComparingLong(e -> e.uptimeMet() ? 0 : (long) Math.ceil((target - e.availability()) * 1000 - 1e-9))
                .thenComparingDouble(Evaluation::usdPerMonth)
                .thenComparing(Evaluation::name);
    }

    static int misses(Evaluation e) {
        return (e.latencyMet() ? 0 : 4) + (e.withinBudget() ? 0 : 2) + (e.uptimeMet() ? 0 : 1);
    }

    /** The cheapest storage offer of a storage provider, for the data kept off-site. */
    private CostItem storage(Workload w) {
        if (w.storageGb() == 0) {
            return null;
        }
        return catalog.offers().stream()
                .filter(e -> e.provider().kind().equals("storage") && e.offer().what().equals("storage") && e.offer().prices().gbMonth() != null)
                .min(Comparator.comparingDouble(e -> Candidates.usd(e.offer(), e.offer().prices().gbMonth(), as)))
                .map(e -> {
                    Offer o = e.offer();
                    double price = Candidates.usd(o, o.prices().gbMonth(), as);
                    return new CostItem("storage and backups", o.id(), String.format(Locale.ROOT, "%s GB × %s/GB-month",
                            Candidates.trim(w.storageGb()), Candidates.trim(price)), w.storageGb() * price);
                })
                .orElseThrow(() -> new PlanException("the workload keeps " + w.storageGb()
                        + " GB but the catalog has no storage price (an offer with what: storage and prices.gb_month)"));
    }

    private Plan.Recommendation recommend(Workload w, List<Evaluation> ranked, List<Evaluation> winnerByFactor) {
        Evaluation winner = ranked.getFirst();
        List<String> reasons = new ArrayList<>();
        List<String> sensitivity = new ArrayList<>();
        long meeting = ranked.stream().filter(Evaluation::meetsAll).count();
        String targets = String.format(Locale.ROOT, "TTFT p95 ≤ %s s, %s uptime%s", Candidates.trim(w.ttftP95Seconds()),
                Evaluator.pct(w.uptimePercent()), w.budgetUsdPerMonth() > 0 ? ", ≤ " + usd(w.budgetUsdPerMonth()) + "/month" : "");
        if (winner.meetsAll()) {
            reasons.add(String.format(Locale.ROOT, "the cheapest of the %d options (of %d evaluated) that meet every target (%s): %s a month",
                    meeting, ranked.size(), targets, usd(winner.usdPerMonth())));
        } else {
            reasons.add("no option meets every target (" + targets + ")" + impossible(w, ranked));
            reasons.add("the best compromise misses " + missed(winner) + ": " + usd(winner.usdPerMonth()) + " a month");
        }
        reasons.add(String.format(Locale.ROOT, "TTFT p95 %.2f s at the busiest hour (%.0f requests), %.2f s when %d arrive at once; %d replica%s × %d slots",
                winner.ttftP95Seconds(), w.peakHourRequests(), winner.burstTtftSeconds(), w.peakConcurrency(), winner.replicas(),
                winner.replicas() == 1 ? "" : "s", winner.slotsPerReplica()));
        reasons.add("availability " + pctOf(winner.availability()) + " = " + winner.availabilityBasis()
                + (winner.availabilityAssumed() ? " — rests on assumed figures where no SLA is published" : ""));
        Evaluation runnerUp = runnerUp(ranked, winner);
        if (runnerUp != null) {
            double gap = runnerUp.usdPerMonth() - winner.usdPerMonth();
            if (misses(runnerUp) == misses(winner) && gap < 0) {
                reasons.add(String.format(Locale.ROOT, "the next architecture's best, %s (%s), costs %s less but reaches only %s%s",
                        runnerUp.name(), runnerUp.architecture().label(), usd(-gap), pctOf(runnerUp.availability()),
                        runnerUp.availabilityAssumed() ? " (on assumed figures)" : ""));
            } else if (misses(runnerUp) == misses(winner)) {
                CostItem item = winner.largestCost();
                reasons.add(String.format(Locale.ROOT, "%s less than the next architecture's best, %s (%s: %s)", usd(gap), runnerUp.name(),
                        runnerUp.architecture().label(), runnerUp.architecture().description()));
                if (item.usdPerMonth() > 0) {
                    sensitivity.add(String.format(Locale.ROOT, "price: %s (%s) would have to cost %.0f%% more (%s → %s a month) for %s to win",
                            item.what(), item.offerId(), 100 * gap / item.usdPerMonth(), usd(item.usdPerMonth()),
                            usd(item.usdPerMonth() + gap), runnerUp.name()));
                }
                CostItem theirs = runnerUp.largestCost();
                if (theirs.usdPerMonth() > gap) {
                    sensitivity.add(String.format(Locale.ROOT, "price: or %s (%s) %.0f%% less (%s → %s a month)", theirs.what(), theirs.offerId(),
                            100 * gap / theirs.usdPerMonth(), usd(theirs.usdPerMonth()), usd(theirs.usdPerMonth() - gap)));
                }
            } else {
                reasons.add("the next architecture's best, " + runnerUp.name() + ", misses " + missed(runnerUp)
                        + " (" + usd(runnerUp.usdPerMonth()) + " a month)");
            }
        }
        sensitivity.addAll(loadSensitivity(w, winner, winnerByFactor));
        if (!winner.uptimeMet() || winner.availabilityAssumed()) {
            ranked.stream().filter(e -> e.latencyMet() && e.uptimeMet() && !e.availabilityAssumed())
                    .min(Comparator.comparingDouble(Evaluation::usdPerMonth))
                    .ifPresent(e -> sensitivity.add(String.format(Locale.ROOT,
                            "budget: %s a month buys the uptime target on published SLAs alone: %s (%s), %s",
                            usd(e.usdPerMonth()), e.name(), e.architecture().label(), pctOf(e.availability()))));
        }
        return new Plan.Recommendation(winner, winner.meetsAll(), List.copyOf(reasons), runnerUp, List.copyOf(sensitivity));
    }

    /** For each target no option meets, what comes closest. */
    private static String impossible(Workload w, List<Evaluation> ranked) {
        List<String> out = new ArrayList<>();
        if (ranked.stream().noneMatch(Evaluation::latencyMet)) {
            Evaluation fastest = ranked.stream().min(Comparator.comparingDouble(e -> Math.max(e.ttftP95Seconds(), e.burstTtftSeconds()))).orElseThrow();
            out.add(String.format(Locale.ROOT, "no option reaches a TTFT p95 of %s s: the fastest, %s, gives %.2f s",
                    Candidates.trim(w.ttftP95Seconds()), fastest.name(), Math.max(fastest.ttftP95Seconds(), fastest.burstTtftSeconds())));
        }
        if (ranked.stream().noneMatch(Evaluation::uptimeMet)) {
            Evaluation most = ranked.stream().max(Comparator.comparingDouble(Evaluation::availability)).orElseThrow();
            out.add("no option reaches " + Evaluator.pct(w.uptimePercent()) + ": the most available, " + most.name() + ", gives "
                    + pctOf(most.availability()));
        }
        if (w.budgetUsdPerMonth() > 0 && ranked.stream().noneMatch(Evaluation::withinBudget)) {
            Evaluation cheapest = ranked.stream().min(Comparator.comparingDouble(Evaluation::usdPerMonth)).orElseThrow();
            out.add("no option costs " + usd(w.budgetUsdPerMonth()) + " or less: the cheapest, " + cheapest.name() + ", costs "
                    + usd(cheapest.usdPerMonth()));
        }
        if (out.isEmpty()) {
            List<Evaluation> both = ranked.stream().filter(e -> e.latencyMet() && e.withinBudget()).toList();
            if (!both.isEmpty()) {
                Evaluation most = both.stream().max(Comparator.comparingDouble(Evaluation::availability)).orElseThrow();
                out.add("within the budget and the latency target the most available option reaches " + pctOf(most.availability()));
            }
            ranked.stream().filter(e -> e.latencyMet() && e.uptimeMet()).min(Comparator.comparingDouble(Evaluation::usdPerMonth))
                    .ifPresent(e -> out.add("the latency and uptime targets together cost at least " + usd(e.usdPerMonth())
                            + " a month (" + e.name() + ")"));
        }
        return out.isEmpty() ? "" : ": " + String.join("; ", out);
    }

    private static Evaluation runnerUp(List<Evaluation> ranked, Evaluation winner) {
        return ranked.stream().filter(e -> e.architecture() != winner.architecture() && misses(e) == misses(winner)).findFirst()
                .orElse(ranked.stream().filter(e -> e.architecture() != winner.architecture()).findFirst().orElse(null));
    }

    /** The nearest load factors, below and above today's, at which another option wins. */
    private static List<String> loadSensitivity(Workload w, Evaluation winner, List<Evaluation> winnerByFactor) {
        List<String> out = new ArrayList<>();
        int today = indexOf(1);
        for (int i = today + 1; i < LOAD_FACTORS.length; i++) {
            Evaluation e = winnerByFactor.get(i);
            if (e != null && !Objects.equals(e.name(), winner.name())) {
                out.add(String.format(Locale.ROOT, "load: at %s× the requests (%s a day) %s wins (%s a month)", Candidates.trim(LOAD_FACTORS[i]),
                        perDay(w.requestsPerDay() * LOAD_FACTORS[i]), e.name(), usd(e.usdPerMonth())));
                break;
            }
        }
        for (int i = today - 1; i >= 0; i--) {
            Evaluation e = winnerByFactor.get(i);
            if (e != null && !Objects.equals(e.name(), winner.name())) {
                out.add(String.format(Locale.ROOT, "load: at %s× the requests (%s a day) %s wins (%s a month)", Candidates.trim(LOAD_FACTORS[i]),
                        perDay(w.requestsPerDay() * LOAD_FACTORS[i]), e.name(), usd(e.usdPerMonth())));
                break;
            }
        }
        if (out.isEmpty()) {
            out.add(String.format(Locale.ROOT, "load: the winner stays the same from %s× to %s× today's requests",
                    Candidates.trim(LOAD_FACTORS[0]), Candidates.trim(LOAD_FACTORS[LOAD_FACTORS.length - 1])));
        }
        return out;
    }

    private static int indexOf(double factor) {
        for (int i = 0; i < LOAD_FACTORS.length; i++) {
            if (LOAD_FACTORS[i] == factor) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    static String missed(Evaluation e) {
        List<String> m = new ArrayList<>();
        if (!e.latencyMet()) {
            m.add(String.format(Locale.ROOT, "the latency target (%.2f s)", Math.max(e.ttftP95Seconds(), e.burstTtftSeconds())));
        }
        if (!e.uptimeMet()) {
            m.add("the uptime target (" + pctOf(e.availability()) + (e.availabilityAssumed() ? ", on assumed figures" : "") + ")");
        }
        if (!e.withinBudget()) {
            m.add("the budget");
        }
        return m.isEmpty() ? "nothing" : String.join(" and ", m);
    }

    /** Requests a day: whole above ten, two decimals below (a quiet ledger measures a fraction a day). */
    static String perDay(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.2f", v);
    }

    static String usd(double v) {
        return String.format(Locale.ROOT, "%.2f USD", v);
    }

    static String pctOf(double fraction) {
        return String.format(Locale.ROOT, "%.3f%%", fraction * 100);
    }
}
