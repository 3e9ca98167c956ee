package io.cervella.planner.plan;

/** The shapes of hosting the issue names (A-D), the CPU-only one, and any other combination. */
public enum Architecture {
    A("one GPU VM with everything"),
    B("cloud CPU VM + rented GPU"),
    C("managed containers + serverless GPU"),
    D("VPS + GPU cloud"),
    E("CPU only (embedded engine)"),
    OTHER("other combination");

    private final String description;

    Architecture(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public String label() {
        return this == OTHER ? "other" : name();
    }
}
