package io.cervella.planner.perf;

import io.cervella.planner.Numbers;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.Gpu;
import io.cervella.planner.catalog.Performance;
import io.cervella.planner.workload.ModelSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds how fast the model runs on an offer's hardware, each rate from the first source that has it
 * (docs/formats/catalog.md, Performance figures): a measured figure, a published one, then — decoding
 * only — the memory-bandwidth bound; a prompt rate without a figure is scaled from the nearest
 * published one by memory bandwidth.
 */
public final class PerformanceLookup {

    /** The figures for the offer's hardware, or why there are none. */
    public sealed interface Result permits Found, Missing {}

    public record Found(ModelPerformance performance) implements Result {}

    public record Missing(String reason) implements Result {}

    private final List<Catalog.Figure> figures;
    /** GPU model (normalised) → memory bandwidth, from every offer that states it. */
    private final Map<String, Double> bandwidths = new HashMap<>();
    private final double efficiency;

    public PerformanceLookup(Catalog catalog, double bandwidthEfficiency) {
        this.figures = catalog.figures();
        this.efficiency = bandwidthEfficiency;
        for (Catalog.Entry e : catalog.offers()) {
            Gpu g = e.offer().gpu();
            if (g != null && g.bandwidthGbS() != null && !g.model().contains("/")) {
                bandwidths.putIfAbsent(Performance.normalize(g.model()), g.bandwidthGbS());
            }
        }
    }

    /** An offer's GPU; a class of GPUs ("L4 / A5000 / RTX 3090") gets the slowest of its members. */
    public Result forGpu(Gpu gpu, ModelSpec model) {
        String[] members = gpu.model().split("/");
        Rate prefill = null;
        Rate decode = null;
        for (String raw : members) {
            String member = raw.trim();
            Double bandwidth = members.length == 1 && gpu.bandwidthGbS() != null ? gpu.bandwidthGbS()
                    : bandwidths.get(Performance.normalize(member));
            Optional<Catalog.Figure> figure = best(model.name(), member);
            Rate d = figure.filter(f -> f.performance().decodeTokensPerSecond() != null)
                    .map(f -> decodeFrom(f, model, member, bandwidth)).orElse(null);
            if (d == null && bandwidth != null) {
                d = new Rate(bandwidth / model.weightsGb() * efficiency, Rate.Source.BANDWIDTH_BOUND,
                        String.format(Locale.ROOT, "%s: %.0f GB/s ÷ %.2f GB of weights × %.2f", member, bandwidth,
                                model.weightsGb(), efficiency));
            }
            Rate p = figure.filter(f -> f.performance().prefillTokensPerSecond() != null)
                    .map(f -> fromFigure(f, f.performance().prefillTokensPerSecond())).orElse(null);
            if (p == null && bandwidth != null) {
                p = scaledPrefill(model.name(), member, bandwidth);
            }
            if (d == null || p == null) {
                String what = d == null && p == null ? "no performance figure" : d == null ? "no decoding figure" : "no prompt figure";
                return new Missing(what + " for " + model.name() + " on " + member
                        + (bandwidth == null ? " and no memory bandwidth for it in the catalog" : "")
                        + ": measure it with `cervella bench` or add figures (or bandwidth_gb_s) to a --catalog file");
            }
            decode = decode == null ? d : Rate.slower(decode, d);
            prefill = prefill == null ? p : Rate.slower(prefill, p);
        }
        return new Found(new ModelPerformance(gpu.model(), prefill, decode));
    }

    /** The embedded engine on a CPU host with {@code vcpus}: only measured or published figures. */
    public Result forCpu(double vcpus, ModelSpec model) {
        Optional<Catalog.Figure> figure = best(model.name(), "cpu");
        if (figure.isEmpty()) {
            return new Missing("no CPU figure for " + model.name() + ": measure it with `cervella bench --hardware cpu`");
        }
        Performance p = figure.get().performance();
        if (p.vcpus() != null && p.vcpus() > vcpus) {
            return new Missing("the CPU figure for " + model.name() + " took " + p.vcpus() + " threads; the host has " + vcpus);
        }
        if (p.prefillTokensPerSecond() == null || p.decodeTokensPerSecond() == null) {
            return new Missing("the CPU figure for " + model.name() + " lacks a prompt or a decoding rate");
        }
        return new Found(new ModelPerformance("cpu", fromFigure(figure.get(), p.prefillTokensPerSecond()),
                fromFigure(figure.get(), p.decodeTokensPerSecond())));
    }

    /**
     * For one model on one hardware: a measured figure before a published one, then the later read
     * date, and among equals the one read last (a user's file after the shipped ones).
     */
    private Optional<Catalog.Figure> best(String model, String hardware) {
        String h = Performance.normalize(hardware);
        Comparator<Catalog.Figure> order = Comparator.comparing((Catalog.Figure f) -> f.performance().measured())
                .thenComparing(f -> f.performance().read());
        return figures.stream()
                .filter(f -> f.performance().model().equalsIgnoreCase(model) && Performance.normalize(f.performance().hardware()).equals(h))
                .reduce((a, b) -> order.compare(b, a) >= 0 ? b : a);
    }

    /**
     * A figure's decoding rate for the workload's weights: decoding reads every weight once a token, so
     * a figure taken with other weights (BF16 against Q4) is scaled by the sizes' ratio, at most to the
     * bandwidth bound when the bandwidth is known.
     */
    private static Rate decodeFrom(Catalog.Figure f, ModelSpec model, String member, Double bandwidth) {
        Performance p = f.performance();
        double rate = p.decodeTokensPerSecond();
        if (p.weightsGb() == null || Math.abs(p.weightsGb() / model.weightsGb() - 1) < 0.05) {
            return fromFigure(f, rate);
        }
        double scaled = rate * p.weightsGb() / model.weightsGb();
        String cap = "";
        if (bandwidth != null && scaled > bandwidth / model.weightsGb()) {
            scaled = bandwidth / model.weightsGb();
            cap = ", capped at the bandwidth bound";
        }
        return new Rate(scaled, Rate.Source.SCALED_BY_WEIGHTS, String.format(Locale.ROOT, "%s: %s's %s tok/s at %s GB × %s/%s GB%s, %s",
                member, p.measured() ? "a measurement" : "a published figure", Numbers.plain(rate), Numbers.plain(p.weightsGb()), Numbers.plain(p.weightsGb()),
                Numbers.plain(model.weightsGb()), cap, f.file()));
    }


    private static Rate fromFigure(Catalog.Figure f, double value) {
        Performance p = f.performance();
        return new Rate(value, p.measured() ? Rate.Source.MEASURED : Rate.Source.PUBLISHED,
                p.hardware() + ", " + f.file() + (p.measured() ? "" : " (" + p.source() + ")"));
    }

    /** The nearest (by bandwidth) GPU with a prompt figure for the model, scaled by the bandwidths' ratio. */
    private Rate scaledPrefill(String model, String hardware, double bandwidth) {
        List<Catalog.Figure> withPrefill = new ArrayList<>();
        for (Catalog.Figure f : figures) {
            Performance p = f.performance();
            if (p.model().equalsIgnoreCase(model) && !p.isCpu() && p.prefillTokensPerSecond() != null
                    && bandwidths.containsKey(Performance.normalize(p.hardware()))) {
                withPrefill.add(f);
            }
        }
        return withPrefill.stream()
                .min(Comparator.comparingDouble((Catalog.Figure f) -> Math.abs(Math.log(
                        bandwidths.get(Performance.normalize(f.performance().hardware())) / bandwidth))))
                .map(f -> {
                    Performance p = f.performance();
                    double refBandwidth = bandwidths.get(Performance.normalize(p.hardware()));
                    return new Rate(p.prefillTokensPerSecond() * bandwidth / refBandwidth, Rate.Source.SCALED,
                            String.format(Locale.ROOT, "%s: %s's %.0f tok/s × %.0f/%.0f GB/s", hardware, p.hardware(),
                                    p.prefillTokensPerSecond(), bandwidth, refBandwidth));
                })
                .orElse(null);
    }
}
