package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;
import java.time.LocalDate;
import java.util.Set;

/** One thing a provider sells, its prices, and where and when they were read. */
public record Offer(String id, String what, Gpu gpu, Double vcpus, Double memoryGb, String region, String currency,
                    Prices prices, String billedPer, Double slaPercent, String incomplete, String source, LocalDate read, Boolean unconfirmed, String note) {
    static final Set<String> KINDS = Set.of("gpu-instance", "cpu-instance", "serverless-gpu", "plan", "storage", "egress");

    public Offer {
        ConfigException.check(id != null && id.matches("[a-z0-9-]+"), "id", "is required: lower-case letters, digits and -");
        ConfigException.check(KINDS.contains(what), "what", "must be one of " + String.join(", ", KINDS.stream().sorted().toList()));
        currency = currency == null ? "USD" : currency;
        ConfigException.check(currency.equals("USD") || currency.equals("EUR"), "currency", "must be USD or EUR");
        ConfigException.check(prices != null && prices.any(), "prices", "at least one price is required");
        ConfigException.check(source != null && (source.startsWith("https://") || source.startsWith("http://")), "source",
                "is required: the URL the prices were read from");
        ConfigException.check(slaPercent == null || slaPercent > 0 && slaPercent <= 100, "sla_percent", "must be above 0 and at most 100");
        ConfigException.check(!(what.equals("gpu-instance") || what.equals("serverless-gpu")) || gpu != null, "gpu",
                "is required for " + what);
        ConfigException.check(billedPer == null || what.equals("plan") && (billedPer.equals("vcpu") || billedPer.equals("memory_gb")),
                "billed_per", "must be vcpu or memory_gb, on a plan");
        unconfirmed = unconfirmed != null && unconfirmed;
    }

    /** With the file's date when the offer gives none. */
    Offer readOn(LocalDate date) {
        return read != null ? this : new Offer(id, what, gpu, vcpus, memoryGb, region, currency, prices, billedPer, slaPercent, incomplete, source, date,
                unconfirmed, note);
    }
}
