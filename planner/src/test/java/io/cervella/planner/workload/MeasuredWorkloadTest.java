package io.cervella.planner.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.usage.UsageTraffic;
import io.cervella.planner.workload.MeasuredWorkload.Source;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasuredWorkloadTest {
    private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-03-15T00:00:00Z");
    private static final Workload SWARM = Workload.read(Path.of("..", "examples", "cervella-swarm.yaml"));

    /** Two weeks of Qwen3-4B: 2800 requests, 1400 started at 09 UTC, 700 at 10, 700 at 15. */
    private static UsageTraffic twoWeeks(String model, long requests, int peak, Double promptMean, Double completionMean) {
        List<Long> hourly = new ArrayList<>(Collections.nCopies(24, 0L));
        if (requests > 0) {
            hourly.set(9, requests / 2);
            hourly.set(10, requests / 4);
            hourly.set(15, requests / 4);
        }
        Map<String, Long> byModel = new LinkedHashMap<>();
        if (requests > 0) {
            byModel.put(model, requests);
        }
        byModel.put("bge-small", 100L);
        return new UsageTraffic(FROM, TO, 14.0, model, requests, 14, hourly, promptMean, completionMean, peak, 1234.0,
                false, byModel);
    }

    @Test
    void theTrafficReplacesTheFilesFiguresAndTheRestIsKept() {
        MeasuredWorkload m = MeasuredWorkload.from(twoWeeks("Qwen3-4B", 2800, 6, 900.5, 250.25), SWARM);
        Workload w = m.workload();
        assertEquals(200.0, w.requestsPerDay(), 1e-12); // 2800 / 14
        List<Double> shape = new ArrayList<>(Collections.nCopies(24, 0.0));
        shape.set(9, 1400.0);
        shape.set(10, 700.0);
        shape.set(15, 700.0);
        assertEquals(shape, w.dailyShape());
        assertEquals(100.0, w.peakHourRequests(), 1e-9); // 200 × 1400 / 2800
        assertEquals(900.5, w.promptTokens());
        assertEquals(250.25, w.completionTokens());
        assertEquals(6, w.peakConcurrency());
        assertEquals(6_904_500.0, w.tokensPerMonth(), 1e-6); // 200 × 30 × 1150.75
        // kept from the file: its name, the model's size, targets, budget, storage, egress, CPU side
        assertEquals("cervella-swarm", w.name());
        assertEquals(new ModelSpec("Qwen3-4B", 2.5, 144.0), w.model());
        assertEquals(2.0, w.ttftP95Seconds());
        assertEquals(99.9, w.uptimePercent());
        assertEquals(400.0, w.budgetUsdPerMonth());
        assertEquals(50.0, w.storageGb());
        assertEquals(20.0, w.egressGbPerMonth());
        assertEquals(SWARM.cpuServices(), w.cpuServices());
        assertEquals(List.of("requests_per_day", "daily_shape", "prompt_tokens", "completion_tokens",
                "peak_concurrency"), m.fields(Source.MEASURED));
        assertEquals(List.of("model.name", "model.weights_gb", "model.kv_cache_kib_per_token", "name", "ttft_p95_seconds",
                "uptime_percent", "budget_usd_per_month", "storage_gb", "egress_gb_per_month", "cpu_services"),
                m.fields(Source.WORKLOAD));
        assertEquals(List.of(), m.fields(Source.DEFAULT));
        assertEquals(1234.0, m.traffic().ttftP95Ms()); // shown beside the target, not made the target
    }

    @Test
    void theGatewaysNameForTheModelIsSizedAsTheFileDescribesIt() {
        // clients ask for "cervella-baby"; it serves Qwen3-4B, the name the catalog's figures use
        MeasuredWorkload m = MeasuredWorkload.from(twoWeeks("cervella-baby", 2800, 6, 900.0, 250.0), SWARM);
        assertEquals(new ModelSpec("Qwen3-4B", 2.5, 144.0), m.workload().model());
        assertEquals("cervella-baby", m.traffic().model());
        assertEquals(200.0, m.workload().requestsPerDay(), 1e-12);
    }

    @Test
    void withoutAFileTheDefaultsFillInAndAreNamed() {
        MeasuredWorkload m = MeasuredWorkload.withoutWorkload(twoWeeks("Qwen3-4B", 280, 0, 10.0, 0.0),
                new ModelSpec("Qwen3-4B", 2.5, null));
        Workload w = m.workload();
        assertEquals(20.0, w.requestsPerDay(), 1e-12); // 280 / 14
        assertEquals(1, w.peakConcurrency()); // max(1, 0)
        assertEquals("from-usage", w.name());
        assertEquals(2.0, w.ttftP95Seconds());
        assertEquals(99.9, w.uptimePercent());
        assertEquals(0.0, w.budgetUsdPerMonth());
        assertEquals(0.0, w.storageGb());
        assertEquals(0.0, w.egressGbPerMonth());
        assertEquals(List.of(new CpuService("cervella-core", 2.0, 4.0)), w.cpuServices());
        assertNull(w.model().kvCacheKibPerToken());
        assertEquals(List.of("name", "ttft_p95_seconds", "uptime_percent", "budget_usd_per_month", "storage_gb",
                "egress_gb_per_month", "cpu_services"), m.fields(Source.DEFAULT));
        assertEquals(List.of("model.name", "model.weights_gb"), m.fields(Source.GIVEN));
        assertEquals(List.of(), m.fields(Source.WORKLOAD));
    }

    @Test
    void whatCannotBeMeasuredSaysWhy() {
        assertMessage(() -> MeasuredWorkload.from(twoWeeks("Qwen3-4B", 0, 0, null, null), SWARM),
                "no requests of Qwen3-4B in the last 14 days (2026-03-01T00:00:00Z to 2026-03-15T00:00:00Z)",
                "the ledger holds bge-small 100");
        UsageTraffic nothing = new UsageTraffic(FROM, TO, 14.0, null, 0, 0, Collections.nCopies(24, 0L), null, null, 0,
                null, false, Map.of());
        assertMessage(() -> MeasuredWorkload.from(nothing, SWARM), "no requests in the last 14 days");
        assertMessage(() -> MeasuredWorkload.from(twoWeeks("Qwen3-4B", 40, 1, null, null), SWARM),
                "no successful requests of Qwen3-4B", "40 requests");
        // the ledger has no model sizes: without a file there is nothing to size the model by
        assertMessage(() -> MeasuredWorkload.from(twoWeeks("cervella-baby", 2800, 6, 900.0, 250.0), null),
                "--workload FILE must give the model's weights_gb", "name: cervella-baby");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
    }
}
