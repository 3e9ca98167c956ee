package io.cervella.planner.plan;

import io.cervella.planner.catalog.Provider;
import java.util.List;

/**
 * Where the CPU services run: one instance or plan sized for them (or a usage-priced host), its
 * monthly bill, and the availability it promises (null: no SLA published). Fixed for a workload.
 */
public record CpuHost(String name, Provider provider, double vcpus, List<CostItem> items, Double slaPercent) {
    public double usdPerMonth() {
        return items.stream().mapToDouble(CostItem::usdPerMonth).sum();
    }
}
