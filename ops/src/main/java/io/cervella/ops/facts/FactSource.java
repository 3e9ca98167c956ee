package io.cervella.ops.facts;

/** Takes a fresh {@link PlatformFacts}; called by the alert loop, the probes and the dashboard. */
@FunctionalInterface
public interface FactSource {
    PlatformFacts now();
}
