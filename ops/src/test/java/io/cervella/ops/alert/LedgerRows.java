package io.cervella.ops.alert;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.usage.TimeOrderedIds;
import io.cervella.core.usage.UsageEvent;
import io.cervella.core.usage.UsageLedger;
import java.time.Instant;

/** Rows in usage_events, written by the real ledger writer. */
final class LedgerRows {
    private LedgerRows() {}

    static void cost(MetadataStore store, Instant at, double costUsd) {
        write(store, new UsageEvent(TimeOrderedIds.next(at.toEpochMilli()), at, "k1", "cervella-baby", "gpu-1", 200,
                true, 10, 20, false, 900, 300.0, costUsd));
    }

    /** {@code count} requests to {@code model} ending at {@code at}, each with this time to the first token. */
    static void firstTokens(MetadataStore store, String model, Instant at, int count, Double ttftMs) {
        UsageEvent[] events = new UsageEvent[count];
        for (int i = 0; i < count; i++) {
            events[i] = new UsageEvent(TimeOrderedIds.next(at.toEpochMilli()), at, "k1", model, "gpu-1", 200, true,
                    10, 20, false, 4000, ttftMs, 0.0);
        }
        write(store, events);
    }

    private static void write(MetadataStore store, UsageEvent... events) {
        try (UsageLedger ledger = new UsageLedger(store)) {
            for (UsageEvent e : events) {
                ledger.record(e).join();
            }
        }
    }
}
