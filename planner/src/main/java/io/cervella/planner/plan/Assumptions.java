package io.cervella.planner.plan;

/**
 * What the planner takes as given where the catalog and the workload are silent. Every report lists
 * these, so a reader can see what a ranking rests on; `cervella plan` lets the user change the ones
 * that matter most.
 *
 * @param hoursPerMonth          hours billed for an always-on instance (730 = 8,760 / 12)
 * @param eurUsd                 US dollars per euro, for offers priced in EUR
 * @param slotsPerGpu            requests one GPU decodes at once (the serving engine's parallel
 *                               sequences); fewer when the KV cache does not fit
 * @param bandwidthEfficiency    share of the memory-bandwidth bound reached when decoding
 *                               (published runs reach 0.50-0.76)
 * @param percentWithoutSla      availability taken for a component whose provider publishes no SLA
 * @param spotPercent            availability taken for interruptible (spot) capacity
 * @param serverlessIdleSeconds  how long a scale-to-zero worker stays up after its last request
 * @param maxReplicas            the most GPU replicas an option may use
 * @param maxAgeDays             a catalog entry read longer ago than this makes the catalog stale
 * @param gpuMemoryUsable        share of a GPU's memory the engine may fill (weights + KV cache)
 */
public record Assumptions(double hoursPerMonth, double eurUsd, int slotsPerGpu, double bandwidthEfficiency,
                          double percentWithoutSla, double spotPercent, double serverlessIdleSeconds, int maxReplicas,
                          int maxAgeDays, double gpuMemoryUsable) {

    public static final Assumptions DEFAULTS = new Assumptions(730, 1.15, 8, 0.6, 99.0, 95.0, 60, 8, 90, 0.9);

    public Assumptions {
        check(hoursPerMonth > 0 && hoursPerMonth <= 744, "hours per month must be in (0, 744]");
        check(eurUsd > 0, "the EUR/USD rate must be positive");
        check(slotsPerGpu >= 1, "slots per GPU must be at least 1");
        check(bandwidthEfficiency > 0 && bandwidthEfficiency <= 1, "bandwidth efficiency must be in (0, 1]");
        check(percentWithoutSla > 0 && percentWithoutSla < 100, "availability without an SLA must be in (0, 100)");
        check(spotPercent > 0 && spotPercent < 100, "spot availability must be in (0, 100)");
        check(serverlessIdleSeconds >= 0, "the serverless idle time must be 0 or more");
        check(maxReplicas >= 1, "at least one replica");
        check(maxAgeDays >= 1, "the catalog's maximum age must be at least a day");
        check(gpuMemoryUsable > 0 && gpuMemoryUsable <= 1, "usable GPU memory must be in (0, 1]");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public Assumptions withEurUsd(double rate) {
        return new Assumptions(hoursPerMonth, rate, slotsPerGpu, bandwidthEfficiency, percentWithoutSla, spotPercent,
                serverlessIdleSeconds, maxReplicas, maxAgeDays, gpuMemoryUsable);
    }

    public Assumptions withPercentWithoutSla(double percent) {
        return new Assumptions(hoursPerMonth, eurUsd, slotsPerGpu, bandwidthEfficiency, percent, spotPercent,
                serverlessIdleSeconds, maxReplicas, maxAgeDays, gpuMemoryUsable);
    }

    public Assumptions withMaxAgeDays(int days) {
        return new Assumptions(hoursPerMonth, eurUsd, slotsPerGpu, bandwidthEfficiency, percentWithoutSla, spotPercent,
                serverlessIdleSeconds, maxReplicas, days, gpuMemoryUsable);
    }
}
