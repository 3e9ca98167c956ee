package io.cervella.edge.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Requests the edge turned away, by reason ({@code cervella_edge_rejected_total{reason=...}}). */
public final class Rejections {
    private final Counter firewall;
    private final Counter rateIp;
    private final Counter rateKey;

    public Rejections(MeterRegistry registry) {
        firewall = counter(registry, "firewall");
        rateIp = counter(registry, "rate_limit_ip");
        rateKey = counter(registry, "rate_limit_key");
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder("cervella.edge.rejected").description("requests the edge turned away, by reason")
                .tag("reason", reason).register(registry);
    }

    public void firewall() { firewall.increment(); }
    public void rateIp() { rateIp.increment(); }
    public void rateKey() { rateKey.increment(); }
}
