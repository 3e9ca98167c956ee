package io.cervella.app.cli;

import io.cervella.app.Main;
import io.cervella.app.ops.PlanAdvisor;
import io.cervella.core.http.Json;
import io.cervella.core.usage.UsageTraffic;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.plan.Assumptions;
import io.cervella.planner.plan.Plan;
import io.cervella.planner.plan.PlanException;
import io.cervella.planner.plan.Planner;
import io.cervella.planner.report.HtmlReport;
import io.cervella.planner.report.JsonReport;
import io.cervella.planner.report.TableReport;
import io.cervella.planner.workload.MeasuredWorkload;
import io.cervella.planner.workload.ModelSpec;
import io.cervella.planner.workload.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cervella plan}: where to run the platform. Prices every option the catalog allows for a
 * workload — from a file, or measured in the usage ledger — and prints the ranking with the winner,
 * its reasons and what would change the answer, as a table, JSON or one HTML file with charts.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Compare hosting options for a workload with the price catalog and recommend one.")
public final class PlanCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions target;

    @Option(names = "--workload", description = "a workload profile (docs/formats/workload.md); with --from-usage: the targets and the model's size")
    Path workloadFile;

    @Option(names = "--from-usage", description = "measure the traffic in the usage ledger (--server, or --data of a stopped server)")
    boolean fromUsage;

    @Option(names = "--days", defaultValue = "14", description = "with --from-usage: the last N days (default ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--model", description = "with --from-usage: the served model to measure (default: the busiest)")
    String servedModel;

    @Option(names = "--model-name", description = "with --from-usage and no --workload: the model's own name, as the catalog knows it")
    String modelName;

    @Option(names = "--weights-gb", description = "with --from-usage and no --workload: the size of the model's weights as served")
    Double weightsGb;

    @Option(names = "--catalog", description = "a catalog file of your own (prices, figures, a bench result); may be repeated")
    List<Path> userCatalogs = new ArrayList<>();

    @Option(names = "--catalog-dir", description = "the shipped catalog (default: catalog/ beside the application)")
    Path catalogDir;

    @Option(names = "--format", defaultValue = "table", description = "table, json or html (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--out", description = "write the report to this file instead of the terminal")
    Path out;

    @Option(names = "--eur-usd", description = "US dollars per euro (default 1.15)")
    Double eurUsd;

    @Option(names = "--assume-availability", description = "percent taken for a part without a published SLA (default 99.0)")
    Double assumeAvailability;

    @Option(names = "--max-age-days", description = "a catalog entry older than this makes the report say the catalog is stale (default 90)")
    Integer maxAgeDays;

    @Option(names = "--date", description = "the day the plan is made for (default today), YYYY-MM-DD")
    LocalDate date;

    @Override
    public Integer call() throws IOException {
        String f = format.toLowerCase(Locale.ROOT);
        if (!List.of("table", "json", "html").contains(f)) {
            throw new IllegalArgumentException("--format must be table, json or html, was '" + format + "'");
        }
        if (workloadFile == null && !fromUsage) {
            throw new IllegalArgumentException("give --workload FILE or --from-usage (or both: the file's targets, the ledger's traffic)");
        }
        PrintWriter err = spec.commandLine().getErr();
        Workload workload = fromUsage ? measured(err) : Workload.read(workloadFile);
        Path dir = catalogDir != null ? catalogDir : shippedCatalog();
        Catalog catalog = Catalog.load(dir, userCatalogs);
        Assumptions as = Assumptions.DEFAULTS;
        if (eurUsd != null) {
            as = as.withEurUsd(eurUsd);
        }
        if (assumeAvailability != null) {
            as = as.withPercentWithoutSla(assumeAvailability);
        }
        if (maxAgeDays != null) {
            as = as.withMaxAgeDays(maxAgeDays);
        }
        Path here = Path.of("").toAbsolutePath();
        Path shown = dir.toAbsolutePath().normalize().startsWith(here) ? here.relativize(dir.toAbsolutePath().normalize()) : dir;
        List<String> files = new ArrayList<>(List.of(shown + "/*.yaml"));
        userCatalogs.forEach(p -> files.add(p.toString()));
        Plan plan;
        try {
            plan = new Planner(catalog, as).plan(workload, date != null ? date : LocalDate.now(), files);
        } catch (PlanException e) {
            throw new Main.CliFailure(e.getMessage());
        }
        String report = switch (f) {
            case "json" -> Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(JsonReport.toJson(plan)) + "\n";
            case "html" -> HtmlReport.render(plan);
            default -> TableReport.render(plan);
        };
        if (out != null) {
            Files.writeString(out, report);
            err.println("cervella plan: wrote " + out);
        } else {
            spec.commandLine().getOut().print(report);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** The traffic from the ledger, sized by the workload file or by --model-name/--weights-gb; says what was measured. */
    private Workload measured(PrintWriter err) {
        if (days < 1 || days > 90) {
            throw new IllegalArgumentException("--days must be 1 to 90, was " + days);
        }
        if (workloadFile == null && weightsGb == null) {
            throw new IllegalArgumentException("--from-usage without --workload needs --weights-gb (and --model-name, the model's"
                    + " own name as the catalog knows it): the usage ledger does not know model sizes");
        }
        UsageTraffic traffic = UsageTrafficSource.from(target, days, servedModel);
        MeasuredWorkload m = workloadFile != null ? MeasuredWorkload.from(traffic, Workload.read(workloadFile))
                : MeasuredWorkload.withoutWorkload(traffic, new ModelSpec(modelName != null ? modelName : traffic.model(), weightsGb, null));
        err.printf(Locale.ROOT, "cervella plan: measured %s over %s: %d requests (%.1f a day), peak %d at once%s; measured: %s; %s%n",
                traffic.model(), MeasuredWorkload.days(traffic.days()), traffic.requests(), m.workload().requestsPerDay(), traffic.peakConcurrency(),
                traffic.ttftP95Ms() == null ? "" : String.format(Locale.ROOT, ", TTFT p95 now %.0f ms", traffic.ttftP95Ms()),
                String.join(", ", m.fields(MeasuredWorkload.Source.MEASURED)),
                workloadFile != null ? "the rest from " + workloadFile : "defaults: " + String.join(", ", m.fields(MeasuredWorkload.Source.DEFAULT)));
        return m.workload();
    }

    /** The catalog shipped with the application: beside it (the launcher says where), else ./catalog. */
    static Path shippedCatalog() {
        return PlanAdvisor.shippedCatalog().orElseThrow(() -> new IllegalArgumentException(
                "no price catalog at " + PlanAdvisor.shippedCatalogPath().toAbsolutePath() + ": give --catalog-dir DIR"));
    }
}
