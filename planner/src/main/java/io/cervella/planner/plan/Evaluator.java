package io.cervella.planner.plan;

import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.ColdStart;
import io.cervella.planner.catalog.Gpu;
import io.cervella.planner.catalog.Offer;
import io.cervella.planner.catalog.Provider;
import io.cervella.planner.perf.ModelPerformance;
import io.cervella.planner.perf.PerformanceLookup;
import io.cervella.planner.workload.Workload;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Prices one candidate for a workload and checks it against the targets: replicas from an M/M/c queue
 * at the busiest hour and from the busiest moment, cold starts for scale-to-zero, availability from
 * SLAs in series and in parallel, the month's bill line by line.
 */
public final class Evaluator {
    /** The latency target is a 95th percentile. */
    static final double QUANTILE = 0.95;
    static final double SECONDS_PER_DAY = 86_400;

    /** What evaluating a candidate gives: an evaluation, or why it could not be evaluated. */
    public sealed interface Result permits Evaluated, NotEvaluated {}

    public record Evaluated(Evaluation evaluation) implements Result {}

    /** {@code subject}: the offer (or host) the reason is about, so that reports list it once. */
    public record NotEvaluated(String subject, String reason) implements Result {}

    private final Catalog catalog;
    private final PerformanceLookup performance;
    private final Assumptions as;
    private final CostItem storage;

    public Evaluator(Catalog catalog, Assumptions as, CostItem storage) {
        this.catalog = catalog;
        this.performance = new PerformanceLookup(catalog, as.bandwidthEfficiency());
        this.as = as;
        this.storage = storage;
    }

    public Result evaluate(Candidate c, Workload w) {
        for (Offer o : offers(c)) {
            if (o.incomplete() != null) {
                return new NotEvaluated(o.id(), "its price is incomplete: " + o.incomplete());
            }
        }
        PerformanceLookup.Result found = switch (c.gpu()) {
            case GpuSide.OnCpu x -> performance.forCpu(c.cpu().vcpus() - w.cpuVcpus(), w.model());
            case GpuSide.Dedicated d -> performance.forGpu(d.entry().offer().gpu(), w.model());
            case GpuSide.Serverless s -> performance.forGpu(s.entry().offer().gpu(), w.model());
        };
        String subject = subject(c);
        if (found instanceof PerformanceLookup.Missing m) {
            return new NotEvaluated(subject, m.reason());
        }
        ModelPerformance perf = ((PerformanceLookup.Found) found).performance();
        int slots;
        if (c.gpu() instanceof GpuSide.OnCpu) {
            slots = 1;
        } else {
            Gpu gpu = gpuOf(c);
            slots = as.slotsPerGpu() * gpu.count();
            if (gpu.memoryGb() != null) {
                double usable = gpu.memoryGb() * gpu.count() * as.gpuMemoryUsable();
                if (w.model().weightsGb() > usable) {
                    return new NotEvaluated(subject, String.format(Locale.ROOT, "the weights (%.2f GB) do not fit in %.0f GB of GPU memory",
                            w.model().weightsGb(), gpu.memoryGb() * gpu.count()));
                }
                if (w.model().kvCacheKibPerToken() != null) {
                    double perRequestGb = w.model().kvCacheKibPerToken() * 1024 * (w.promptTokens() + w.completionTokens()) / 1e9;
                    slots = (int) Math.min(slots, Math.floor((usable - w.model().weightsGb()) / perRequestGb));
                    if (slots < 1) {
                        return new NotEvaluated(subject, "the KV cache of one request does not fit beside the weights");
                    }
                }
            }
        }
        double service = perf.serviceSeconds(w.promptTokens(), w.completionTokens());
        double mu = 1 / service;
        double lambda = w.peakRequestsPerSecond();
        double coldShare = 0;
        double coldSeconds = 0;
        ColdStart coldStart = null;
        if (c.gpu() instanceof GpuSide.Serverless s && !s.warm()) {
            coldStart = s.entry().provider().coldStartSeconds();
            if (coldStart == null) {
                return new NotEvaluated(subject, "no cold-start figure for " + s.entry().provider().name()
                        + ": scale to zero cannot be judged (add cold_start_seconds to the provider)");
            }
            coldShare = coldShare(w);
            // a cold start in more than 1 request in 20 lands in the 95th percentile
            coldSeconds = coldShare > 1 - QUANTILE ? coldStart.typical() : 0;
        }
        int maxReplicas = c.gpu() instanceof GpuSide.OnCpu ? 1 : as.maxReplicas();
        int replicas = -1;
        for (int n = 1; n <= maxReplicas; n++) {
            if (Math.max(ttft(n * slots, lambda, mu, perf, w) + coldSeconds, burst(n, slots, service, perf, w)) <= w.ttftP95Seconds()) {
                replicas = n;
                break;
            }
        }
        boolean latencyMet = replicas > 0;
        if (!latencyMet) {
            replicas = maxReplicas;
            for (int n = 1; n <= maxReplicas; n++) {
                if (lambda < n * slots * mu) {
                    replicas = n;
                    break;
                }
            }
        }
        double target = w.uptimePercent() / 100;
        Composition avail = availability(c, replicas);
        if (avail.value < target && c.gpu() instanceof GpuSide.Dedicated d && !d.hostsCpu()) {
            for (int n = replicas + 1; n <= as.maxReplicas(); n++) {
                Composition more = availability(c, n);
                if (more.value >= target) {
                    replicas = n;
                    avail = more;
                    break;
                }
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add("prompt " + perf.prefill().source().label() + " (" + perf.prefill().detail() + "); decoding "
                + perf.decode().source().label() + " (" + perf.decode().detail() + ")");
        List<CostItem> costs = new ArrayList<>(c.cpu().items());
        switch (c.gpu()) {
            case GpuSide.Dedicated d -> {
                costs.add(new CostItem(d.hostsCpu() ? "GPU VM (runs everything)" : "GPU", d.entry().offer().id(),
                        String.format(Locale.ROOT, "%d × %s/h %s × %.0f h", replicas, usd(d.hourlyUsd()), d.mode().label(), as.hoursPerMonth()),
                        replicas * d.hourlyUsd() * as.hoursPerMonth()));
                if (d.mode() == GpuSide.PriceMode.SPOT) {
                    notes.add("spot capacity can be taken back at any time: availability taken as " + pct(as.spotPercent()) + " (assumed)");
                } else if (d.mode() != GpuSide.PriceMode.ON_DEMAND) {
                    notes.add("a " + d.mode().label() + " binds the price for its whole term");
                }
            }
            case GpuSide.Serverless s -> costs.addAll(serverlessCosts(s, w, service, slots, replicas, coldStart));
            case GpuSide.OnCpu x -> notes.add("the model shares the CPU host with the services; one request at a time");
        }
        if (storage != null) {
            costs.add(storage);
        }
        costs.add(egress(c, w));
        if (coldStart != null) {
            notes.add(String.format(Locale.ROOT, "%.1f%% of requests find no warm worker (idle after %.0f s) and wait a cold start: typical %.1f s, worst %s s",
                    coldShare * 100, as.serverlessIdleSeconds(), coldStart.typical(), coldStart.worst() == null ? "?" : usd(coldStart.worst())));
        }
        costs.stream().map(CostItem::offerId).filter(java.util.Objects::nonNull).distinct()
                .flatMap(id -> catalog.offer(id).stream()).map(Catalog.Entry::offer).filter(Offer::unconfirmed)
                .forEach(o -> notes.add(o.id() + ": price unconfirmed (" + (o.note() == null ? "see the catalog" : o.note()) + ")"));
        double total = costs.stream().mapToDouble(CostItem::usdPerMonth).sum();
        boolean withinBudget = w.budgetUsdPerMonth() == 0 || total <= w.budgetUsdPerMonth() + 1e-9;
        boolean serverlessFlex = c.gpu() instanceof GpuSide.Serverless s && !s.warm();
        int reportedReplicas = c.gpu() instanceof GpuSide.OnCpu ? 0 : replicas;
        Evaluation e = new Evaluation(c, perf, List.copyOf(costs), reportedReplicas, slots, service,
                ttft(replicas * slots, lambda, mu, perf, w) + coldSeconds, burst(replicas, slots, service, perf, w),
                coldShare, avail.value, avail.basis, avail.assumed, latencyMet, avail.value >= target - 1e-12, withinBudget,
                spofs(c, replicas, serverlessFlex), lockIn(c), List.copyOf(notes));
        return new Evaluated(e);
    }

    /** TTFT p95 at the busiest hour's mean rate: the prompt, after the queue's 95th-percentile wait. */
    static double ttft(int servers, double lambda, double mu, ModelPerformance perf, Workload w) {
        return perf.prefillSeconds(w.promptTokens()) + Queueing.waitQuantile(servers, lambda, mu, QUANTILE);
    }

    /**
     * The busiest moment: {@code peak_concurrency} requests arrive together and spread over the
     * replicas. Within a replica the prompts that got a slot are processed one after another (so the
     * last waits for all of them); requests beyond the slots wait for a whole service round each.
     */
    static double burst(int replicas, int slots, double service, ModelPerformance perf, Workload w) {
        int perReplica = (int) Math.ceil((double) w.peakConcurrency() / replicas);
        int rounds = (int) Math.ceil((double) perReplica / slots);
        int lastRound = perReplica - (rounds - 1) * slots;
        return (rounds - 1) * service + lastRound * perf.prefillSeconds(w.promptTokens());
    }

    /**
     * The share of the day's requests that arrive after the worker went idle: with requests at random
     * at rate λ in an hour, the chance that none came in the last {@code idle} seconds is e^(−λ·idle).
     */
    double coldShare(Workload w) {
        double sum = w.dailyShape().stream().mapToDouble(Double::doubleValue).sum();
        double all = 0;
        double cold = 0;
        for (double weight : w.dailyShape()) {
            double lambda = w.requestsPerDay() * weight / sum / 3600;
            all += lambda;
            cold += lambda * Math.exp(-lambda * as.serverlessIdleSeconds());
        }
        return all == 0 ? 0 : cold / all;
    }

    /**
     * Scale to zero: a worker is up while a request came within its service time plus the idle time,
     * which with requests at random at rate λ is a share 1 − e^(−λ(S + idle)) of the hour — or as many
     * workers as the hour's load needs (λS / slots), whichever is more; each cold start bills its boot.
     * Kept warm: the replicas bill every second. A plan fee of the provider comes on top.
     */
    private List<CostItem> serverlessCosts(GpuSide.Serverless s, Workload w, double service, int slots, int replicas,
                                           ColdStart coldStart) {
        Offer o = s.entry().offer();
        List<CostItem> items = new ArrayList<>();
        double usage;
        if (s.warm()) {
            double perSecond = Candidates.usd(o, o.prices().activeSecond() != null ? o.prices().activeSecond() : o.prices().flexSecond(), as);
            double seconds = as.hoursPerMonth() * 3600;
            usage = replicas * perSecond * seconds;
            items.add(new CostItem("GPU workers kept warm", o.id(), String.format(Locale.ROOT, "%d × %s/s × %.0f s (%s)", replicas,
                    usd(perSecond), seconds, o.prices().activeSecond() != null ? "active price" : "flex price, kept running"), usage));
        } else {
            double perSecond = Candidates.usd(o, o.prices().flexSecond(), as);
            double sum = w.dailyShape().stream().mapToDouble(Double::doubleValue).sum();
            double workerSecondsPerDay = 0;
            double coldStartsPerDay = 0;
            for (double weight : w.dailyShape()) {
                double lambda = w.requestsPerDay() * weight / sum / 3600;
                double up = Math.max(1 - Math.exp(-lambda * (service + as.serverlessIdleSeconds())), lambda * service / slots);
                workerSecondsPerDay += 3600 * up;
                coldStartsPerDay += 3600 * lambda * Math.exp(-lambda * as.serverlessIdleSeconds());
            }
            double bootSeconds = coldStartsPerDay * coldStart.typical();
            double seconds = 30 * (workerSecondsPerDay + bootSeconds);
            usage = seconds * perSecond;
            items.add(new CostItem("GPU workers (scale to zero)", o.id(), String.format(Locale.ROOT,
                    "%.0f worker-s/day up + %.0f cold starts × %.1f s, × 30 days × %s/s", workerSecondsPerDay, coldStartsPerDay,
                    coldStart.typical(), usd(perSecond)), usage));
        }
        List<Catalog.Entry> plans = catalog.offers().stream()
                .filter(e -> e.provider().id().equals(s.entry().provider().id()) && e.offer().what().equals("plan")
                        && e.offer().billedPer() == null && e.offer().vcpus() == null && e.offer().prices().month() != null)
                .toList();
        final double u = usage;
        PlanFee.cheapest(plans, u, as).ifPresent(f -> items.add(new CostItem("plan", f.offerId(), f.basis(), f.usdPerMonth())));
        return items;
    }

    private CostItem egress(Candidate c, Workload w) {
        Provider p = c.cpu().provider();
        return catalog.offers().stream()
                .filter(e -> e.provider().id().equals(p.id()) && e.offer().what().equals("egress") && e.offer().prices().gbEgress() != null)
                .min(java.util.Comparator.comparingDouble(e -> e.offer().prices().gbEgress()))
                .map(e -> new CostItem("egress", e.offer().id(), String.format(Locale.ROOT, "%.0f GB × %s/GB", w.egressGbPerMonth(),
                        usd(Candidates.usd(e.offer(), e.offer().prices().gbEgress(), as))),
                        w.egressGbPerMonth() * Candidates.usd(e.offer(), e.offer().prices().gbEgress(), as)))
                .orElse(new CostItem("egress", null, "no egress price for " + p.name() + " in the catalog (counted as included)", 0));
    }

    /** Availability from each part's SLA, or the stated assumption where none is published. */
    private Composition availability(Candidate c, int replicas) {
        List<Double> parts = new ArrayList<>();
        List<String> basis = new ArrayList<>();
        boolean assumed = false;
        Double cpuSla = c.cpu().slaPercent();
        double cpu = cpuSla != null ? cpuSla : as.percentWithoutSla();
        assumed |= cpuSla == null;
        parts.add(cpu / 100);
        String what = c.gpu() instanceof GpuSide.Dedicated d && d.hostsCpu() ? "the VM" : c.cpu().name();
        basis.add(pct(cpu) + " " + what + (cpuSla != null ? " (SLA)" : " (no SLA: assumed)"));
        switch (c.gpu()) {
            case GpuSide.Dedicated d when !d.hostsCpu() -> {
                Double sla = Candidates.sla(d.entry());
                double each = d.mode() == GpuSide.PriceMode.SPOT ? as.spotPercent() : sla != null ? sla : as.percentWithoutSla();
                assumed |= d.mode() == GpuSide.PriceMode.SPOT || sla == null;
                double a = Availability.parallel(each / 100, replicas);
                parts.add(a);
                String why = d.mode() == GpuSide.PriceMode.SPOT ? "spot: assumed" : sla != null ? "SLA" : "no SLA: assumed";
                basis.add(replicas == 1 ? pct(each) + " " + d.entry().offer().id() + " (" + why + ")"
                        : String.format(Locale.ROOT, "[1 − (1 − %s)^%d] %s (%s, %d in parallel)", pct(each), replicas,
                        d.entry().offer().id(), why, replicas));
            }
            case GpuSide.Dedicated d -> {
                if (d.mode() == GpuSide.PriceMode.SPOT) {
                    // the VM that runs everything is itself spot
                    parts.set(0, as.spotPercent() / 100);
                    basis.set(0, pct(as.spotPercent()) + " the VM (spot: assumed)");
                    assumed = true;
                }
            }
            case GpuSide.Serverless s -> {
                Double sla = Candidates.sla(s.entry());
                double a = sla != null ? sla : as.percentWithoutSla();
                assumed |= sla == null;
                parts.add(a / 100);
                basis.add(pct(a) + " " + s.entry().provider().id() + (sla != null ? " (SLA)" : " (no SLA: assumed)"));
            }
            case GpuSide.OnCpu x -> { }
        }
        return new Composition(Availability.series(parts), String.join(" × ", basis), assumed);
    }

    private record Composition(double value, String basis, boolean assumed) {}

    private static List<String> spofs(Candidate c, int replicas, boolean serverlessFlex) {
        List<String> out = new ArrayList<>();
        switch (c.gpu()) {
            case GpuSide.Dedicated d when d.hostsCpu() -> out.add("the one VM " + d.entry().offer().id() + " carries everything");
            case GpuSide.OnCpu x -> out.add("the one host " + c.cpu().name() + " carries everything");
            default -> out.add("the CPU host " + c.cpu().name() + " (one instance: a second needs shared PostgreSQL and S3)");
        }
        if (c.gpu() instanceof GpuSide.Dedicated d && !d.hostsCpu() && replicas == 1) {
            out.add("the GPU " + d.entry().offer().id() + " (one replica)");
        }
        if (c.gpu() instanceof GpuSide.Serverless s) {
            out.add(s.entry().provider().name() + "'s serverless platform" + (serverlessFlex ? " (and its cold starts)" : ""));
        }
        return List.copyOf(out);
    }

    private static List<String> lockIn(Candidate c) {
        Set<Provider> providers = new LinkedHashSet<>();
        providers.add(c.cpu().provider());
        switch (c.gpu()) {
            case GpuSide.Dedicated d -> providers.add(d.entry().provider());
            case GpuSide.Serverless s -> providers.add(s.entry().provider());
            case GpuSide.OnCpu x -> { }
        }
        List<String> out = new ArrayList<>();
        for (Provider p : providers) {
            out.add(p.name() + ": " + (p.lockIn() == null ? "no note in the catalog" : p.lockIn()));
        }
        return List.copyOf(out);
    }

    private List<Offer> offers(Candidate c) {
        List<Offer> out = new ArrayList<>();
        for (CostItem i : c.cpu().items()) {
            if (i.offerId() != null) {
                catalog.offer(i.offerId()).ifPresent(e -> out.add(e.offer()));
            }
        }
        switch (c.gpu()) {
            case GpuSide.Dedicated d -> out.add(d.entry().offer());
            case GpuSide.Serverless s -> out.add(s.entry().offer());
            case GpuSide.OnCpu x -> { }
        }
        return out;
    }

    static Gpu gpuOf(Candidate c) {
        return switch (c.gpu()) {
            case GpuSide.Dedicated d -> d.entry().offer().gpu();
            case GpuSide.Serverless s -> s.entry().offer().gpu();
            case GpuSide.OnCpu x -> throw new IllegalStateException("no GPU");
        };
    }

    static String subject(Candidate c) {
        return switch (c.gpu()) {
            case GpuSide.Dedicated d -> d.entry().offer().id();
            case GpuSide.Serverless s -> s.entry().offer().id();
            case GpuSide.OnCpu x -> "CPU only on " + c.cpu().name();
        };
    }

    static String pct(double percent) {
        return String.format(Locale.ROOT, "%s%%", Candidates.trim(Math.round(percent * 1000) / 1000.0));
    }

    static String usd(double v) {
        return Candidates.trim(v);
    }
}
