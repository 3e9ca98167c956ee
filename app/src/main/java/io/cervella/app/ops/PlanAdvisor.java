package io.cervella.app.ops;

import io.cervella.core.usage.UsageLedger;
import io.cervella.core.usage.UsageTraffic;
import io.cervella.ops.facts.HostingAdvice;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.config.PlannerConfig;
import io.cervella.planner.plan.Assumptions;
import io.cervella.planner.Numbers;
import io.cervella.planner.plan.Plan;
import io.cervella.planner.plan.Planner;
import io.cervella.planner.workload.MeasuredWorkload;
import io.cervella.planner.workload.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's "where to run it": the planner run on the configured workload — with the traffic
 * the usage ledger measured when it holds any — and the shipped catalog, made again when it is older
 * than {@code planner.refresh_minutes}. A plan takes well under a second, so it is made on the
 * dashboard request that finds it stale.
 */
public final class PlanAdvisor implements Supplier<HostingAdvice> {
    private static final Logger LOG = LoggerFactory.getLogger(PlanAdvisor.class);

    private final PlannerConfig config;
    private final UsageLedger ledger;
    private final Clock clock;
    private HostingAdvice last;

    public PlanAdvisor(PlannerConfig config, UsageLedger ledger, Clock clock) {
        this.config = config;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** A plan that could not be made is tried again after this long (the file may have been mended). */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

    @Override
    public synchronized HostingAdvice get() {
        Instant now = clock.instant();
        Duration age = last == null ? null : Duration.between(last.madeAt(), now);
        if (age == null || age.toMinutes() >= config.refreshMinutes()
                || last.problem() != null && config.workload() != null && age.compareTo(RETRY_AFTER_FAILURE) >= 0) {
            last = make(now);
        }
        return last;
    }

    private HostingAdvice make(Instant now) {
        if (config.workload() == null) {
            return HostingAdvice.none(now, "No recommendation: set planner.workload in the config to a workload profile"
                    + " (examples/cervella-swarm.yaml; docs/configuration.md, Planner).");
        }
        try {
            Workload file = Workload.read(Path.of(config.workload()));
            Workload workload = file;
            // the model the file describes, under the gateway's name for it when that differs
            String served = config.servedModel() != null ? config.servedModel() : file.model().name();
            String traffic = "the traffic in " + config.workload()
                    + (config.fromUsageDays() > 0 ? " (the usage ledger holds no requests of " + served + " yet)" : "");
            if (config.fromUsageDays() > 0) {
                UsageTraffic t = ledger.traffic(now.minus(Duration.ofDays(config.fromUsageDays())), now, served);
                if (t.model() != null && t.requests() > 0 && t.promptTokensMean() != null && t.hourlyTotal() > 0) {
                    workload = MeasuredWorkload.from(t, file).workload();
                    traffic = String.format(Locale.ROOT, "the traffic measured over %s (%d requests of %s, %s a day) with the targets of %s",
                            MeasuredWorkload.days(t.days()), t.requests(), t.model(), Numbers.perDay(workload.requestsPerDay()),
                            config.workload());
                }
            }
            Path dir = config.catalogDir() != null ? Path.of(config.catalogDir()) : shippedCatalog().orElseThrow(() ->
                    new IllegalStateException("no price catalog at " + shippedCatalogPath().toAbsolutePath() + ": set planner.catalog_dir"));
            Catalog catalog = Catalog.load(dir, config.catalog().stream().map(Path::of).toList());
            Plan plan = new Planner(catalog, Assumptions.DEFAULTS).plan(workload, LocalDate.ofInstant(now, ZoneOffset.UTC),
                    List.of(dir.toString()));
            Plan.Recommendation r = plan.recommendation();
            return new HostingAdvice(now, r.winner().name(), r.winner().architecture().label() + ": "
                    + r.winner().architecture().description(), r.winner().usdPerMonth(), r.meetsAll(), r.reasons(), r.sensitivity(),
                    plan.staleness().stale(), traffic, null);
        } catch (RuntimeException e) {
            LOG.warn("planner: no recommendation: {}", e.getMessage());
            return HostingAdvice.none(now, "No recommendation: " + e.getMessage());
        }
    }

    /** Where the catalog shipped with the application is: beside it (the launcher says where), else ./catalog. */
    public static Path shippedCatalogPath() {
        String home = System.getProperty("cervella.home");
        return home != null ? Path.of(home, "catalog") : Path.of("catalog");
    }

    /** The shipped catalog, when it is there. */
    public static Optional<Path> shippedCatalog() {
        Path dir = shippedCatalogPath();
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
}
