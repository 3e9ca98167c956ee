package io.cervella.planner.plan;

import io.cervella.planner.catalog.Catalog;

/** Where the model runs. */
public sealed interface GpuSide {

    /** How a dedicated instance is paid for. */
    enum PriceMode {
        ON_DEMAND("on demand"), SPOT("spot"), COMMIT_1Y("1-year commitment"), COMMIT_3Y("3-year commitment");

        private final String label;

        PriceMode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** GPU instances rented by the hour, one per replica; {@code hostsCpu}: the first also runs the CPU services (option A). */
    record Dedicated(Catalog.Entry entry, PriceMode mode, double hourlyUsd, boolean hostsCpu) implements GpuSide {}

    /** Serverless GPU workers: scaled to zero between requests, or {@code warm} ones always running. */
    record Serverless(Catalog.Entry entry, boolean warm) implements GpuSide {}

    /** The embedded engine on the CPU host itself. */
    record OnCpu() implements GpuSide {}
}
