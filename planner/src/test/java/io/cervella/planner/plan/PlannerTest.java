package io.cervella.planner.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.workload.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner's arithmetic on a small catalog where every figure can be worked by hand: a cloud
 * (CPU VM 0.10/h, GPU VM 0.70/h with an L4, SLA 99.9%), a GPU rental without SLA (GPU "X", 0.50/h),
 * a VPS (EUR 10 a month), a serverless GPU, storage and egress; a flat day of 2,400 requests.
 */
class PlannerTest {
    static final LocalDate TODAY = LocalDate.parse("2026-11-27");

    @TempDir Path dir;
    Path shipped;

    @BeforeEach
    void catalog() throws Exception {
        shipped = Files.createDirectories(dir.resolve("catalog"));
        Files.writeString(shipped.resolve("acme.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: acme, name: Acme Cloud, kind: cloud, sla: {percent: 99.9, source: https://acme.example/sla}}
                offers:
                  - {id: acme-cpu, what: cpu-instance, vcpus: 2, memory_gb: 8, prices: {on_demand_hour: 0.10}, source: https://acme.example/p}
                  - {id: acme-gpu-vm, what: gpu-instance, vcpus: 8, memory_gb: 32, gpu: {model: L4, memory_gb: 24, bandwidth_gb_s: 300},
                     prices: {on_demand_hour: 0.70}, source: https://acme.example/p}
                  - {id: acme-egress, what: egress, prices: {gb_egress: 0.10}, source: https://acme.example/p}
                """);
        Files.writeString(shipped.resolve("rent.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: rent, name: Rent a GPU, kind: gpu-cloud}
                offers:
                  - {id: rent-x, what: gpu-instance, gpu: {model: X, memory_gb: 24, bandwidth_gb_s: 1000}, prices: {on_demand_hour: 0.50},
                     source: https://rent.example/p}
                """);
        Files.writeString(shipped.resolve("vps.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: vps, name: A VPS, kind: vps}
                offers:
                  - {id: vps-4, what: cpu-instance, vcpus: 4, memory_gb: 8, currency: EUR, prices: {month: 10}, source: https://vps.example/p}
                """);
        Files.writeString(shipped.resolve("store.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: store, name: Store, kind: storage}
                offers:
                  - {id: store-gb, what: storage, prices: {gb_month: 0.01}, source: https://store.example/p}
                """);
        Files.writeString(shipped.resolve("performance.yaml"), """
                catalog: 1
                read: 2026-11-20
                performance:
                  - {model: M, hardware: X, prompt_tokens: 1000, prefill_tokens_per_second: 10000, decode_tokens_per_second: 100,
                     source: https://bench.example/x}
                """);
    }

    Workload workload(String extra) throws Exception {
        Path f = dir.resolve("w-" + System.nanoTime() + ".yaml");
        Files.writeString(f, """
                workload: 1
                name: test
                model: {name: M, weights_gb: 2.5}
                requests_per_day: 2400
                prompt_tokens: 1000
                completion_tokens: 100
                peak_concurrency: 2
                storage_gb: 100
                egress_gb_per_month: 10
                cpu_services: [{name: core, vcpus: 2, memory_gb: 4}]
                """ + extra);
        return Workload.read(f);
    }

    Plan plan(Workload w) {
        return new Planner(Catalog.load(shipped, List.of()), Assumptions.DEFAULTS).plan(w, TODAY, List.of());
    }

    static Evaluation find(Plan p, String name) {
        return p.ranked().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not among " + p.ranked().stream().map(Evaluation::name).toList()));
    }

    static Map<String, Double> bill(Evaluation e) {
        return e.costs().stream().collect(Collectors.toMap(CostItem::what, CostItem::usdPerMonth, Double::sum));
    }

    @Test
    void eachOptionIsItemisedAsWorkedByHand() throws Exception {
        Plan p = plan(workload("budget_usd_per_month: 1000\n"));
        // B: Acme's CPU VM 0.10 × 730 = 73; rent-x 0.50 × 730 = 365 a replica; 100 GB × 0.01 = 1; 10 GB × 0.10 = 1.
        // One replica gives 99.9% × 99% (rent has no SLA: assumed) = 98.901%; two fail only together:
        // 99.9% × (1 − 0.01²) = 99.890%, nearer the 99.9% target and within the budget, so two it is
        Evaluation b = find(p, "acme-cpu + rent-x (on demand)");
        assertEquals(Architecture.B, b.architecture());
        assertEquals(2, b.replicas());
        assertEquals(Map.of("CPU host", 73.0, "GPU", 730.0, "storage and backups", 1.0, "egress", 1.0), rounded(bill(b)));
        assertEquals(805.0, b.usdPerMonth(), 1e-9);
        assertEquals(0.999 * (1 - 0.01 * 0.01), b.availability(), 1e-12);
        // D: EUR 10 × 1.15 = 11.50, no egress priced for the VPS; two GPUs as for B: 11.5 + 730 + 1
        Evaluation d = find(p, "vps-4 + rent-x (on demand)");
        assertEquals(Architecture.D, d.architecture());
        assertEquals(742.5, d.usdPerMonth(), 1e-9);
        // A: the GPU VM carries the CPU services (8 vCPU ≥ 2 + 1, 32 GB ≥ 4 + 2.5): 0.70 × 730 = 511
        Evaluation a = find(p, "acme-gpu-vm (on demand)");
        assertEquals(Architecture.A, a.architecture());
        assertEquals(513.0, a.usdPerMonth(), 1e-9);

        // X: published 10,000 tok/s prompt, 100 tok/s decoding → a request holds a slot 0.1 + 1.0 s
        assertEquals(1.1, b.serviceSeconds(), 1e-12);
        assertEquals("published", b.performance().decode().source().label());
        // L4: no figure → decoding at 300 GB/s ÷ 2.5 GB × 0.6 = 72 tok/s, prompt scaled from X: 10,000 × 300/1000 = 3,000 tok/s
        assertEquals(72, a.performance().decode().tokensPerSecond(), 1e-9);
        assertEquals("memory-bandwidth bound", a.performance().decode().source().label());
        assertEquals(3000, a.performance().prefill().tokensPerSecond(), 1e-9);
        assertEquals("scaled by memory bandwidth", a.performance().prefill().source().label());
        assertEquals(1000.0 / 3000 + 100.0 / 72, a.serviceSeconds(), 1e-12);

        // 100 requests an hour, 8 slots a replica: nobody waits, TTFT = the prompt, 0.1 s; two at once, one on each replica: 0.1 s
        assertEquals(0.1, b.ttftP95Seconds(), 1e-12);
        assertEquals(0.1, b.burstTtftSeconds(), 1e-12);

        // availability: A on its SLA alone; B's rests on an assumption
        assertEquals(0.999, a.availability(), 1e-12);
        assertFalse(a.availabilityAssumed());
        assertTrue(b.availabilityAssumed());
        assertFalse(b.uptimeMet());

        // only A meets every target: it wins, and the report says what the others miss
        Plan.Recommendation r = p.recommendation();
        assertEquals("acme-gpu-vm (on demand)", r.winner().name());
        assertTrue(r.meetsAll());
        assertTrue(r.reasons().getFirst().contains("the cheapest of the 1 options"), r.reasons().getFirst());
    }

    @Test
    void aSecondGpuIsNotBoughtForAvailabilityBeyondTheBudget() throws Exception {
        // under 500: two rent-x (805) would be over budget, one (440) is not
        Evaluation b = find(plan(workload("budget_usd_per_month: 500\n")), "acme-cpu + rent-x (on demand)");
        assertEquals(1, b.replicas());
        assertEquals(440.0, b.usdPerMonth(), 1e-9);
        assertEquals(0.98901, b.availability(), 1e-12);
        assertEquals(0.2, b.burstTtftSeconds(), 1e-12); // both prompts on the one replica, one after the other
        assertTrue(b.withinBudget());
    }

    @Test
    void underATighterBudgetTheCheapestOptionThatMissesOnlyTheUptimeTargetWins() throws Exception {
        Plan p = plan(workload("budget_usd_per_month: 400\n"));
        Plan.Recommendation r = p.recommendation();
        assertFalse(r.meetsAll());
        assertEquals("vps-4 + rent-x (on demand)", r.winner().name());
        String why = String.join("\n", r.reasons());
        assertTrue(why.contains("no option meets every target"), why);
        assertTrue(why.contains("the latency and uptime targets together cost at least 513.00 USD"), why);
        assertTrue(String.join("\n", r.sensitivity()).contains("budget: 513.00 USD a month buys the uptime target"), r.sensitivity().toString());
    }

    @Test
    void replicasComeFromTheQueueAtTheBusiestHour() throws Exception {
        // 864,000 requests a day, flat: λ = 10/s; μ = 1/1.1 per slot; one replica (8 slots) cannot keep up (a = 11),
        // two (16 slots): C(16, 11) = 0.1145, wait p95 = ln(0.1145/0.05)/(16/1.1 − 10) = 0.182 s → TTFT 0.282 s;
        // three (24 slots): C = 0.0005 < 5%: no wait, TTFT 0.1 s
        // (an uptime target of 98% keeps availability out of it: one rent-x behind Acme's VM gives 98.9%)
        Workload w = workload("budget_usd_per_month: 0\nuptime_percent: 98\n").scaled(360);
        assertEquals(720, w.peakConcurrency(), "scaled with the load");
        w = w.withPeakConcurrency(2);
        Evaluation b = find(plan(w), "acme-cpu + rent-x (on demand)");
        assertTrue(b.latencyMet());
        assertEquals(2, b.replicas());
        assertEquals(0.1 + 0.18235326796589654, b.ttftP95Seconds(), 1e-9);
        assertEquals(73 + 2 * 365 + 1 + 1, b.usdPerMonth(), 1e-9);

        Evaluation tight = find(plan(w.withTtftTarget(0.2)), "acme-cpu + rent-x (on demand)");
        assertTrue(tight.latencyMet());
        assertEquals(3, tight.replicas());
        assertEquals(0.1, tight.ttftP95Seconds(), 1e-12);
    }

    @Test
    void scaleToZeroIsPricedByTheSecondAndItsColdStartsCount() throws Exception {
        Files.writeString(shipped.resolve("sls.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: sls, name: Serverless Co, kind: serverless-gpu, cold_start_seconds: {typical: 2.0, worst: 30, source: https://sls.example/c}}
                offers:
                  - {id: sls-x, what: serverless-gpu, gpu: {model: X}, prices: {flex_second: 0.0005, active_second: 0.0004}, source: https://sls.example/p}
                """);
        Plan p = plan(workload("budget_usd_per_month: 0\n"));
        // λ = 100/3600 per s, idle 60 s, S = 1.1 s: up 1 − e^(−λ·61.1) = 0.81681 of the time → 70,572.24 worker-s a day;
        // cold starts 86,400·λ·e^(−λ·61.1) = 439.66 a day × 2 s; × 30 days × 0.0005/s = 1,071.77 USD
        Evaluation flex = find(p, "vps-4 + sls-x (scale to zero)");
        assertEquals(1071.773379106151, bill(flex).get("GPU workers (scale to zero)"), 1e-6);
        // e^(−λ·61.1) = 18.3% of requests find no warm worker: the p95 includes the 2 s cold start → 2.1 s > 2 s
        assertEquals(0.18319168373680472, flex.coldStartShare(), 1e-12);
        assertEquals(2.1, flex.ttftP95Seconds(), 1e-12);
        assertFalse(flex.latencyMet());
        // kept warm: 0.0004/s × 730 h × 3600 s = 1,051.20 USD, no cold start
        Evaluation warm = find(p, "vps-4 + sls-x (kept warm)");
        assertEquals(1051.2, bill(warm).get("GPU workers kept warm"), 1e-9);
        assertEquals(0.1, warm.ttftP95Seconds(), 1e-12);
        assertTrue(warm.latencyMet());
    }

    @Test
    void aMissingFigureOrPriceIsNamedAndAnImpossibleTargetIsSaidPlainly() throws Exception {
        Files.writeString(shipped.resolve("more.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: more, name: More GPUs, kind: gpu-cloud}
                offers:
                  - {id: more-y, what: gpu-instance, gpu: {model: Y}, prices: {on_demand_hour: 0.20}, source: https://more.example/p}
                  - {id: more-x-bare, what: gpu-instance, gpu: {model: X}, prices: {on_demand_hour: 0.10}, source: https://more.example/p,
                     incomplete: "the GPU only: its host is billed on top"}
                """);
        Plan p = plan(workload("ttft_p95_seconds: 0.05\n"));
        assertTrue(p.notEvaluated().get("more-y").contains("no performance figure for M on Y and no memory bandwidth"),
                p.notEvaluated().toString());
        assertTrue(p.notEvaluated().get("more-y").contains("cervella bench"));
        assertEquals("its price is incomplete: the GPU only: its host is billed on top", p.notEvaluated().get("more-x-bare"));
        String why = String.join("\n", p.recommendation().reasons());
        // the fastest option is X with a prompt of 1,000 tokens at 10,000 tok/s on each of its replicas: 0.10 s
        assertTrue(why.contains("no option reaches a TTFT p95 of 0.05 s: the fastest"), why);
        assertTrue(why.contains("gives 0.10 s"), why);

        Files.delete(shipped.resolve("store.yaml"));
        PlanException e = assertThrows(PlanException.class, () -> plan(workload("")));
        assertTrue(e.getMessage().contains("keeps 100.0 GB but the catalog has no storage price"), e.getMessage());
    }

    @Test
    void theCostVsLoadSeriesAndTheLoadSensitivity() throws Exception {
        Plan p = plan(workload("budget_usd_per_month: 1000\n"));
        assertEquals(7, p.costVsLoad().size());
        Plan.LoadPoint today = p.costVsLoad().get(2);
        assertEquals(2400, today.requestsPerDay(), 1e-9);
        assertEquals(742.5, today.best().get(Architecture.D).usdPerMonth(), 1e-9);
        // 4× the load: 8 arrive at once; one L4 VM would take 8 prompts × 1/3 s = 2.67 s, two take 4 each: 1.33 s
        Plan.LoadPoint heavy = p.costVsLoad().get(4);
        assertEquals(4, heavy.factor());
        assertEquals(2 * 511 + 2, heavy.best().get(Architecture.A).usdPerMonth(), 1e-9);
        // so at 4× A is over the budget of 1,000 and B's two rented GPUs (805) win; below today's load nothing changes
        assertEquals(List.of("load: at 4× the requests (9600 a day) acme-cpu + rent-x (on demand) wins (805.00 USD a month)"),
                p.recommendation().sensitivity());
    }

    @Test
    void aPlansCreditPaysUsageFirstAndAUsageBilledHostIsSizedPerVcpuAndGb() throws Exception {
        Files.writeString(shipped.resolve("paas.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: paas, name: A PaaS, kind: paas}
                offers:
                  - {id: paas-pro, what: plan, prices: {month: 20, credit_month: 20}, source: https://paas.example/p}
                  - {id: paas-vcpu, what: plan, billed_per: vcpu, vcpus: 1, prices: {month: 20}, source: https://paas.example/p}
                  - {id: paas-gb, what: plan, billed_per: memory_gb, memory_gb: 1, prices: {month: 10}, source: https://paas.example/p}
                """);
        Files.writeString(shipped.resolve("sls.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: sls, name: Serverless Co, kind: serverless-gpu, cold_start_seconds: {typical: 2.0, source: https://sls.example/c}}
                offers:
                  - {id: sls-x, what: serverless-gpu, gpu: {model: X}, prices: {flex_second: 0.0005}, source: https://sls.example/p}
                  - {id: sls-starter, what: plan, prices: {month: 0, credit_month: 30}, source: https://sls.example/p}
                """);
        Plan p = plan(workload("budget_usd_per_month: 0\n"));
        // 2 vCPU × 20 + 4 GB × 10 = 80 of usage; the plan's 20 is a minimum the usage already pays: 20 − min(80, 20) = 0
        Evaluation c = find(p, "paas (usage) + sls-x (kept warm)");
        assertEquals(Architecture.C, c.architecture());
        Map<String, Double> bill = bill(c);
        assertEquals(40.0, bill.get("CPU host (usage)"), 1e-9);
        assertEquals(40.0, bill.get("CPU host memory (usage)"), 1e-9);
        // kept warm on the flex price: 0.0005 × 2,628,000 s = 1,314; the starter plan's 30 of credit comes off; the paas plan's fee is 0
        assertEquals(1314.0, bill.get("GPU workers kept warm"), 1e-9);
        assertEquals(-30.0 + 0.0, bill.get("plan"), 1e-9);
        assertEquals(80 + 1314 - 30 + 1 + 0, c.usdPerMonth(), 1e-9);
    }

    @Test
    void aClassOfGpusGetsItsSlowestMemberAndAFigureTakenWithOtherWeightsIsScaled() throws Exception {
        Files.writeString(shipped.resolve("more.yaml"), """
                catalog: 1
                read: 2026-11-20
                provider: {id: more, name: More GPUs, kind: gpu-cloud}
                offers:
                  - {id: more-x-or-l4, what: gpu-instance, gpu: {model: "X / L4"}, prices: {on_demand_hour: 0.30}, source: https://more.example/p}
                """);
        Plan p = plan(workload(""));
        // X: 100 tok/s published; L4: 300 GB/s ÷ 2.5 GB × 0.6 = 72 → 72. Prompt: X 10,000, L4 scaled 3,000 → 3,000
        Evaluation e = find(p, "acme-cpu + more-x-or-l4 (on demand)");
        assertEquals(72, e.performance().decode().tokensPerSecond(), 1e-9);
        assertEquals(3000, e.performance().prefill().tokensPerSecond(), 1e-9);

        // a published L4 figure taken with 8 GB of weights: 30 tok/s × 8/2.5 = 96, under the bound of 300/2.5 = 120
        Files.writeString(shipped.resolve("performance-l4.yaml"), """
                catalog: 1
                read: 2026-11-20
                performance:
                  - {model: M, hardware: L4, weights_gb: 8, decode_tokens_per_second: 30, source: https://bench.example/l4}
                """);
        Evaluation l4 = find(plan(workload("")), "acme-gpu-vm (on demand)");
        assertEquals(96, l4.performance().decode().tokensPerSecond(), 1e-9);
        assertEquals("scaled by weight size", l4.performance().decode().source().label());
    }

    @Test
    void amongFiguresOfTheSameKindAndDateTheOneReadLastWins() throws Exception {
        Path mine = Files.writeString(dir.resolve("mine.yaml"), """
                catalog: 1
                read: 2026-11-20
                performance:
                  - {model: M, hardware: X, prefill_tokens_per_second: 5000, decode_tokens_per_second: 50, source: https://mine.example/x}
                """);
        Plan p = new Planner(Catalog.load(shipped, List.of(mine)), Assumptions.DEFAULTS).plan(workload(""), TODAY, List.of());
        assertEquals(50, find(p, "acme-cpu + rent-x (on demand)").performance().decode().tokensPerSecond(), 1e-9);
    }

    private static Map<String, Double> rounded(Map<String, Double> m) {
        return m.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> Math.round(e.getValue() * 100) / 100.0));
    }
}
