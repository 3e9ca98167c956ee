package io.cervella.planner.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    static final Path SHIPPED = Path.of("..", "catalog");

    @TempDir Path dir;

    private static final String RUNPOD = """
            catalog: 1
            read: 2026-11-09
            provider: {id: runpod, name: RunPod, kind: gpu-cloud}
            offers:
              - id: runpod-secure-h100
                what: gpu-instance
                gpu: {model: H100 SXM, memory_gb: 80, bandwidth_gb_s: 3350}
                prices: {on_demand_hour: 3.99, spot_hour: 2.69}
                source: https://example.org/runpod
              - id: runpod-volume
                what: storage
                prices: {gb_month: 0.07}
                source: https://example.org/runpod-storage
                read: 2026-08-19
            """;

    private Path write(String name, String text) throws Exception {
        Path d = Files.createDirectories(dir.resolve("shipped"));
        return Files.writeString(d.resolve(name), text);
    }

    @Test
    void theShippedCatalogReadsAndEveryOfferHasItsSourceAndDate() {
        Catalog c = Catalog.load(SHIPPED, List.of());
        assertTrue(c.offers().size() >= 40, "offers: " + c.offers().size());
        for (Catalog.Entry e : c.offers()) {
            assertTrue(e.offer().source().startsWith("http"), e.offer().id());
            assertTrue(e.offer().read() != null && e.offer().read().getYear() >= 2024, e.offer().id());
        }
        // the providers the options A-D need
        for (String id : List.of("gcp", "runpod", "runpod-serverless", "vast", "modal", "render", "railway", "hetzner")) {
            assertTrue(c.provider(id).isPresent(), id);
        }
        assertEquals(99.9, c.provider("gcp").orElseThrow().sla().percent());
        assertNull(c.provider("vast").orElseThrow().sla(), "Vast.ai publishes no SLA");
        assertTrue(c.provider("modal").orElseThrow().coldStartSeconds().typical() > 2, "a cold start breaks 2 s");
        Performance rtx4090 = c.figures().stream().map(Catalog.Figure::performance)
                .filter(p -> Performance.normalize(p.hardware()).equals("rtx 4090")).findFirst().orElseThrow();
        assertEquals(95.0, rtx4090.decodeTokensPerSecond());
        assertFalse(rtx4090.measured());
        assertEquals(20.0, c.offer("railway-pro").orElseThrow().offer().prices().creditMonth());
        assertEquals("vcpu", c.offer("railway-usage-vcpu").orElseThrow().offer().billedPer());
    }

    @Test
    void aFileOfMeasuredFiguresNeedsNoProviderAndAPublishedFigureNeedsAUrl() throws Exception {
        write("runpod.yaml", RUNPOD);
        Path bench = Files.writeString(dir.resolve("bench.json"), """
                {"catalog": 1, "read": "2026-11-27", "performance": [{"model": "Qwen3-4B", "hardware": "RTX  4090",
                 "prompt_tokens": 900, "prefill_tokens_per_second": 9000, "decode_tokens_per_second": 120,
                 "measured": true, "source": "cervella bench --hardware 'RTX 4090'"}]}
                """);
        Catalog c = Catalog.load(dir.resolve("shipped"), List.of(bench));
        Catalog.Figure f = c.figures().getFirst();
        assertTrue(f.performance().measured());
        assertEquals("bench.json", f.file());
        assertEquals(java.time.LocalDate.parse("2026-11-27"), f.performance().read());
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                catalog: 1
                read: 2026-11-27
                performance:
                  - {model: Qwen3-4B, hardware: L4, decode_tokens_per_second: 50, source: my notes}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> Catalog.load(dir.resolve("shipped"), List.of(bad)));
        assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains("source"), e.getMessage());
    }

    @Test
    void filesReadTheirDefaultDateAndAUsersFileReplacesByIdAndAdds() throws Exception {
        write("runpod.yaml", RUNPOD);
        Path user = Files.writeString(dir.resolve("mine.yaml"), """
                catalog: 1
                read: 2026-11-25
                provider: {id: runpod, name: RunPod (our negotiated prices), kind: gpu-cloud, sla: {percent: 99.5, source: https://example.org/contract}}
                offers:
                  - {id: runpod-secure-h100, what: gpu-instance, gpu: {model: H100 SXM}, prices: {on_demand_hour: 2.99}, source: https://example.org/quote}
                  - {id: runpod-l4, what: gpu-instance, gpu: {model: L4}, prices: {on_demand_hour: 0.44}, source: https://example.org/quote}
                """);
        Catalog shipped = Catalog.load(dir.resolve("shipped"), List.of());
        assertEquals(LocalDate.parse("2026-11-09"), shipped.offer("runpod-secure-h100").orElseThrow().offer().read());
        assertEquals(LocalDate.parse("2026-08-19"), shipped.offer("runpod-volume").orElseThrow().offer().read());
        assertEquals(2.69, shipped.offer("runpod-secure-h100").orElseThrow().offer().prices().spotHour());

        Catalog c = Catalog.load(dir.resolve("shipped"), List.of(user));
        Catalog.Entry h100 = c.offer("runpod-secure-h100").orElseThrow();
        assertEquals(2.99, h100.offer().prices().onDemandHour());
        assertNull(h100.offer().prices().spotHour(), "an override replaces the offer whole");
        assertEquals("mine.yaml", h100.file());
        assertEquals(3, c.offers().size());
        assertEquals(99.5, c.offer("runpod-volume").orElseThrow().provider().sla().percent(), "the shipped offer follows the replaced provider");
    }

    @Test
    void badEntriesAreRefusedNamingTheFileTheOfferAndTheKey() throws Exception {
        write("a.yaml", RUNPOD.replace("prices: {on_demand_hour: 3.99, spot_hour: 2.69}", "prices: {on_demand_hour: -1}"));
        assertMessage("on_demand_hour", "0 or more");
        write("a.yaml", RUNPOD.replace("    source: https://example.org/runpod\n", ""));
        assertMessage("source", "URL the prices were read from");
        write("a.yaml", RUNPOD.replace("spot_hour: 2.69", "spot_huor: 2.69"));
        assertMessage("spot_huor", "");
        write("a.yaml", RUNPOD.replace("read: 2026-11-09\n", ""));
        assertMessage("read", "no read date");
        write("a.yaml", RUNPOD.replace("prices: {gb_month: 0.07}", "prices: {included: \"1 TiB\"}"));
        assertMessage("prices", "at least one price");
        write("a.yaml", RUNPOD);
        write("b.yaml", RUNPOD.replace("provider: {id: runpod", "provider: {id: runpod2"));
        assertMessage("runpod-secure-h100", "also given by a.yaml");
    }

    private void assertMessage(String... parts) {
        ConfigException e = assertThrows(ConfigException.class, () -> Catalog.load(dir.resolve("shipped"), List.of()));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
        assertTrue(e.getMessage().contains(".yaml"), "names the file: " + e.getMessage());
    }

    @Test
    void aCatalogOlderThanTheLimitIsStaleAndNamesItsOldestEntries() throws Exception {
        write("runpod.yaml", RUNPOD);
        Catalog c = Catalog.load(dir.resolve("shipped"), List.of());
        Catalog.Staleness fresh = c.staleness(LocalDate.parse("2026-11-17"), 90);
        assertFalse(fresh.stale());
        assertEquals(90, fresh.oldestAgeDays()); // 2026-08-19 → 2026-11-17
        Catalog.Staleness stale = c.staleness(LocalDate.parse("2026-11-18"), 90);
        assertTrue(stale.stale());
        assertEquals(List.of("runpod-volume"), stale.oldest().stream().map(e -> e.offer().id()).toList());
    }
}
