package io.cervella.ops.alert;

import static io.cervella.ops.alert.AlertTesting.START;
import static io.cervella.ops.alert.AlertTesting.engine;
import static io.cervella.ops.alert.AlertTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.config.ConfigException;
import io.cervella.core.store.MetadataStore;
import io.cervella.ops.facts.PlatformFacts.AppFact;
import io.cervella.ops.facts.PlatformFacts.BackupFact;
import io.cervella.ops.facts.PlatformFacts.CertificateFact;
import io.cervella.ops.facts.PlatformFacts.DiskFact;
import io.cervella.ops.facts.PlatformFacts.UpstreamFact;
import io.cervella.ops.facts.ProbeFact;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each built-in rule fires on the facts or ledger rows made for it, and stays quiet otherwise. */
class BuiltInRulesTest {
    private static final String CONFIG = """
            budget_usd_per_month: 100
            alerts:
              rules: [{name: backend_down, for_seconds: 0}, {name: upstream_down, for_seconds: 0}]
            """;

    @TempDir
    Path dir;

    private MetadataStore store;
    private TestClock clock;
    private TestFacts facts;
    private AlertEngine engine;

    @BeforeEach
    void setUp() {
        store = MetadataStore.openSqlite(dir.resolve("x.db"));
        clock = new TestClock(START);
        facts = new TestFacts(clock);
        engine = engine(ops(CONFIG), store, facts, clock, "node-a");
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** Evaluates; the changes announced, as "state rule subject". */
    private List<String> changes() {
        return engine.evaluate().stream().map(m -> m.status().label() + " " + m.rule() + " " + m.subject()).sorted().toList();
    }

    private AlertMessage only() {
        List<AlertMessage> sent = engine.evaluate();
        assertEquals(1, sent.size(), sent.toString());
        return sent.get(0);
    }

    @Test
    void aHealthyPlatformRaisesNothing() {
        LedgerRows.firstTokens(store, "cervella-baby", START.minusSeconds(60), 50, 300.0);
        LedgerRows.cost(store, START.minusSeconds(60), 10.0);
        assertEquals(List.of(), changes());
        clock.advance(Duration.ofHours(2));
        assertEquals(List.of(), changes());
    }

    @Test
    void backendDown() {
        facts.backend("gpu-1", false, "3 health checks failed");
        AlertMessage m = only();
        assertEquals("backend_down", m.rule());
        assertEquals("gpu-1", m.subject());
        assertEquals(Severity.CRITICAL, m.severity());
    }

    @Test
    void sloBurnJudgesEachModelWithEnoughRequestsInTheWindow() {
        Instant inWindow = START.minus(Duration.ofMinutes(30));
        LedgerRows.firstTokens(store, "hot", inWindow, 18, 500.0);
        LedgerRows.firstTokens(store, "hot", inWindow, 2, 2500.0);        // 10% of 20 over 2 s
        LedgerRows.firstTokens(store, "fine", inWindow, 38, 500.0);
        LedgerRows.firstTokens(store, "fine", inWindow, 2, 2500.0);       // 5%: not above 5%
        LedgerRows.firstTokens(store, "few", inWindow, SloBurn.MIN_REQUESTS - 1, 9000.0); // all slow, too few to judge
        LedgerRows.firstTokens(store, "old", START.minus(Duration.ofMinutes(61)), 30, 9000.0); // before the window
        LedgerRows.firstTokens(store, "old", inWindow, 20, 500.0);
        LedgerRows.firstTokens(store, "failing", inWindow, 30, null);     // no token came: not this objective's
        LedgerRows.firstTokens(store, "failing", inWindow, 20, 100.0);
        AlertMessage m = only();
        assertEquals("slo_burn", m.rule());
        assertEquals("hot", m.subject());
        assertEquals(Severity.WARNING, m.severity());
        assertEquals("model hot: 10.0% of 20 requests in the last 60 min took over 2 s to the first token (allowed 5.0%)",
                m.summary());

        clock.advance(Duration.ofMinutes(31)); // the slow ones leave the window
        assertEquals(List.of("resolved slo_burn hot"), changes());
    }

    @Test
    void budgetWarningAt80PercentAndExhaustedAt100PercentOfTheUtcMonth() {
        LedgerRows.cost(store, Instant.parse("2026-02-28T23:59:59Z"), 1000.0); // last month's
        LedgerRows.cost(store, START.minus(Duration.ofDays(5)), 79.98);
        assertEquals(List.of(), changes());
        LedgerRows.cost(store, START.minusSeconds(1), 0.02);
        AlertMessage warning = only();
        assertEquals("budget_warning", warning.rule());
        assertEquals("2026-03", warning.subject());
        assertEquals("spend this month (2026-03, UTC) is 80.00 USD: 80% of the 100.00 USD monthly budget", warning.summary());
        LedgerRows.cost(store, START.minusSeconds(1), 20.0);
        clock.advance(Duration.ofSeconds(30));
        AlertMessage exhausted = only();
        assertEquals("budget_exhausted", exhausted.rule());
        assertEquals(Severity.CRITICAL, exhausted.severity());

        facts.backups.clear(); // three weeks on, the backup would be late
        facts.certificates.clear();
        clock.set(Instant.parse("2026-04-01T00:00:30Z"));
        assertEquals(List.of("resolved budget_exhausted 2026-03", "resolved budget_warning 2026-03"), changes(),
                "a new month starts from nothing");
    }

    @Test
    void noBudgetNeverFires() {
        engine = engine(ops("budget_usd_per_month: 0"), store, facts, clock, "node-a");
        LedgerRows.cost(store, START.minusSeconds(1), 5000.0);
        assertEquals(List.of(), changes());
    }

    @Test
    void backupLateAfter26HoursWithoutAGoodBackup() {
        facts.backups.clear();
        facts.backups.add(new BackupFact("usb", START.minus(Duration.ofHours(25)), null, null, false));
        facts.backups.add(new BackupFact("s3-eu", START.minus(Duration.ofHours(27)), null, null, true));
        facts.backups.add(new BackupFact("new-target", null, null, null, false));
        AlertMessage m = only();
        assertEquals("backup_late", m.rule());
        assertEquals("s3-eu", m.subject());
        assertEquals("backup target s3-eu: last good backup was 27 h ago (2026-03-09T06:00:00Z), more than 26 h;"
                + " one is running now", m.summary());

        clock.advance(Duration.ofHours(26).plusSeconds(1));
        assertEquals(List.of("firing backup_late new-target", "firing backup_late usb"), changes(),
                "a target never backed up counts from when it was first seen");
    }

    @Test
    void backupFailedUntilTheNextGoodRun() {
        facts.backups.clear();
        facts.backups.add(new BackupFact("usb", START.minus(Duration.ofHours(2)), START.minus(Duration.ofHours(3)), "old", false));
        assertEquals(List.of(), changes(), "a failure before the last good run is over");
        facts.backups.clear();
        facts.backups.add(new BackupFact("usb", START.minus(Duration.ofHours(2)), START.minus(Duration.ofHours(1)),
                "disk /mnt/usb is not mounted", false));
        AlertMessage m = only();
        assertEquals("backup_failed", m.rule());
        assertEquals(Severity.CRITICAL, m.severity());
        assertTrue(m.summary().endsWith(": disk /mnt/usb is not mounted"), m.summary());
        facts.backups.clear();
        facts.backups.add(new BackupFact("usb", START, START.minus(Duration.ofHours(1)), "disk /mnt/usb is not mounted", false));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of("resolved backup_failed usb"), changes());
    }

    @Test
    void diskFullAt90PercentOrTheConfiguredShare() {
        facts.disk = new DiskFact("/var/lib/cervella", 100L << 30, 11L << 30);
        assertEquals(List.of(), changes(), "89% used");
        facts.disk = new DiskFact("/var/lib/cervella", 100L << 30, 5L << 30);
        AlertMessage m = only();
        assertEquals("disk_full", m.rule());
        assertEquals("/var/lib/cervella", m.subject());
        assertEquals("the disk of /var/lib/cervella is 95.0% full (5.0 GiB free of 100.0 GiB)", m.summary());

        engine = engine(ops("alerts: {rules: [{name: disk_full, threshold: 0.5, severity: critical}]}"), store, facts, clock, "b");
        facts.disk = new DiskFact("/var/lib/cervella", 100L << 30, 40L << 30);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), changes(), "60%: still firing, nothing new");
        assertEquals(Severity.CRITICAL, engine.firing().get(0).severity());
    }

    @Test
    void certificateExpiringWithin14Days() {
        facts.certificates.clear();
        facts.certificates.add(new CertificateFact("ok.example", START.plus(Duration.ofDays(15))));
        facts.certificates.add(new CertificateFact("soon.example", START.plus(Duration.ofDays(13))));
        facts.certificates.add(new CertificateFact("gone.example", START.minus(Duration.ofDays(1))));
        assertEquals(List.of("firing certificate_expiring gone.example", "firing certificate_expiring soon.example"), changes());
        assertTrue(engine.firing().stream().anyMatch(f -> f.summary().equals(
                "certificate gone.example expired on 2026-03-09T09:00:00Z")), engine.firing().toString());
    }

    @Test
    void upstreamDownWhenAnAppHasNoHealthyUpstream() {
        facts.apps.clear();
        facts.apps.add(new AppFact("half", "/health", List.of(
                new UpstreamFact("http://10.0.0.5:9001", false, "open", 0),
                new UpstreamFact("http://10.0.0.6:9001", true, "closed", 1))));
        facts.apps.add(new AppFact("miracollo", "/health", List.of(
                new UpstreamFact("http://user:pw@10.0.0.7:9001", false, "open", 0))));
        AlertMessage m = only();
        assertEquals("upstream_down", m.rule());
        assertEquals("miracollo", m.subject());
        assertEquals(Severity.CRITICAL, m.severity());
        assertFalse(m.summary().contains("pw@"), m.summary());
    }

    @Test
    void probeDownNamesTheProbeNotItsUrl() {
        facts.probes.clear();
        facts.probes.add(new ProbeFact("status-page", "https://status.example/?token=PROBESECRET", false,
                START.minusSeconds(90), "HTTP 502"));
        facts.probes.add(new ProbeFact("app:miracollo", "http://10.0.0.5:9001/health", true, START, null));
        AlertMessage m = only();
        assertEquals("probe_down", m.rule());
        assertEquals("status-page", m.subject());
        assertEquals("probe status-page is down since 2026-03-10T08:58:30Z: HTTP 502", m.summary());
    }

    @Test
    void theConfigCanOnlyChangeBuiltInRulesWithinTheirRanges() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> ops("alerts: {rules: [{name: cpu_hot, threshold: 0.9}]}"));
        assertTrue(unknown.getMessage().contains("is not a built-in rule"), unknown.getMessage());
        ConfigException range = assertThrows(ConfigException.class,
                () -> BuiltInRules.resolve(ops("alerts: {rules: [{name: disk_full, threshold: 90}]}")));
        assertEquals("ops.alerts.rules[disk_full].threshold: must be between 0.01 and 1.0; was 90.0", range.getMessage());
        ConfigException none = assertThrows(ConfigException.class,
                () -> BuiltInRules.resolve(ops("alerts: {rules: [{name: backend_down, threshold: 1}]}")));
        assertEquals("ops.alerts.rules[backend_down].threshold: this rule takes no threshold", none.getMessage());
        assertEquals(io.cervella.ops.config.AlertsConfig.BUILT_IN_RULES,
                BuiltInRules.resolve(ops("")).stream().map(Rule::name).toList());
    }
}
