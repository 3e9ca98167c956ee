package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;
import java.util.Set;

/**
 * Who sells: an id the offers and overrides refer to, its kind, its SLA (null: none published), its cold
 * start, and what leaving it would take (for the report's lock-in notes).
 */
public record Provider(String id, String name, String kind, Sla sla, ColdStart coldStartSeconds, String lockIn) {
    static final Set<String> KINDS = Set.of("cloud", "gpu-cloud", "serverless-gpu", "paas", "vps", "storage");

    public Provider {
        ConfigException.check(id != null && id.matches("[a-z0-9-]+"), "id", "is required: lower-case letters, digits and -");
        name = name == null ? id : name;
        ConfigException.check(KINDS.contains(kind), "kind", "must be one of " + String.join(", ", KINDS.stream().sorted().toList()));
    }
}
