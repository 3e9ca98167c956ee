package io.cervella.planner.plan;

import io.cervella.planner.catalog.Provider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What an option stands or falls with (single points of failure) and what leaving it takes (lock-in). */
final class Risks {
    private Risks() {}

    static List<String> singlePointsOfFailure(Candidate c, int replicas) {
        List<String> out = new ArrayList<>();
        switch (c.gpu()) {
            case GpuSide.Dedicated d when d.hostsCpu() -> out.add("the one VM " + d.entry().offer().id() + " carries everything");
            case GpuSide.OnCpu x -> out.add("the one host " + c.cpu().name() + " carries everything");
            default -> out.add("the CPU host " + c.cpu().name() + " (one instance: a second needs shared PostgreSQL and S3)");
        }
        if (c.gpu() instanceof GpuSide.Dedicated d && !d.hostsCpu() && replicas == 1) {
            out.add("the GPU " + d.entry().offer().id() + " (one replica)");
        }
        if (c.gpu() instanceof GpuSide.Serverless s) {
            out.add(s.entry().provider().name() + "'s serverless platform" + (s.warm() ? "" : " (and its cold starts)"));
        }
        return List.copyOf(out);
    }

    static List<String> lockIn(Candidate c) {
        Set<Provider> providers = new LinkedHashSet<>();
        providers.add(c.cpu().provider());
        switch (c.gpu()) {
            case GpuSide.Dedicated d -> providers.add(d.entry().provider());
            case GpuSide.Serverless s -> providers.add(s.entry().provider());
            case GpuSide.OnCpu x -> { }
        }
        List<String> out = new ArrayList<>();
        for (Provider p : providers) {
            out.add(p.name() + ": " + (p.lockIn() == null ? "no note in the catalog" : p.lockIn()));
        }
        return List.copyOf(out);
    }
}
