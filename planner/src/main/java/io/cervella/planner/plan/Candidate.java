package io.cervella.planner.plan;

/** One way to host the workload: a CPU host and a place for the model, of one architecture. */
public record Candidate(Architecture architecture, CpuHost cpu, GpuSide gpu) {

    public String name() {
        return switch (gpu) {
            case GpuSide.Dedicated d when d.hostsCpu() -> d.entry().offer().id() + " (" + d.mode().label() + ")";
            case GpuSide.Dedicated d -> cpu.name() + " + " + d.entry().offer().id() + " (" + d.mode().label() + ")";
            case GpuSide.Serverless s -> cpu.name() + " + " + s.entry().offer().id() + (s.warm() ? " (kept warm)" : " (scale to zero)");
            case GpuSide.OnCpu c -> cpu.name() + " (model on its CPU)";
        };
    }
}
