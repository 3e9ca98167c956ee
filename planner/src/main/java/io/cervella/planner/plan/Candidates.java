package io.cervella.planner.plan;

import io.cervella.planner.Numbers;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.Offer;
import io.cervella.planner.catalog.Prices;
import io.cervella.planner.catalog.Provider;
import io.cervella.planner.workload.Workload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every combination the catalog allows: each provider's cheapest CPU host that fits the CPU services,
 * paired with each GPU offer in each way it is sold (and each serverless offer scaled to zero or kept
 * warm); GPU VMs big enough to carry the CPU services too (A); CPU hosts big enough for the model (E).
 */
public final class Candidates {
    /** CPU a GPU VM keeps for the serving engine itself when it also hosts the CPU services. */
    static final double ENGINE_VCPUS = 1;

    private Candidates() {}

    public static List<Candidate> of(Catalog catalog, Workload w, Assumptions as) {
        List<Candidate> out = new ArrayList<>();
        double cpuNeed = w.cpuVcpus();
        double memNeed = w.cpuMemoryGb();
        List<CpuHost> hosts = cpuHosts(catalog, cpuNeed, memNeed, as);
        for (Catalog.Entry e : catalog.offers()) {
            Offer o = e.offer();
            if (o.what().equals("gpu-instance")) {
                for (GpuSide.PriceMode mode : GpuSide.PriceMode.values()) {
                    Double hourly = hourly(o, mode, as);
                    if (hourly == null) {
                        continue;
                    }
                    if (e.provider().kind().equals("cloud") && o.vcpus() != null && o.memoryGb() != null
                            && o.vcpus() >= cpuNeed + ENGINE_VCPUS && o.memoryGb() >= memNeed + w.model().weightsGb()) {
                        CpuHost onVm = new CpuHost(o.id(), e.provider(), o.vcpus(), List.of(), sla(e));
                        out.add(new Candidate(Architecture.A, onVm, new GpuSide.Dedicated(e, mode, hourly, true)));
                    }
                    for (CpuHost h : hosts) {
                        Architecture arch = h.provider().kind().equals("cloud") && e.provider().kind().equals("gpu-cloud") ? Architecture.B
                                : h.provider().kind().equals("vps") && e.provider().kind().equals("gpu-cloud") ? Architecture.D
                                : Architecture.OTHER;
                        out.add(new Candidate(arch, h, new GpuSide.Dedicated(e, mode, hourly, false)));
                    }
                }
            } else if (o.what().equals("serverless-gpu")) {
                for (boolean warm : new boolean[] {false, true}) {
                    if (!warm && o.prices().flexSecond() == null || warm && o.prices().flexSecond() == null && o.prices().activeSecond() == null) {
                        continue;
                    }
                    for (CpuHost h : hosts) {
                        Architecture arch = h.provider().kind().equals("paas") ? Architecture.C
                                : h.provider().kind().equals("vps") ? Architecture.D : Architecture.OTHER;
                        out.add(new Candidate(arch, h, new GpuSide.Serverless(e, warm)));
                    }
                }
            }
        }
        // E: the model on the CPU host, which then needs room for the engine and the weights too
        for (CpuHost h : cpuHosts(catalog, cpuNeed + 2, memNeed + w.model().weightsGb() + 1, as)) {
            out.add(new Candidate(Architecture.E, h, new GpuSide.OnCpu()));
        }
        return out;
    }

    /** The offer's price per hour in USD for a way it is sold, null when not sold that way. */
    static Double hourly(Offer o, GpuSide.PriceMode mode, Assumptions as) {
        Prices p = o.prices();
        Double v = switch (mode) {
            case ON_DEMAND -> p.onDemandHour() != null ? p.onDemandHour() : p.month() != null ? p.month() / as.hoursPerMonth() : null;
            case SPOT -> p.spotHour();
            case COMMIT_1Y -> p.commit1yHour();
            case COMMIT_3Y -> p.commit3yHour();
        };
        return v == null ? null : toUsd(o, v, as);
    }

    /** An offer's amount in US dollars (EUR at the assumed rate). */
    static double toUsd(Offer o, double amount, Assumptions as) {
        return o.currency().equals("EUR") ? amount * as.eurUsd() : amount;
    }

    static Double sla(Catalog.Entry e) {
        if (e.offer().slaPercent() != null) {
            return e.offer().slaPercent();
        }
        return e.provider().sla() == null ? null : e.provider().sla().percent();
    }

    /** Per provider, the cheapest way to get {@code vcpus} and {@code memoryGb} for a month. */
    static List<CpuHost> cpuHosts(Catalog catalog, double vcpus, double memoryGb, Assumptions as) {
        Map<String, List<Catalog.Entry>> byProvider = new LinkedHashMap<>();
        for (Catalog.Entry e : catalog.offers()) {
            byProvider.computeIfAbsent(e.provider().id(), k -> new ArrayList<>()).add(e);
        }
        List<CpuHost> hosts = new ArrayList<>();
        for (List<Catalog.Entry> offers : byProvider.values()) {
            Provider p = offers.getFirst().provider();
            List<CpuHost> options = new ArrayList<>();
            for (Catalog.Entry e : offers) {
                Offer o = e.offer();
                boolean sized = o.what().equals("cpu-instance") || o.what().equals("plan") && o.billedPer() == null;
                if (sized && o.vcpus() != null && o.memoryGb() != null && o.vcpus() >= vcpus && o.memoryGb() >= memoryGb) {
                    Double h = hourly(o, GpuSide.PriceMode.ON_DEMAND, as);
                    if (h != null) {
                        String basis = o.prices().month() != null && o.prices().onDemandHour() == null
                                ? money(o, o.prices().month()) + "/month"
                                : money(o, o.prices().onDemandHour()) + "/h × " + (int) as.hoursPerMonth() + " h";
                        options.add(new CpuHost(o.id(), p, o.vcpus(),
                                List.of(new CostItem("CPU host", o.id(), basis, h * as.hoursPerMonth())), sla(e)));
                    }
                }
            }
            usagePriced(p, offers, vcpus, memoryGb, as).ifPresent(options::add);
            options.stream().min(Comparator.comparingDouble(CpuHost::usdPerMonth)).ifPresent(hosts::add);
        }
        return hosts;
    }

    /** A host billed per vCPU and per GB (Railway), with the provider's cheapest plan that carries it. */
    private static Optional<CpuHost> usagePriced(Provider p, List<Catalog.Entry> offers, double vcpus, double memoryGb,
                                                 Assumptions as) {
        Catalog.Entry perVcpu = null;
        Catalog.Entry perGb = null;
        List<Catalog.Entry> plans = new ArrayList<>();
        for (Catalog.Entry e : offers) {
            Offer o = e.offer();
            boolean monthlyRate = o.prices().month() != null || o.prices().onDemandHour() != null;
            if ("vcpu".equals(o.billedPer()) && monthlyRate) {
                perVcpu = e;
            } else if ("memory_gb".equals(o.billedPer()) && monthlyRate) {
                perGb = e;
            } else if (o.what().equals("plan") && o.vcpus() == null && o.memoryGb() == null && o.prices().month() != null) {
                plans.add(e);
            }
        }
        if (perVcpu == null || perGb == null) {
            return Optional.empty();
        }
        double vcpuMonth = monthly(perVcpu.offer(), as);
        double gbMonth = monthly(perGb.offer(), as);
        double units = Math.ceil(vcpus);
        double gbs = Math.ceil(memoryGb);
        double usage = units * vcpuMonth + gbs * gbMonth;
        List<CostItem> items = new ArrayList<>();
        items.add(new CostItem("CPU host (usage)", perVcpu.offer().id(), Numbers.plain(units) + " vCPU × " + Numbers.plain(vcpuMonth) + "/month",
                units * vcpuMonth));
        items.add(new CostItem("CPU host memory (usage)", perGb.offer().id(), Numbers.plain(gbs) + " GB × " + Numbers.plain(gbMonth) + "/month",
                gbs * gbMonth));
        Optional<PlanFee> fee = PlanFee.cheapest(plans, usage, as);
        fee.ifPresent(f -> items.add(new CostItem("plan", f.offerId(), f.basis(), f.usdPerMonth())));
        return Optional.of(new CpuHost(p.id() + " (usage)", p, units, List.copyOf(items), p.sla() == null ? null : p.sla().percent()));
    }

    static double monthly(Offer o, Assumptions as) {
        Prices p = o.prices();
        return toUsd(o, p.month() != null ? p.month() : p.onDemandHour() * as.hoursPerMonth(), as);
    }

    static String money(Offer o, double amount) {
        return o.currency() + " " + Numbers.plain(amount);
    }
}
