package io.cervella.planner.workload;

import io.cervella.core.config.ConfigException;
import io.cervella.core.config.YamlConfigReader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/** A workload profile (docs/formats/workload.md): what the options are sized and priced for. */
public record Workload(Integer workload, String name, ModelSpec model, Double requestsPerDay, List<Double> dailyShape,
                       Double promptTokens, Double completionTokens, Integer peakConcurrency, Double ttftP95Seconds,
                       Double uptimePercent, Double budgetUsdPerMonth, Double storageGb, Double egressGbPerMonth,
                       List<CpuService> cpuServices) {
    public Workload {
        ConfigException.check(workload != null && workload == 1, "workload", "must be 1 (this format's version)");
        ConfigException.check(name != null && !name.isBlank(), "name", "is required");
        ConfigException.check(model != null, "model", "is required: {name, weights_gb}");
        ConfigException.check(requestsPerDay != null && requestsPerDay >= 0, "requests_per_day", "is required, 0 or more");
        dailyShape = dailyShape == null ? Collections.nCopies(24, 1.0) : List.copyOf(dailyShape);
        ConfigException.check(dailyShape.size() == 24, "daily_shape", "must have 24 weights (hours 0 to 23), had " + dailyShape.size());
        ConfigException.check(dailyShape.stream().allMatch(w -> w != null && w >= 0), "daily_shape", "weights must be 0 or more");
        ConfigException.check(dailyShape.stream().mapToDouble(Double::doubleValue).sum() > 0, "daily_shape", "needs a weight above 0");
        ConfigException.check(promptTokens != null && promptTokens >= 0, "prompt_tokens", "is required (mean per request)");
        ConfigException.check(completionTokens != null && completionTokens >= 0, "completion_tokens", "is required (mean per request)");
        ConfigException.check(peakConcurrency != null && peakConcurrency >= 1, "peak_concurrency", "is required, at least 1");
        ttftP95Seconds = ttftP95Seconds == null ? 2.0 : ttftP95Seconds;
        ConfigException.check(ttftP95Seconds > 0, "ttft_p95_seconds", "must be positive");
        uptimePercent = uptimePercent == null ? 99.9 : uptimePercent;
        ConfigException.check(uptimePercent > 0 && uptimePercent < 100, "uptime_percent", "must be above 0 and below 100");
        budgetUsdPerMonth = budgetUsdPerMonth == null ? 0.0 : budgetUsdPerMonth;
        ConfigException.check(budgetUsdPerMonth >= 0, "budget_usd_per_month", "must be 0 (none) or more");
        storageGb = storageGb == null ? 0.0 : storageGb;
        egressGbPerMonth = egressGbPerMonth == null ? 0.0 : egressGbPerMonth;
        ConfigException.check(storageGb >= 0, "storage_gb", "must be 0 or more");
        ConfigException.check(egressGbPerMonth >= 0, "egress_gb_per_month", "must be 0 or more");
        cpuServices = cpuServices == null ? List.of() : List.copyOf(cpuServices);
    }

    public static Workload read(Path file) {
        return YamlConfigReader.read(file, Workload.class);
    }

    /** Requests in the busiest hour: the day's requests times the largest hourly weight's share. */
    public double peakHourRequests() {
        double sum = dailyShape.stream().mapToDouble(Double::doubleValue).sum();
        double max = dailyShape.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return requestsPerDay * max / sum;
    }

    /** The mean arrival rate in the busiest hour, requests per second. */
    public double peakRequestsPerSecond() {
        return peakHourRequests() / 3600.0;
    }

    /** Prompt plus completion tokens in a 30-day month. */
    public double tokensPerMonth() {
        return requestsPerDay * 30 * (promptTokens + completionTokens);
    }

    /** The same profile with {@code factor} times the requests (and the busiest moment's concurrency). */
    public Workload scaled(double factor) {
        return new Workload(workload, name, model, requestsPerDay * factor, dailyShape, promptTokens, completionTokens,
                (int) Math.max(1, Math.round(peakConcurrency * factor)), ttftP95Seconds, uptimePercent, budgetUsdPerMonth,
                storageGb, egressGbPerMonth, cpuServices);
    }

    /** The same profile with another busiest moment. */
    public Workload withPeakConcurrency(int requests) {
        return new Workload(workload, name, model, requestsPerDay, dailyShape, promptTokens, completionTokens, requests,
                ttftP95Seconds, uptimePercent, budgetUsdPerMonth, storageGb, egressGbPerMonth, cpuServices);
    }

    /** The same profile with another latency target. */
    public Workload withTtftTarget(double seconds) {
        return new Workload(workload, name, model, requestsPerDay, dailyShape, promptTokens, completionTokens, peakConcurrency,
                seconds, uptimePercent, budgetUsdPerMonth, storageGb, egressGbPerMonth, cpuServices);
    }

    public double cpuVcpus() {
        return cpuServices.stream().mapToDouble(CpuService::vcpus).sum();
    }

    public double cpuMemoryGb() {
        return cpuServices.stream().mapToDouble(CpuService::memoryGb).sum();
    }
}
