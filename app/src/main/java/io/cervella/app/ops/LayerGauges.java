package io.cervella.app.ops;

import io.cervella.core.store.MetadataStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The layers' counts that live in the metadata database, as gauges: memory (collections, documents),
 * the vault (commits, devices, last commit), keys, and this month's spend against the budget. Each is
 * read at most every {@link #MAX_AGE_MS} however often Prometheus scrapes, so a scrape never becomes a
 * table scan per series. The gauges hold this object strongly: nothing else keeps it.
 */
public final class LayerGauges {
    static final long MAX_AGE_MS = 15_000;

    private final MetadataStore store;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long atMs, double value) {}

    public LayerGauges(MetadataStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void bindTo(MeterRegistry registry, boolean vaultOpen, double budgetUsdPerMonth) {
        gauge(registry, "cervella.memory.collections", "Memory collections", null, "SELECT COUNT(*) FROM memory_collections");
        gauge(registry, "cervella.memory.documents", "Documents indexed in memory collections", null,
                "SELECT COUNT(*) FROM memory_documents");
        Gauge.builder("cervella.vault.unlocked", () -> vaultOpen ? 1 : 0).description("1 when the vault is open on this node")
                .register(registry);
        gauge(registry, "cervella.vault.commits", "Commits in the vault (its head)", null, "SELECT COALESCE(MAX(seq), 0) FROM vault_heads");
        gauge(registry, "cervella.vault.devices", "Keys that have pushed to the vault", null,
                "SELECT COUNT(DISTINCT device) FROM vault_commits");
        gauge(registry, "cervella.vault.last.commit.timestamp", "When the vault last got a commit", "seconds",
                "SELECT COALESCE(MAX(committed_at), 0) / 1000.0 FROM vault_commits");
        gauge(registry, "cervella.api.keys", "API keys that are not revoked", null,
                "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
        Gauge.builder("cervella.cost.month.usd", this, g -> g.cached("cost.month", this::monthSpend)).strongReference(true)
                .description("Spend of the current UTC month, from the usage ledger").register(registry);
        Gauge.builder("cervella.budget.month.usd", () -> budgetUsdPerMonth).description("ops.budget_usd_per_month (0: none)")
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit, String sql) {
        Gauge.Builder<LayerGauges> b = Gauge.builder(name, this, g -> g.cached(name, s -> s.jdbi()
                .withHandle(h -> h.createQuery(sql).mapTo(Double.class).one()))).strongReference(true).description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    private double monthSpend(MetadataStore s) {
        long from = YearMonth.from(Instant.now(clock).atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant().toEpochMilli();
        return s.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(cost_usd), 0) FROM usage_events WHERE ts >= :from")
                .bind("from", from).mapTo(Double.class).one());
    }

    /** The value read at most MAX_AGE_MS ago; NaN (no sample) when the database does not answer. */
    private double cached(String name, ToDoubleFunction<MetadataStore> read) {
        long now = clock.millis();
        Cached c = cache.get(name);
        if (c == null || now - c.atMs() > MAX_AGE_MS) {
            double v;
            try {
                v = read.applyAsDouble(store);
            } catch (RuntimeException e) {
                v = Double.NaN;
            }
            c = new Cached(now, v);
            cache.put(name, c);
        }
        return c.value();
    }
}
