package io.cervella.ops.alert;

import io.cervella.core.store.MetadataStore;
import java.time.Instant;
import java.util.List;

/** What the alert rules read from the usage ledger (usage_events): first-token times and cost. */
public final class LedgerReader {
    /** A model's requests with a first token in a window, and the share of them slower than the objective. */
    public record FirstTokenTimes(String model, long requests, long slow) {
        public double slowShare() {
            return requests == 0 ? 0 : (double) slow / requests;
        }
    }

    private final MetadataStore store;

    public LedgerReader(MetadataStore store) {
        this.store = store;
    }

    /**
     * Per model, the requests that ended in [from, to] with a first token, and how many of them waited
     * longer than {@code objectiveMs} for it. Requests that got no token (ttft_ms NULL) are failures,
     * which this latency objective does not judge.
     */
    public List<FirstTokenTimes> firstTokenTimes(Instant from, Instant to, double objectiveMs) {
        return store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT model, COUNT(*) AS requests, SUM(CASE WHEN ttft_ms > :objective THEN 1 ELSE 0 END) AS slow
                        FROM usage_events WHERE ts >= :from AND ts <= :to AND ttft_ms IS NOT NULL
                        GROUP BY model ORDER BY model""")
                .bind("objective", objectiveMs)
                .bind("from", from.toEpochMilli())
                .bind("to", to.toEpochMilli())
                .map((rs, ctx) -> new FirstTokenTimes(rs.getString("model"), rs.getLong("requests"), rs.getLong("slow")))
                .list());
    }

    /** The sum of cost_usd of the requests that ended in [from, to]. */
    public double costBetween(Instant from, Instant to) {
        return store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COALESCE(SUM(cost_usd), 0) FROM usage_events WHERE ts >= :from AND ts <= :to")
                .bind("from", from.toEpochMilli())
                .bind("to", to.toEpochMilli())
                .mapTo(Double.class)
                .one());
    }
}
