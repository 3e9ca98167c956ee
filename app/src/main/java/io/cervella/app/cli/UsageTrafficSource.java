package io.cervella.app.cli;

import io.cervella.app.admin.AdminEndpoints;
import io.cervella.app.admin.UsageTrafficJson;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.usage.UsageLedger;
import io.cervella.core.usage.UsageTraffic;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where {@code cervella plan --from-usage} reads the measured traffic: a running server's
 * {@code GET /admin/usage/traffic}, or a stopped server's data directory (its ledger read directly,
 * as {@code cervella usage --data} does). Both give the same {@link UsageTraffic}.
 */
public final class UsageTrafficSource {
    private UsageTrafficSource() {}

    /** Through {@code --server}/{@code --data} as the command's options say. {@code model} null: the busiest. */
    public static UsageTraffic from(ServerOptions target, int days, String model) {
        return target.remote() ? fromServer(target.client(), days, model) : fromData(target.data(), days, model);
    }

    /** Asks a running server (an admin key). */
    public static UsageTraffic fromServer(ServerClient client, int days, String model) {
        String query = "/admin/usage/traffic?days=" + days
                + (model == null ? "" : "&model=" + URLEncoder.encode(model, StandardCharsets.UTF_8));
        return UsageTrafficJson.fromJson(client.get(query));
    }

    /** Reads a stopped server's ledger. */
    public static UsageTraffic fromData(Path dataDir, int days, String model) {
        try (MetadataStore store = LocalData.open(dataDir); UsageLedger ledger = new UsageLedger(store)) {
            return AdminEndpoints.lastDays(ledger, days, model, Instant.now());
        }
    }
}
