package io.cervella.planner.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {
    @TempDir Path dir;

    @Test
    void theTeamsProfileReadsAndItsPeakIsWorkedOutByHand() {
        Workload w = Workload.read(Path.of("..", "examples", "cervella-swarm.yaml"));
        assertEquals("cervella-swarm", w.name());
        assertEquals(2.0, w.ttftP95Seconds());
        assertEquals(99.9, w.uptimePercent());
        // weights: six 1s, 2, 4, 8, 10, 10, 9, 7, 8, 9, 9, 8, 6, 3, 1, 1 = 101; the largest is 10: 4000 × 10 / 101 = 396.04 requests in the busiest hour
        assertEquals(4000.0 * 10 / 101, w.peakHourRequests(), 1e-9);
        assertEquals(4000.0 * 10 / 101 / 3600, w.peakRequestsPerSecond(), 1e-12);
        // 4000 × 30 × (900 + 250) = 138,000,000 tokens a month
        assertEquals(138_000_000.0, w.tokensPerMonth(), 1e-6);
        assertEquals(3.0, w.cpuVcpus());
        assertEquals(5.0, w.cpuMemoryGb());
    }

    @Test
    void aFlatDayIsTheDefaultAndDefaultsFillTheTargets() throws Exception {
        Path f = Files.writeString(dir.resolve("w.yaml"), """
                workload: 1
                name: small
                model: {name: Qwen3-4B, weights_gb: 8.05}
                requests_per_day: 2400
                prompt_tokens: 100
                completion_tokens: 50
                peak_concurrency: 2
                """);
        Workload w = Workload.read(f);
        assertEquals(100.0, w.peakHourRequests(), 1e-9); // 2400 / 24
        assertEquals(2.0, w.ttftP95Seconds());
        assertEquals(99.9, w.uptimePercent());
        assertEquals(0.0, w.budgetUsdPerMonth());
    }

    @Test
    void badProfilesSayWhatIsWrong() throws Exception {
        String ok = """
                workload: 1
                name: x
                model: {name: m, weights_gb: 1}
                requests_per_day: 10
                prompt_tokens: 1
                completion_tokens: 1
                peak_concurrency: 1
                """;
        assertMessage(ok + "daily_shape: [1, 2, 3]\n", "daily_shape", "24 weights");
        assertMessage(ok + "uptime_percent: 100\n", "uptime_percent", "below 100");
        assertMessage(ok.replace("peak_concurrency: 1\n", ""), "peak_concurrency", "required");
        assertMessage(ok + "requets_per_hour: 5\n", "requets_per_hour");
        assertMessage(ok.replace("model: {name: m, weights_gb: 1}", "model: {name: m}"), "weights_gb");
    }

    private void assertMessage(String yaml, String... parts) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> Workload.read(f));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
    }
}
