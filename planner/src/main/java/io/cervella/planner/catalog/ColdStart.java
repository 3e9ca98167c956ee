package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;

/** A serverless provider's time from a request to a warm worker: typical and worst published. */
public record ColdStart(Double typical, Double worst, String source) {
    public ColdStart {
        ConfigException.check(typical != null && typical >= 0, "typical", "is required, in seconds");
        ConfigException.check(worst == null || worst >= typical, "worst", "must not be below typical");
        ConfigException.check(source != null && !source.isBlank(), "source", "is required");
    }
}
