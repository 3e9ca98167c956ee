package io.cervella.ops.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.config.ConfigException;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.tls.LocalCertificateAuthority;
import io.cervella.core.tls.TlsMaterial;
import io.cervella.ops.config.ProbeConfig;
import io.cervella.ops.config.ProbesConfig;
import io.cervella.ops.facts.PlatformFacts;
import io.cervella.ops.facts.PlatformFacts.AppFact;
import io.cervella.ops.facts.PlatformFacts.UpstreamFact;
import io.cervella.ops.facts.ProbeFact;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probes against real HTTP and HTTPS servers on loopback, their rows, their state and their meters. */
class UptimeProbesTest {
    @TempDir Path dir;
    private MetadataStore store;
    private SimpleMeterRegistry registry;
    private final List<AppFact> apps = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void open() {
        store = MetadataStore.openSqlite(dir.resolve("x.db"));
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        store.close();
    }

    @Test
    void aUrlIsUpOn2xxAnd3xxAndDownOnAnErrorStatusASlowAnswerOrARefusedConnection() throws Exception {
        LoopbackServers.Server s = closing(LoopbackServers.http());
        int dead = LoopbackServers.deadPort();
        UptimeProbes probes = probes(false,
                url("ok", s.base() + "/ok"), url("moved", s.base() + "/moved"), url("fail", s.base() + "/fail"),
                url("slow", s.base() + "/slow"), url("refused", "http://127.0.0.1:" + dead + "/"));

        ProbeResult ok = probes.runNow("ok");
        assertTrue(ok.up());
        assertEquals(200, ok.status());
        assertNull(ok.error());
        assertTrue(ok.latencyMs() >= 0);

        ProbeResult moved = probes.runNow("moved");
        assertTrue(moved.up(), "a 3xx is up: the redirect is not followed");
        assertEquals(302, moved.status());

        ProbeResult fail = probes.runNow("fail");
        assertFalse(fail.up());
        assertEquals(500, fail.status());
        assertEquals("HTTP 500", fail.error());

        long before = System.nanoTime();
        ProbeResult slow = probes.runNow("slow");
        long tookMs = (System.nanoTime() - before) / 1_000_000;
        assertFalse(slow.up());
        assertNull(slow.status());
        assertEquals("no answer within 1 s", slow.error());
        assertTrue(tookMs < LoopbackServers.SLOW_MS, "gave up at the timeout, not when the answer came: " + tookMs + " ms");

        ProbeResult refused = probes.runNow("refused");
        assertFalse(refused.up());
        assertEquals("connection refused", refused.error());

        assertEquals(5, rows("SELECT COUNT(*) FROM ops_probe_results WHERE node = 'node-1'"));
        assertEquals(3, rows("SELECT COUNT(*) FROM ops_probe_results WHERE up = 0 AND error IS NOT NULL"));
        assertEquals(500, rows("SELECT status FROM ops_probe_results WHERE probe = 'fail'"));
        List<ProbeFact> facts = probes.current();
        assertEquals(List.of("fail", "moved", "ok", "refused", "slow"), facts.stream().map(ProbeFact::name).toList());
        assertEquals(List.of(false, true, true, false, false), facts.stream().map(ProbeFact::up).toList());
    }

    @Test
    void aUrlsCredentialsAreSentButNeverShownAndItsQueryNeverStored() throws Exception {
        LoopbackServers.Server s = closing(LoopbackServers.http());
        String base = s.base().replace("http://", "http://probe%40user:s3cret@");
        UptimeProbes probes = probes(false, url("private", base + "/fail?token=t0psecret"));
        ProbeResult r = probes.runNow("private");
        assertFalse(r.up());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("probe@user:s3cret".getBytes()), s.lastAuthorization().get());
        assertEquals("token=t0psecret", s.lastQuery().get(), "the query is part of what is probed");
        ProbeFact f = probes.current().getFirst();
        assertEquals(s.base() + "/fail", f.url());
        for (String shown : List.of(f.url(), f.lastError(), probes.summaries().getFirst().url())) {
            assertFalse(shown.contains("s3cret") || shown.contains("t0psecret") || shown.contains("user"), shown);
        }

        int dead = LoopbackServers.deadPort();
        UptimeProbes refused = probes(false, url("private", "http://u:s3cret@127.0.0.1:" + dead + "/x?token=t0psecret"));
        ProbeResult down = refused.runNow("private");
        assertEquals("connection refused", down.error());
        assertEquals(0, rows("SELECT COUNT(*) FROM ops_probe_results WHERE error LIKE '%s3cret%' OR error LIKE '%t0psecret%'"));
    }

    @Test
    void httpsIsTrustedThroughTheProbesCaFileAndRefusedOtherwise() throws Exception {
        LocalCertificateAuthority ca = new LocalCertificateAuthority(dir.resolve("ca"), Clock.systemUTC());
        TlsMaterial tls = ca.ensure(LocalCertificateAuthority.defaultNames(List.of()));
        LoopbackServers.Server s = closing(LoopbackServers.https(tls, "127.0.0.1"));
        LoopbackServers.Server other = closing(LoopbackServers.https(tls, "127.0.0.2"));
        String caFile = ca.caCertificateFile().toString();
        UptimeProbes probes = probes(false,
                new ProbeConfig("trusted", s.base() + "/ok", null, 2, caFile),
                new ProbeConfig("system", s.base() + "/ok", null, 2, null),
                new ProbeConfig("wrong-name", other.base() + "/ok", null, 2, caFile));
        ProbeResult trusted = probes.runNow("trusted");
        assertTrue(trusted.up(), String.valueOf(trusted.error()));
        assertEquals(200, trusted.status());
        ProbeResult system = probes.runNow("system");
        assertFalse(system.up());
        assertEquals("TLS: the certificate is not trusted", system.error());
        ProbeResult wrongName = probes.runNow("wrong-name");
        assertFalse(wrongName.up());
        assertEquals("TLS: the certificate is not for this host name", wrongName.error());

        ConfigException bad = assertThrows(ConfigException.class, () -> probes(false, url("fine", s.base()),
                new ProbeConfig("missing", s.base(), null, null, dir.resolve("nope.pem").toString())));
        assertTrue(bad.getMessage().startsWith("ops.probes.urls[missing].ca_file: cannot read "), bad.getMessage());
        assertNull(registry.find("cervella.probe.up").tag("probe", "fine").gauge(), "a refused config leaves no meters");
    }

    @Test
    void aHostedAppIsUpWhileOneUpstreamAnswersAndDownWhenNoneDoes() throws Exception {
        LoopbackServers.Server live = closing(LoopbackServers.http());
        String dead1 = "http://127.0.0.1:" + LoopbackServers.deadPort();
        String dead2 = "http://127.0.0.1:" + LoopbackServers.deadPort() + "/";
        apps.add(app("shop", "/health", dead1, live.base()));
        apps.add(app("blog", "/health", dead1, dead2));
        UptimeProbes probes = probes(true);

        ProbeResult shop = probes.runNow("app:shop");
        assertTrue(shop.up());
        assertEquals(200, shop.status());
        assertNull(shop.error());
        assertEquals(2, shop.upstreams().size());
        ProbeResult.UpstreamCheck failed = shop.upstreams().getFirst();
        assertEquals(dead1 + "/health", failed.url());
        assertFalse(failed.up());
        assertEquals("connection refused", failed.error());
        assertTrue(shop.upstreams().get(1).up());

        ProbeResult blog = probes.runNow("app:blog");
        assertFalse(blog.up());
        assertEquals("no upstream answered: " + dead1 + "/health: connection refused; " + dead2 + "health: connection refused",
                blog.error());
        assertEquals(List.of("app:blog", "app:shop"), probes.names());
        assertEquals(dead1 + "/health, " + live.base() + "/health",
                probes.current().stream().filter(f -> f.name().equals("app:shop")).findFirst().orElseThrow().url());

        apps.removeIf(a -> a.name().equals("blog"));
        probes.refreshApps();
        assertEquals(List.of("app:shop"), probes.names(), "an app gone from the config loses its probe");
        assertNull(registry.find("cervella.probe.up").tag("probe", "app:blog").gauge(), "and its meters");
        assertThrows(IllegalArgumentException.class, () -> probes.runNow("app:blog"));
    }

    @Test
    void hostedAppsAreLeftAloneWhenTheConfigSaysSo() throws Exception {
        apps.add(app("shop", "/health", "http://127.0.0.1:1"));
        UptimeProbes probes = probes(false);
        probes.start();
        assertEquals(List.of(), probes.names());
    }

    @Test
    void theMetersShowStateUptimeAndDuration() throws Exception {
        LoopbackServers.Server s = closing(LoopbackServers.http());
        UptimeProbes probes = probes(false, url("sw", s.base() + "/switch"));
        assertTrue(Double.isNaN(registry.get("cervella.probe.up").tag("probe", "sw").gauge().value()), "nothing known yet");
        probes.runNow("sw");
        probes.runNow("sw");
        s.status().set(503);
        probes.runNow("sw");
        assertEquals(0.0, registry.get("cervella.probe.up").tag("probe", "sw").gauge().value());
        for (String window : List.of("24h", "7d", "30d")) {
            assertEquals(2.0 / 3, registry.get("cervella.probe.uptime.ratio").tag("probe", "sw").tag("window", window).gauge().value(),
                    1e-9, window);
        }
        assertEquals(3, registry.get("cervella.probe.duration").tag("probe", "sw").timer().count());
        var last = registry.get("cervella.probe.last.duration").tag("probe", "sw").gauge();
        assertEquals("seconds", last.getId().getBaseUnit());
        assertTrue(last.value() >= 0 && last.value() < 5);

        UptimeProbes reloaded = probes(false, url("sw", s.base() + "/switch"));
        assertEquals(0.0, registry.get("cervella.probe.up").tag("probe", "sw").gauge().value(), "a new set (a reload) takes over");
        probes.close();
        s.status().set(200);
        reloaded.runNow("sw");
        assertEquals(1.0, registry.get("cervella.probe.up").tag("probe", "sw").gauge().value(),
                "closing the old set leaves the new one's meters");
        reloaded.close();
        assertTrue(registry.getMeters().isEmpty(), "closed probes leave no meters behind");
    }

    @Test
    void aRestartedProbeSetCarriesOnFromItsStoredState() throws Exception {
        LoopbackServers.Server s = closing(LoopbackServers.http());
        UptimeProbes first = probes(false, url("sw", s.base() + "/switch"));
        first.runNow("sw");
        s.status().set(500);
        ProbeResult wentDown = first.runNow("sw");
        first.runNow("sw");
        ProbeFact before = first.current().getFirst();
        assertEquals(wentDown.ts(), before.since());
        first.close();

        UptimeProbes second = probes(false, url("sw", s.base() + "/switch"));
        ProbeFact after = second.current().getFirst();
        assertEquals(new ProbeFact("sw", s.base() + "/switch", false, wentDown.ts(), "HTTP 500"), after,
                "down since the same run, for the same reason, before any new run");
        s.status().set(200);
        ProbeResult back = second.runNow("sw");
        assertEquals(new ProbeFact("sw", s.base() + "/switch", true, back.ts(), "HTTP 500"), second.current().getFirst(),
                "up since now; the last failure's reason stays");

        UptimeProbes otherNode = new UptimeProbes(config(false, url("sw", s.base() + "/switch")), store, () -> facts(),
                registry, Clock.systemUTC(), "node-2");
        toClose.add(otherNode);
        assertEquals(List.of(), otherNode.current(), "a node's state is its own");
        assertEquals(2.0 / 4, otherNode.uptime("sw", UptimeWindow.DAY).orElseThrow(), 1e-9, "uptime counts every node's runs");
    }

    @Test
    void startedProbesRunOnTheirIntervalUntilClosed() throws Exception {
        LoopbackServers.Server s = closing(LoopbackServers.http());
        apps.add(app("shop", "/health", s.base()));
        UptimeProbes probes = probes(true, new ProbeConfig("ok", s.base() + "/ok", 1, 1, null));
        probes.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((rows("SELECT COUNT(*) FROM ops_probe_results WHERE probe = 'ok'") < 2
                || rows("SELECT COUNT(*) FROM ops_probe_results WHERE probe = 'app:shop'") < 1) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(rows("SELECT COUNT(*) FROM ops_probe_results WHERE probe = 'ok'") >= 2, "a run a second");
        assertTrue(rows("SELECT COUNT(*) FROM ops_probe_results WHERE probe = 'app:shop'") >= 1, "the app's first run at start");
        probes.close();
        Thread.sleep(100);
        long stopped = rows("SELECT COUNT(*) FROM ops_probe_results");
        Thread.sleep(1500);
        assertEquals(stopped, rows("SELECT COUNT(*) FROM ops_probe_results"), "no runs after close");
    }

    private UptimeProbes probes(boolean hostedApps, ProbeConfig... urls) {
        UptimeProbes p = new UptimeProbes(config(hostedApps, urls), store, this::facts, registry, Clock.systemUTC(), "node-1");
        toClose.add(p);
        return p;
    }

    private static ProbesConfig config(boolean hostedApps, ProbeConfig... urls) {
        return new ProbesConfig(hostedApps, 60, 1, null, List.of(urls));
    }

    private static ProbeConfig url(String name, String url) {
        return new ProbeConfig(name, url, null, null, null);
    }

    private static AppFact app(String name, String healthPath, String... upstreams) {
        return new AppFact(name, healthPath, java.util.Arrays.stream(upstreams)
                .map(u -> new UpstreamFact(u, true, "closed", 0)).toList());
    }

    private PlatformFacts facts() {
        return new PlatformFacts(Instant.now(), List.of(), List.of(), List.copyOf(apps), List.of(), List.of(),
                new PlatformFacts.DiskFact("/", 1, 1), List.of());
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private long rows(String sql) {
        return store.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
