package io.cervella.app.cli;

import io.cervella.app.admin.Since;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.usage.UsageLedger;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/** {@code cervella usage}: the ledger summed by key, model or backend. */
@Command(name = "usage", mixinStandardHelpOptions = true, description = "Show usage and cost.")
public final class UsageCommand implements Callable<Integer> {
    @Mixin ServerOptions target;
    @Spec CommandSpec spec;

    @Option(names = "--since", defaultValue = "30d", description = "24h, 7d, 2026-11-01, ... (default ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--by", defaultValue = "key", description = "key, model or backend (default ${DEFAULT-VALUE})")
    String by;

    @Override
    public Integer call() {
        UsageLedger.GroupBy groupBy;
        try {
            groupBy = UsageLedger.GroupBy.valueOf(by.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--by must be key, model or backend, was '" + by + "'");
        }
        Instant from = Since.parse(since, Instant.now());
        Table t = new Table(groupBy.name(), "REQUESTS", "ERRORS", "PROMPT_TOKENS", "COMPLETION_TOKENS", "COST_USD",
                "AVG_LATENCY_MS", "AVG_TTFT_MS");
        if (target.remote()) {
            JsonNode data = target.client().get("/admin/usage?since=" + from + "&by=" + by.toLowerCase(Locale.ROOT))
                    .path("data");
            for (JsonNode r : data) {
                t.add(r.path("group").asString(), r.path("requests").asLong(), r.path("errors").asLong(),
                        r.path("prompt_tokens").asLong(), r.path("completion_tokens").asLong(),
                        String.format("%.6f", r.path("cost_usd").asDouble()),
                        String.format("%.1f", r.path("avg_latency_ms").asDouble()),
                        r.path("avg_ttft_ms").isNull() ? null : String.format("%.1f", r.path("avg_ttft_ms").asDouble()));
            }
        } else {
            try (MetadataStore store = LocalData.open(target.data()); UsageLedger ledger = new UsageLedger(store)) {
                for (UsageLedger.Summary s : ledger.summarize(from, groupBy)) {
                    t.add(s.group(), s.requests(), s.errors(), s.promptTokens(), s.completionTokens(),
                            String.format("%.6f", s.costUsd()), String.format("%.1f", s.avgLatencyMs()),
                            s.avgTtftMs() == null ? null : String.format("%.1f", s.avgTtftMs()));
                }
            }
        }
        t.print(spec.commandLine().getOut());
        return 0;
    }
}
