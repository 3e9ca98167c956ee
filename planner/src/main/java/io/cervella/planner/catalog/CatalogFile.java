package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;
import java.time.LocalDate;
import java.util.List;

/** One catalog file as written (docs/formats/catalog.md): a provider and its offers, and/or performance figures. */
public record CatalogFile(Integer catalog, LocalDate read, Provider provider, List<Offer> offers, List<Performance> performance) {
    public CatalogFile {
        ConfigException.check(catalog != null && catalog == 1, "catalog", "must be 1 (this format's version)");
        offers = offers == null ? List.of() : List.copyOf(offers);
        performance = performance == null ? List.of() : List.copyOf(performance);
        ConfigException.check(provider != null || offers.isEmpty() && !performance.isEmpty(), "provider",
                "is required (a file without one carries only performance figures)");
        for (int i = 0; i < offers.size(); i++) {
            ConfigException.check(offers.get(i).read() != null || read != null, "offers[" + i + "].read",
                    "is required when the file gives no read date");
        }
        for (int i = 0; i < performance.size(); i++) {
            ConfigException.check(performance.get(i).read() != null || read != null, "performance[" + i + "].read",
                    "is required when the file gives no read date");
        }
    }
}
