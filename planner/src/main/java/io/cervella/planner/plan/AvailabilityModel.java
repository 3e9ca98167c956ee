package io.cervella.planner.plan;

import io.cervella.planner.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An option's expected availability: the CPU host and the model's side in series; GPU replicas on
 * separate machines in parallel; a serverless platform once (its workers share one control plane).
 * Each part's figure is its provider's published SLA, or the stated assumption where none is
 * published (and for spot capacity).
 */
final class AvailabilityModel {
    /** The figure, how it was composed, and whether some part rests on an assumption. */
    record Composition(double value, String basis, boolean assumed) {}

    private final Assumptions as;

    AvailabilityModel(Assumptions as) {
        this.as = as;
    }

    Composition of(Candidate c, int replicas) {
        List<Double> parts = new ArrayList<>();
        List<String> basis = new ArrayList<>();
        boolean assumed = false;
        Double cpuSla = c.cpu().slaPercent();
        boolean onSpotVm = c.gpu() instanceof GpuSide.Dedicated d && d.hostsCpu() && d.mode() == GpuSide.PriceMode.SPOT;
        if (onSpotVm) {
            // the VM that runs everything is itself spot
            parts.add(as.spotPercent() / 100);
            basis.add(Numbers.percent(as.spotPercent()) + " the VM (spot: assumed)");
            assumed = true;
        } else {
            double cpu = cpuSla != null ? cpuSla : as.percentWithoutSla();
            assumed = cpuSla == null;
            parts.add(cpu / 100);
            String what = c.gpu() instanceof GpuSide.Dedicated d && d.hostsCpu() ? "the VM" : c.cpu().name();
            basis.add(Numbers.percent(cpu) + " " + what + (cpuSla != null ? " (SLA)" : " (no SLA: assumed)"));
        }
        switch (c.gpu()) {
            case GpuSide.Dedicated d when !d.hostsCpu() -> {
                Double sla = Candidates.sla(d.entry());
                boolean spot = d.mode() == GpuSide.PriceMode.SPOT;
                double each = spot ? as.spotPercent() : sla != null ? sla : as.percentWithoutSla();
                assumed |= spot || sla == null;
                parts.add(Availability.parallel(each / 100, replicas));
                String why = spot ? "spot: assumed" : sla != null ? "SLA" : "no SLA: assumed";
                basis.add(replicas == 1 ? Numbers.percent(each) + " " + d.entry().offer().id() + " (" + why + ")"
                        : String.format(Locale.ROOT, "[1 − (1 − %s)^%d] %s (%s, %d in parallel)", Numbers.percent(each), replicas,
                        d.entry().offer().id(), why, replicas));
            }
            case GpuSide.Serverless s -> {
                Double sla = Candidates.sla(s.entry());
                double a = sla != null ? sla : as.percentWithoutSla();
                assumed |= sla == null;
                parts.add(a / 100);
                basis.add(Numbers.percent(a) + " " + s.entry().provider().id() + (sla != null ? " (SLA)" : " (no SLA: assumed)"));
            }
            case GpuSide.Dedicated d -> { }   // the VM that runs everything: counted above
            case GpuSide.OnCpu x -> { }
        }
        return new Composition(Availability.series(parts), String.join(" × ", basis), assumed);
    }
}
