package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;
import java.time.LocalDate;
import java.util.List;

/** One catalog file as written (docs/formats/catalog.md): a provider and its offers. */
public record CatalogFile(Integer catalog, LocalDate read, Provider provider, List<Offer> offers) {
    public CatalogFile {
        ConfigException.check(catalog != null && catalog == 1, "catalog", "must be 1 (this format's version)");
        ConfigException.check(provider != null, "provider", "is required");
        offers = offers == null ? List.of() : List.copyOf(offers);
        for (int i = 0; i < offers.size(); i++) {
            ConfigException.check(offers.get(i).read() != null || read != null, "offers[" + i + "].read",
                    "is required when the file gives no read date");
        }
    }
}
