package io.cervella.planner.config;

import io.cervella.core.config.ConfigException;
import java.util.List;

/**
 * The {@code planner:} section of the platform's config: what the dashboard's recommendation is made
 * from. Without a workload there is no recommendation (the dashboard says how to get one).
 *
 * @param workload       a workload profile (docs/formats/workload.md): the targets, budget and model
 * @param catalog        catalog files of the user's own, read after the shipped catalog
 * @param catalogDir     the shipped catalog (default: catalog/ beside the application)
 * @param servedModel    the gateway's name of the model to measure (default: the workload's model name,
 *                       and when the ledger has none of it, no measurement)
 * @param fromUsageDays  measure the traffic in the usage ledger over this many days when it holds any
 *                       (0: use the file's traffic figures as they are)
 * @param refreshMinutes how long a recommendation is shown before it is made again
 */
public record PlannerConfig(String workload, List<String> catalog, String catalogDir, String servedModel, Integer fromUsageDays,
                            Integer refreshMinutes) {
    public PlannerConfig {
        catalog = catalog == null ? List.of() : List.copyOf(catalog);
        fromUsageDays = fromUsageDays == null ? 14 : fromUsageDays;
        refreshMinutes = refreshMinutes == null ? 60 : refreshMinutes;
        ConfigException.check(fromUsageDays >= 0 && fromUsageDays <= 90, "from_usage_days", "must be 0 (off) to 90");
        ConfigException.check(refreshMinutes >= 1, "refresh_minutes", "must be at least 1");
    }

    public static PlannerConfig defaults() {
        return new PlannerConfig(null, null, null, null, null, null);
    }
}
