package io.cervella.planner.plan;

import io.cervella.planner.Numbers;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.ColdStart;
import io.cervella.planner.catalog.Gpu;
import io.cervella.planner.catalog.Offer;
import io.cervella.planner.catalog.Provider;
import io.cervella.planner.perf.ModelPerformance;
import io.cervella.planner.perf.PerformanceLookup;
import io.cervella.planner.workload.Workload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Prices one candidate for a workload and checks it against the targets: replicas from an M/M/c queue
 * at the busiest hour and from the busiest moment, cold starts for scale-to-zero, availability from
 * SLAs in series and in parallel, the month's bill line by line (docs/planner.md).
 */
public final class Evaluator {
    /** The latency target is a 95th percentile. */
    static final double QUANTILE = 0.95;
    /**
     * An availability this close under the target meets it: 0.001 percentage point, 26 seconds a month.
     * Without it, GPUs added in parallel behind a host at exactly the target creep towards it forever.
     */
    static final double UPTIME_RESOLUTION = 1e-5;

    /** What evaluating a candidate gives: an evaluation, or why it could not be evaluated. */
    public sealed interface Result permits Evaluated, NotEvaluated {}

    public record Evaluated(Evaluation evaluation) implements Result {}

    /** {@code subject}: the offer (or host) the reason is about, so that reports list it once. */
    public record NotEvaluated(String subject, String reason) implements Result {}

    /** What does not change with the replica count: speed, slots, a request's service time, cold starts. */
    private record Sizing(ModelPerformance perf, int slots, double service, double lambda, double coldShare,
                          double coldSeconds, ColdStart coldStart) {
        double mu() {
            return 1 / service;
        }
    }

    private final Catalog catalog;
    private final PerformanceLookup performance;
    private final AvailabilityModel availability;
    private final Assumptions as;
    private final CostItem storage;

    public Evaluator(Catalog catalog, Assumptions as, CostItem storage) {
        this.catalog = catalog;
        this.performance = new PerformanceLookup(catalog, as.bandwidthEfficiency());
        this.availability = new AvailabilityModel(as);
        this.as = as;
        this.storage = storage;
    }

    public Result evaluate(Candidate c, Workload w) {
        for (Offer o : offers(c)) {
            if (o.incomplete() != null) {
                return new NotEvaluated(o.id(), "its price is incomplete: " + o.incomplete());
            }
        }
        String subject = subject(c);
        PerformanceLookup.Result found = switch (c.gpu()) {
            case GpuSide.OnCpu x -> performance.forCpu(c.cpu().vcpus() - w.cpuVcpus(), w.model());
            case GpuSide.Dedicated d -> performance.forGpu(d.entry().offer().gpu(), w.model());
            case GpuSide.Serverless s -> performance.forGpu(s.entry().offer().gpu(), w.model());
        };
        if (found instanceof PerformanceLookup.Missing m) {
            return new NotEvaluated(subject, m.reason());
        }
        ModelPerformance perf = ((PerformanceLookup.Found) found).performance();
        int slots = 1;
        if (!(c.gpu() instanceof GpuSide.OnCpu)) {
            Gpu gpu = gpuOf(c);
            if (gpu.count() > 1) {
                return new NotEvaluated(subject, gpu.count() + " GPUs in one instance: the planner models one GPU per replica");
            }
            slots = as.slotsPerGpu();
            if (gpu.memoryGb() != null) {
                double usable = gpu.memoryGb() * as.gpuMemoryUsable();
                if (w.model().weightsGb() > usable) {
                    return new NotEvaluated(subject, String.format(Locale.ROOT, "the weights (%.2f GB) do not fit in %s GB of GPU memory",
                            w.model().weightsGb(), Numbers.plain(gpu.memoryGb())));
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
        double coldShare = 0;
        double coldSeconds = 0;
        ColdStart coldStart = null;
        if (c.gpu() instanceof GpuSide.Serverless s && !s.warm()) {
            coldStart = s.entry().provider().coldStartSeconds();
            if (coldStart == null) {
                return new NotEvaluated(subject, "no cold-start figure for " + s.entry().provider().name()
                        + ": scale to zero cannot be judged (add cold_start_seconds to the provider)");
            }
            coldShare = coldShare(w, service);
            // a cold start in more than 1 request in 20 lands in the 95th percentile
            coldSeconds = coldShare > 1 - QUANTILE ? coldStart.typical() : 0;
        }
        Sizing sizing = new Sizing(perf, slots, service, w.peakRequestsPerSecond(), coldShare, coldSeconds, coldStart);

        // the fewest replicas under the latency target, else the fewest that keep the queue stable
        int maxReplicas = c.gpu() instanceof GpuSide.OnCpu ? 1 : as.maxReplicas();
        int first = -1;
        for (int n = 1; n <= maxReplicas && first < 0; n++) {
            if (latencyMet(sizing, n, w)) {
                first = n;
            }
        }
        for (int n = 1; n <= maxReplicas && first < 0; n++) {
            if (sizing.lambda() < n * slots * sizing.mu()) {
                first = n;
            }
        }
        first = first < 0 ? maxReplicas : first;
        // more rented GPUs raise availability (they fail only together): each count is another option; the best is kept
        boolean moreHelp = c.gpu() instanceof GpuSide.Dedicated d && !d.hostsCpu();
        Comparator<Evaluation> ranking = Ranking.of(w);
        Evaluation best = null;
        for (int n = first; n <= (moreHelp ? maxReplicas : first); n++) {
            Evaluation e = build(c, w, sizing, n);
            if (best == null || ranking.compare(e, best) < 0) {
                best = e;
            }
        }
        return new Evaluated(best);
    }

    private boolean latencyMet(Sizing s, int replicas, Workload w) {
        return Math.max(ttft(replicas * s.slots(), s, w), burst(replicas, s, w)) <= w.ttftP95Seconds();
    }

    private Evaluation build(Candidate c, Workload w, Sizing s, int replicas) {
        List<String> notes = new ArrayList<>();
        notes.add("prompt " + s.perf().prefill().source().label() + " (" + s.perf().prefill().detail() + "); decoding "
                + s.perf().decode().source().label() + " (" + s.perf().decode().detail() + ")");
        List<CostItem> costs = new ArrayList<>(c.cpu().items());
        switch (c.gpu()) {
            case GpuSide.Dedicated d -> {
                costs.add(new CostItem(d.hostsCpu() ? "GPU VM (runs everything)" : "GPU", d.entry().offer().id(),
                        String.format(Locale.ROOT, "%d × %s/h %s × %s h", replicas, Numbers.plain(d.hourlyUsd()), d.mode().label(),
                                Numbers.plain(as.hoursPerMonth())),
                        replicas * d.hourlyUsd() * as.hoursPerMonth()));
                if (d.mode() == GpuSide.PriceMode.SPOT) {
                    notes.add("spot capacity can be taken back at any time: availability taken as " + Numbers.percent(as.spotPercent())
                            + " (assumed)");
                } else if (d.mode() != GpuSide.PriceMode.ON_DEMAND) {
                    notes.add("a " + d.mode().label() + " binds the price for its whole term");
                }
            }
            case GpuSide.Serverless sl -> costs.addAll(serverlessCosts(sl, w, s, replicas));
            case GpuSide.OnCpu x -> notes.add("the model shares the CPU host with the services; one request at a time");
        }
        if (storage != null) {
            costs.add(storage);
        }
        costs.add(egress(c, w));
        if (s.coldStart() != null) {
            notes.add(String.format(Locale.ROOT, "%.1f%% of requests find no warm worker (idle after %s s) and wait a cold start: "
                            + "typical %s s, worst %s s", s.coldShare() * 100, Numbers.plain(as.serverlessIdleSeconds()),
                    Numbers.plain(s.coldStart().typical()), s.coldStart().worst() == null ? "?" : Numbers.plain(s.coldStart().worst())));
        }
        costs.stream().map(CostItem::offerId).filter(Objects::nonNull).distinct()
                .flatMap(id -> catalog.offer(id).stream()).map(Catalog.Entry::offer).filter(Offer::unconfirmed)
                .forEach(o -> notes.add(o.id() + ": price unconfirmed (" + (o.note() == null ? "see the catalog" : o.note()) + ")"));
        double total = costs.stream().mapToDouble(CostItem::usdPerMonth).sum();
        AvailabilityModel.Composition avail = availability.of(c, replicas);
        return new Evaluation(c, s.perf(), List.copyOf(costs), c.gpu() instanceof GpuSide.OnCpu ? 0 : replicas, s.slots(),
                s.service(), ttft(replicas * s.slots(), s, w), burst(replicas, s, w), s.coldShare(), avail.value(), avail.basis(),
                avail.assumed(), latencyMet(s, replicas, w), avail.value() >= w.uptimePercent() / 100 - UPTIME_RESOLUTION,
                w.budgetUsdPerMonth() == 0 || total <= w.budgetUsdPerMonth() + 1e-9, Risks.singlePointsOfFailure(c, replicas),
                Risks.lockIn(c), List.copyOf(notes));
    }

    /** TTFT p95 at the busiest hour's mean rate: the prompt, after the queue's 95th-percentile wait, plus a cold start in the p95. */
    private static double ttft(int servers, Sizing s, Workload w) {
        return s.perf().prefillSeconds(w.promptTokens()) + Queueing.waitQuantile(servers, s.lambda(), s.mu(), QUANTILE) + s.coldSeconds();
    }

    /**
     * The busiest moment: {@code peak_concurrency} requests arrive together and spread over the
     * replicas. Within a replica the prompts that got a slot are processed one after another (so the
     * last waits for all of them); requests beyond the slots wait for a whole service round each.
     */
    private static double burst(int replicas, Sizing s, Workload w) {
        int perReplica = (int) Math.ceil((double) w.peakConcurrency() / replicas);
        int rounds = (int) Math.ceil((double) perReplica / s.slots());
        int lastRound = perReplica - (rounds - 1) * s.slots();
        return (rounds - 1) * s.service() + lastRound * s.perf().prefillSeconds(w.promptTokens());
    }

    /**
     * The share of the day's requests that find no warm worker: a worker stays up for a request's
     * service time and then the idle time, so with requests at random at rate λ in an hour the chance
     * that none came in the last S + idle seconds is e^(−λ(S + idle)).
     */
    private double coldShare(Workload w, double service) {
        double all = 0;
        double cold = 0;
        for (double lambda : hourlyRates(w)) {
            all += lambda;
            cold += lambda * Math.exp(-lambda * (service + as.serverlessIdleSeconds()));
        }
        return all == 0 ? 0 : cold / all;
    }

    /** The mean arrival rate, per second, in each hour of the day. */
    private static double[] hourlyRates(Workload w) {
        double sum = w.dailyShape().stream().mapToDouble(Double::doubleValue).sum();
        return w.dailyShape().stream().mapToDouble(weight -> w.requestsPerDay() * weight / sum / 3600).toArray();
    }

    /**
     * Scale to zero: a worker is up while a request came within its service time plus the idle time,
     * which with requests at random at rate λ is a share 1 − e^(−λ(S + idle)) of the hour — or as many
     * workers as the hour's load needs (λS / slots), whichever is more; each cold start (a request that
     * found no worker up) bills its boot. Kept warm: the replicas bill every second. A plan fee of the
     * provider comes on top.
     */
    private List<CostItem> serverlessCosts(GpuSide.Serverless sl, Workload w, Sizing s, int replicas) {
        Offer o = sl.entry().offer();
        List<CostItem> items = new ArrayList<>();
        double usage;
        if (sl.warm()) {
            double perSecond = Candidates.toUsd(o, o.prices().activeSecond() != null ? o.prices().activeSecond() : o.prices().flexSecond(), as);
            double seconds = as.hoursPerMonth() * 3600;
            usage = replicas * perSecond * seconds;
            items.add(new CostItem("GPU workers kept warm", o.id(), String.format(Locale.ROOT, "%d × %s/s × %s s (%s)", replicas,
                    Numbers.plain(perSecond), Numbers.plain(seconds), o.prices().activeSecond() != null ? "active price" : "flex price, kept running"),
                    usage));
        } else {
            double perSecond = Candidates.toUsd(o, o.prices().flexSecond(), as);
            double upToIdle = s.service() + as.serverlessIdleSeconds();
            double workerSecondsPerDay = 0;
            double coldStartsPerDay = 0;
            for (double lambda : hourlyRates(w)) {
                workerSecondsPerDay += 3600 * Math.max(1 - Math.exp(-lambda * upToIdle), lambda * s.service() / s.slots());
                coldStartsPerDay += 3600 * lambda * Math.exp(-lambda * upToIdle);
            }
            double bootSeconds = coldStartsPerDay * s.coldStart().typical();
            usage = 30 * (workerSecondsPerDay + bootSeconds) * perSecond;
            items.add(new CostItem("GPU workers (scale to zero)", o.id(), String.format(Locale.ROOT,
                    "(%.0f worker-s up + %.0f cold starts × %s s) a day × 30 days × %s/s", workerSecondsPerDay, coldStartsPerDay,
                    Numbers.plain(s.coldStart().typical()), Numbers.plain(perSecond)), usage));
        }
        List<Catalog.Entry> plans = catalog.offers().stream()
                .filter(e -> e.provider().id().equals(sl.entry().provider().id()) && e.offer().what().equals("plan")
                        && e.offer().billedPer() == null && e.offer().vcpus() == null && e.offer().prices().month() != null)
                .toList();
        PlanFee.cheapest(plans, usage, as).ifPresent(f -> items.add(new CostItem("plan", f.offerId(), f.basis(), f.usdPerMonth())));
        return items;
    }

    private CostItem egress(Candidate c, Workload w) {
        Provider p = c.cpu().provider();
        return catalog.offers().stream()
                .filter(e -> e.provider().id().equals(p.id()) && e.offer().what().equals("egress") && e.offer().prices().gbEgress() != null)
                .min(Comparator.comparingDouble(e -> e.offer().prices().gbEgress()))
                .map(e -> {
                    double price = Candidates.toUsd(e.offer(), e.offer().prices().gbEgress(), as);
                    return new CostItem("egress", e.offer().id(), Numbers.plain(w.egressGbPerMonth()) + " GB × " + Numbers.plain(price) + "/GB",
                            w.egressGbPerMonth() * price);
                })
                .orElse(new CostItem("egress", null, "no egress price for " + p.name() + " in the catalog (counted as included)", 0));
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
}
