package io.cervella.ops.facts;

import java.time.Instant;

/** An uptime probe's current state: up or down since {@code since}, and why it was last down. */
public record ProbeFact(String name, String url, boolean up, Instant since, String lastError) {}
