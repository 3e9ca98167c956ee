package io.cervella.planner.plan;

import io.cervella.planner.Numbers;
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
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes a plan: evaluates every candidate the catalog allows, ranks them, picks the winner and says
 * why, and finds what would change the answer (prices, load, budget).
 */
public final class Planner {
    /** The load factors of the cost-vs-load series and of the load sensitivity. */
    static final double[] LOAD_FACTORS = {0.25, 0.5, 1, 2, 4, 8, 16};
    static final int TODAY = 2;

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
        out.sort(Ranking.of(w));
        return out;
    }

    /** The cheapest storage offer of a storage provider, for the data kept off-site. */
    private CostItem storage(Workload w) {
        if (w.storageGb() == 0) {
            return null;
        }
        return catalog.offers().stream()
                .filter(e -> e.provider().kind().equals("storage") && e.offer().what().equals("storage") && e.offer().prices().gbMonth() != null)
                .min(Comparator.comparingDouble(e -> Candidates.toUsd(e.offer(), e.offer().prices().gbMonth(), as)))
                .map(e -> {
                    Offer o = e.offer();
                    double price = Candidates.toUsd(o, o.prices().gbMonth(), as);
                    return new CostItem("storage and backups", o.id(), Numbers.plain(w.storageGb()) + " GB × " + Numbers.plain(price)
                            + "/GB-month", w.storageGb() * price);
                })
                .orElseThrow(() -> new PlanException("the workload keeps " + w.storageGb()
                        + " GB but the catalog has no storage price (an offer with what: storage and prices.gb_month)"));
    }

    private Plan.Recommendation recommend(Workload w, List<Evaluation> ranked, List<Evaluation> winnerByFactor) {
        Evaluation winner = ranked.getFirst();
        List<String> reasons = new ArrayList<>();
        List<String> sensitivity = new ArrayList<>();
        long meeting = ranked.stream().filter(Evaluation::meetsAll).count();
        String targets = "TTFT p95 ≤ " + Numbers.plain(w.ttftP95Seconds()) + " s, " + Numbers.percent(w.uptimePercent()) + " uptime"
                + (w.budgetUsdPerMonth() > 0 ? ", ≤ " + Numbers.usd(w.budgetUsdPerMonth()) + "/month" : "");
        if (winner.meetsAll()) {
            reasons.add(String.format(Locale.ROOT, "the cheapest of the %d options (of %d evaluated) that meet every target (%s): %s a month",
                    meeting, ranked.size(), targets, Numbers.usd(winner.usdPerMonth())));
        } else {
            reasons.add("no option meets every target (" + targets + ")" + impossible(w, ranked));
            reasons.add("the best compromise misses " + missed(winner) + ": " + Numbers.usd(winner.usdPerMonth()) + " a month");
        }
        reasons.add(String.format(Locale.ROOT, "TTFT p95 %s at the busiest hour (%.0f requests), %s when %d arrive at once; %d replica%s × %d slots",
                Numbers.seconds(winner.ttftP95Seconds()), w.peakHourRequests(), Numbers.seconds(winner.burstTtftSeconds()), w.peakConcurrency(),
                winner.replicas(), winner.replicas() == 1 ? "" : "s", winner.slotsPerReplica()));
        reasons.add("availability " + Numbers.share(winner.availability()) + " = " + winner.availabilityBasis()
                + (winner.availabilityAssumed() ? " — rests on assumed figures where no SLA is published" : ""));
        Evaluation runnerUp = runnerUp(ranked, winner);
        if (runnerUp != null) {
            double gap = runnerUp.usdPerMonth() - winner.usdPerMonth();
            boolean sameMisses = Ranking.misses(runnerUp) == Ranking.misses(winner);
            if (sameMisses && gap < 0) {
                reasons.add(String.format(Locale.ROOT, "the next architecture's best, %s (%s), costs %s less but reaches only %s%s",
                        runnerUp.name(), runnerUp.architecture().label(), Numbers.usd(-gap), Numbers.share(runnerUp.availability()),
                        runnerUp.availabilityAssumed() ? " (on assumed figures)" : ""));
            } else if (sameMisses) {
                reasons.add(String.format(Locale.ROOT, "%s less than the next architecture's best, %s (%s: %s)", Numbers.usd(gap),
                        runnerUp.name(), runnerUp.architecture().label(), runnerUp.architecture().description()));
                priceSensitivity(winner, runnerUp, gap).forEach(sensitivity::add);
            } else {
                reasons.add("the next architecture's best, " + runnerUp.name() + ", misses " + missed(runnerUp)
                        + " (" + Numbers.usd(runnerUp.usdPerMonth()) + " a month)");
            }
        }
        sensitivity.addAll(loadSensitivity(w, winner, winnerByFactor));
        if (!winner.uptimeMet() || winner.availabilityAssumed()) {
            ranked.stream().filter(e -> e.latencyMet() && e.uptimeMet() && !e.availabilityAssumed())
                    .min(Comparator.comparingDouble(Evaluation::usdPerMonth))
                    .ifPresent(e -> sensitivity.add(String.format(Locale.ROOT,
                            "budget: %s a month buys the uptime target on published SLAs alone: %s (%s), %s",
                            Numbers.usd(e.usdPerMonth()), e.name(), e.architecture().label(), Numbers.share(e.availability()))));
        }
        return new Plan.Recommendation(winner, winner.meetsAll(), List.copyOf(reasons), runnerUp, List.copyOf(sensitivity));
    }

    /**
     * Which price would have to move, and how far, for the runner-up to cost what the winner does:
     * the largest line of either bill that the other does not share (a shared offer moves both).
     */
    private static List<String> priceSensitivity(Evaluation winner, Evaluation runnerUp, double gap) {
        List<String> out = new ArrayList<>();
        if (gap <= 0) {
            return out;
        }
        largestNotIn(winner, runnerUp).ifPresent(item -> out.add(String.format(Locale.ROOT,
                "price: %s (%s) would have to cost %.0f%% more (%s → %s a month) for %s to win", item.what(), item.offerId(),
                100 * gap / item.usdPerMonth(), Numbers.usd(item.usdPerMonth()), Numbers.usd(item.usdPerMonth() + gap), runnerUp.name())));
        largestNotIn(runnerUp, winner).filter(item -> item.usdPerMonth() > gap).ifPresent(item -> out.add(String.format(Locale.ROOT,
                "price: or %s (%s) %.0f%% less (%s → %s a month)", item.what(), item.offerId(), 100 * gap / item.usdPerMonth(),
                Numbers.usd(item.usdPerMonth()), Numbers.usd(item.usdPerMonth() - gap))));
        return out;
    }

    private static Optional<CostItem> largestNotIn(Evaluation of, Evaluation other) {
        Set<String> shared = other.costs().stream().map(CostItem::offerId).filter(Objects::nonNull).collect(Collectors.toSet());
        return of.costs().stream().filter(c -> c.offerId() != null && !shared.contains(c.offerId()) && c.usdPerMonth() > 0)
                .max(Comparator.comparingDouble(CostItem::usdPerMonth));
    }

    /** For each target no option meets, what comes closest. */
    private static String impossible(Workload w, List<Evaluation> ranked) {
        List<String> out = new ArrayList<>();
        if (ranked.stream().noneMatch(Evaluation::latencyMet)) {
            Evaluation fastest = ranked.stream().min(Comparator.comparingDouble(Planner::slowest)).orElseThrow();
            out.add("no option reaches a TTFT p95 of " + Numbers.plain(w.ttftP95Seconds()) + " s: the fastest, " + fastest.name()
                    + ", gives " + Numbers.seconds(slowest(fastest)));
        }
        if (ranked.stream().noneMatch(Evaluation::uptimeMet)) {
            Evaluation most = ranked.stream().max(Comparator.comparingDouble(Evaluation::availability)).orElseThrow();
            out.add("no option reaches " + Numbers.percent(w.uptimePercent()) + ": the most available, " + most.name() + ", gives "
                    + Numbers.share(most.availability()));
        }
        if (w.budgetUsdPerMonth() > 0 && ranked.stream().noneMatch(Evaluation::withinBudget)) {
            Evaluation cheapest = ranked.stream().min(Comparator.comparingDouble(Evaluation::usdPerMonth)).orElseThrow();
            out.add("no option costs " + Numbers.usd(w.budgetUsdPerMonth()) + " or less: the cheapest, " + cheapest.name() + ", costs "
                    + Numbers.usd(cheapest.usdPerMonth()));
        }
        if (out.isEmpty()) {
            List<Evaluation> both = ranked.stream().filter(e -> e.latencyMet() && e.withinBudget()).toList();
            if (!both.isEmpty()) {
                Evaluation most = both.stream().max(Comparator.comparingDouble(Evaluation::availability)).orElseThrow();
                out.add("within the budget and the latency target the most available option, " + most.name() + ", reaches "
                        + Numbers.share(most.availability()));
            }
            ranked.stream().filter(e -> e.latencyMet() && e.uptimeMet()).min(Comparator.comparingDouble(Evaluation::usdPerMonth))
                    .ifPresent(e -> out.add("the latency and uptime targets together cost at least " + Numbers.usd(e.usdPerMonth())
                            + " a month (" + e.name() + ")"));
        }
        return out.isEmpty() ? "" : ": " + String.join("; ", out);
    }

    private static double slowest(Evaluation e) {
        return Math.max(e.ttftP95Seconds(), e.burstTtftSeconds());
    }

    private static Evaluation runnerUp(List<Evaluation> ranked, Evaluation winner) {
        return ranked.stream().filter(e -> e.architecture() != winner.architecture() && Ranking.misses(e) == Ranking.misses(winner))
                .findFirst()
                .orElse(ranked.stream().filter(e -> e.architecture() != winner.architecture()).findFirst().orElse(null));
    }

    /** The nearest load factors, above and below today's, at which another option wins. */
    private static List<String> loadSensitivity(Workload w, Evaluation winner, List<Evaluation> winnerByFactor) {
        List<String> out = new ArrayList<>();
        for (int step : new int[] {1, -1}) {
            for (int i = TODAY + step; i >= 0 && i < LOAD_FACTORS.length; i += step) {
                Evaluation e = winnerByFactor.get(i);
                if (e != null && !Objects.equals(e.name(), winner.name())) {
                    out.add(String.format(Locale.ROOT, "load: at %s× the requests (%s a day) %s wins (%s a month)", Numbers.plain(LOAD_FACTORS[i]),
                            Numbers.perDay(w.requestsPerDay() * LOAD_FACTORS[i]), e.name(), Numbers.usd(e.usdPerMonth())));
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            out.add("load: the winner stays the same from " + Numbers.plain(LOAD_FACTORS[0]) + "× to "
                    + Numbers.plain(LOAD_FACTORS[LOAD_FACTORS.length - 1]) + "× today's requests");
        }
        return out;
    }

    static String missed(Evaluation e) {
        List<String> m = new ArrayList<>();
        if (!e.latencyMet()) {
            m.add("the latency target (" + Numbers.seconds(slowest(e)) + ")");
        }
        if (!e.uptimeMet()) {
            m.add("the uptime target (" + Numbers.share(e.availability()) + (e.availabilityAssumed() ? ", on assumed figures" : "") + ")");
        }
        if (!e.withinBudget()) {
            m.add("the budget");
        }
        return m.isEmpty() ? "nothing" : String.join(" and ", m);
    }
}
