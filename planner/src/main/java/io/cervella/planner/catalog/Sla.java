package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;

/** A provider's published availability promise, per month, and where it says so. */
public record Sla(Double percent, String source, String note) {
    public Sla {
        ConfigException.check(percent != null && percent > 0 && percent <= 100, "percent", "must be above 0 and at most 100");
        ConfigException.check(source != null && !source.isBlank(), "source", "is required: where the promise is published");
    }
}
