package io.cervella.core.usage;

import java.time.Instant;

/** One served request as the ledger keeps it. {@code ttftMs} is null when no token came. */
public record UsageEvent(String id, Instant at, String keyId, String model, String backend, int status,
                         boolean stream, long promptTokens, long completionTokens, boolean tokensEstimated,
                         double latencyMs, Double ttftMs, double costUsd) {}
