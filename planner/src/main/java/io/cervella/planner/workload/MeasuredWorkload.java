package io.cervella.planner.workload;

import io.cervella.core.usage.UsageTraffic;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A workload profile measured in the usage ledger ({@code --from-usage}, docs/formats/workload.md,
 * "Measured"): the traffic figures from the ledger, the rest from a {@code --workload} file or the
 * defaults, and for each field where it came from, so that the plan can say which figures are facts.
 */
public record MeasuredWorkload(Workload workload, Map<String, Source> sources, UsageTraffic traffic) {
    public enum Source {
        MEASURED("measured in the usage ledger"),
        WORKLOAD("from --workload"),
        DEFAULT("default"),
        GIVEN("given with the model");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What is assumed about the CPU side when no --workload says: the core itself. */
    public static final List<CpuService> DEFAULT_CPU_SERVICES = List.of(new CpuService("cervella-core", 2.0, 4.0));
    public static final String DEFAULT_NAME = "from-usage";

    public MeasuredWorkload {
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /** The fields (format keys, e.g. {@code requests_per_day}, {@code model.weights_gb}) that came from {@code source}. */
    public List<String> fields(Source source) {
        return sources.entrySet().stream().filter(e -> e.getValue() == source).map(Map.Entry::getKey).toList();
    }

    /**
     * The traffic's figures on top of {@code base} (a --workload file; null for none). The ledger has no
     * model sizes: the base's model describes what the measured model serves (the gateway's name, say
     * cervella-baby, may differ from the model's own, Qwen3-4B, which the catalog's figures use).
     */
    public static MeasuredWorkload from(UsageTraffic traffic, Workload base) {
        String model = requireTraffic(traffic);
        if (base == null) {
            throw new IllegalArgumentException("--workload FILE must give the model's weights_gb (model: {name: " + model
                    + ", weights_gb: ...}): the usage ledger does not know model sizes");
        }
        Map<String, Source> sources = measuredSources();
        sources.put("model.name", Source.WORKLOAD);
        sources.put("model.weights_gb", Source.WORKLOAD);
        if (base.model().kvCacheKibPerToken() != null) {
            sources.put("model.kv_cache_kib_per_token", Source.WORKLOAD);
        }
        for (String kept : List.of("name", "ttft_p95_seconds", "uptime_percent", "budget_usd_per_month", "storage_gb",
                "egress_gb_per_month", "cpu_services")) {
            sources.put(kept, Source.WORKLOAD);
        }
        return new MeasuredWorkload(build(traffic, base.name(), base.model(), base.ttftP95Seconds(), base.uptimePercent(),
                base.budgetUsdPerMonth(), base.storageGb(), base.egressGbPerMonth(), base.cpuServices()), sources, traffic);
    }

    /**
     * The traffic's figures with no --workload: the served model described as given (its name as the
     * catalog knows it and its size), the rest the defaults.
     */
    public static MeasuredWorkload withoutWorkload(UsageTraffic traffic, ModelSpec model) {
        requireTraffic(traffic);
        Map<String, Source> sources = measuredSources();
        sources.put("model.name", Source.GIVEN);
        sources.put("model.weights_gb", Source.GIVEN);
        if (model.kvCacheKibPerToken() != null) {
            sources.put("model.kv_cache_kib_per_token", Source.GIVEN);
        }
        for (String defaulted : List.of("name", "ttft_p95_seconds", "uptime_percent", "budget_usd_per_month",
                "storage_gb", "egress_gb_per_month", "cpu_services")) {
            sources.put(defaulted, Source.DEFAULT);
        }
        return new MeasuredWorkload(build(traffic, DEFAULT_NAME, model, 2.0, 99.9, 0.0, 0.0, 0.0, DEFAULT_CPU_SERVICES),
                sources, traffic);
    }

    private static Map<String, Source> measuredSources() {
        Map<String, Source> sources = new LinkedHashMap<>();
        for (String m : List.of("requests_per_day", "daily_shape", "prompt_tokens", "completion_tokens",
                "peak_concurrency")) {
            sources.put(m, Source.MEASURED);
        }
        return sources;
    }

    private static Workload build(UsageTraffic t, String name, ModelSpec model, double ttftP95Seconds,
                                  double uptimePercent, double budgetUsdPerMonth, double storageGb,
                                  double egressGbPerMonth, List<CpuService> cpuServices) {
        List<Double> shape = t.hourly().stream().map(Long::doubleValue).toList();
        return new Workload(1, name, model,
                t.requests() / t.days(), shape, t.promptTokensMean(), t.completionTokensMean(),
                Math.max(1, t.peakConcurrency()), ttftP95Seconds, uptimePercent, budgetUsdPerMonth, storageGb,
                egressGbPerMonth, cpuServices);
    }

    /** The measured model's name, once the traffic is known to have something to measure. */
    private static String requireTraffic(UsageTraffic t) {
        double asked = java.time.Duration.between(t.from(), t.to()).toMillis() / 86_400_000.0;
        String window = "in the last " + days(asked) + " (" + t.from() + " to " + t.to()
                + (Math.abs(asked - t.days()) > 1e-9 ? "; the ledger holds " + days(t.days()) + " of it" : "") + ")";
        if (t.model() == null) {
            throw new IllegalArgumentException("no requests " + window + ": the usage ledger has nothing to measure");
        }
        if (t.requests() == 0) {
            String held = t.requestsByModel().isEmpty() ? "the ledger holds no requests of any model there"
                    : "the ledger holds " + t.requestsByModel().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("no requests of " + t.model() + " " + window + ": " + held);
        }
        if (t.promptTokensMean() == null || t.completionTokensMean() == null) {
            throw new IllegalArgumentException("no successful requests of " + t.model() + " " + window + ": none of its "
                    + t.requests() + " requests answered 2xx (" + t.errors() + " errors), so there are no token means");
        }
        if (t.hourlyTotal() == 0) {
            throw new IllegalArgumentException("the hourly counts of " + t.model() + " " + window + " are all 0: no daily shape");
        }
        return t.model();
    }

    /** "1 day", "14 days", "2.5 days". */
    public static String days(double days) {
        return days == Math.rint(days) ? (long) days + (days == 1 ? " day" : " days")
                : String.format(java.util.Locale.ROOT, "%.1f days", days);
    }
}
