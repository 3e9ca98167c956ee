package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;
import io.cervella.core.config.YamlConfigReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The catalog the planner prices with: the shipped files, then the user's, whose providers and offers
 * replace those of the same id (docs/formats/catalog.md). Each offer keeps its provider and the file
 * it came from, for the report.
 */
public final class Catalog {
    /** An offer as the planner uses it: with who sells it and which file said so. */
    public record Entry(Provider provider, Offer offer, String file) {}

    /** How old the catalog is against a limit; {@code oldest}: the entries read longest ago. */
    public record Staleness(boolean stale, long oldestAgeDays, List<Entry> oldest) {}

    /** A performance figure with the file that gave it. */
    public record Figure(Performance performance, String file) {}

    private final Map<String, Provider> providers;
    private final Map<String, Entry> offers;
    private final List<Figure> figures;

    private Catalog(Map<String, Provider> providers, Map<String, Entry> offers, List<Figure> figures) {
        this.providers = providers;
        this.offers = offers;
        this.figures = figures;
    }

    /** Reads every {@code *.yaml} of {@code shippedDir} (in name order), then each of {@code userFiles} in turn. */
    public static Catalog load(Path shippedDir, List<Path> userFiles) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(shippedDir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new ConfigException(shippedDir + ": cannot list the catalog: " + e.getMessage(), e);
        }
        ConfigException.check(!files.isEmpty(), shippedDir.toString(), "holds no catalog file (*.yaml)");
        Map<String, Provider> providers = new LinkedHashMap<>();
        Map<String, Entry> offers = new LinkedHashMap<>();
        List<Figure> figures = new ArrayList<>();
        for (Path f : files) {
            add(f, false, providers, offers, figures);
        }
        for (Path f : userFiles) {
            add(f, true, providers, offers, figures);
        }
        return new Catalog(providers, offers, List.copyOf(figures));
    }

    private static void add(Path file, boolean overrides, Map<String, Provider> providers, Map<String, Entry> offers,
                            List<Figure> figures) {
        CatalogFile f = YamlConfigReader.read(file, CatalogFile.class);
        String name = file.getFileName().toString();
        for (Performance p : f.performance()) {
            figures.add(new Figure(p.readOn(f.read()), name));
        }
        Provider p = f.provider();
        if (p == null) {
            return;
        }
        if (!overrides) {
            ConfigException.check(!providers.containsKey(p.id()), name + ": provider.id", "'" + p.id() + "' is also given by another file");
        }
        providers.put(p.id(), p);
        // offers already read keep pointing at the provider that replaced theirs
        offers.replaceAll((id, e) -> e.provider().id().equals(p.id()) ? new Entry(p, e.offer(), e.file()) : e);
        for (Offer o : f.offers()) {
            if (!overrides) {
                ConfigException.check(!offers.containsKey(o.id()), name + ": offers", "'" + o.id() + "' is also given by "
                        + (offers.containsKey(o.id()) ? offers.get(o.id()).file() : ""));
            }
            offers.put(o.id(), new Entry(p, o.readOn(f.read()), name));
        }
    }

    public List<Entry> offers() {
        return List.copyOf(offers.values());
    }

    public Optional<Entry> offer(String id) {
        return Optional.ofNullable(offers.get(id));
    }

    public Optional<Provider> provider(String id) {
        return Optional.ofNullable(providers.get(id));
    }

    /** Every performance figure, in the order read (shipped files first). */
    public List<Figure> figures() {
        return figures;
    }

    public List<Provider> providers() {
        return List.copyOf(providers.values());
    }

    /** Stale when an entry was read more than {@code maxAgeDays} before {@code today}; the five oldest are named. */
    public Staleness staleness(LocalDate today, int maxAgeDays) {
        List<Entry> byAge = offers.values().stream().sorted(Comparator.comparing(e -> e.offer().read())).toList();
        long oldest = byAge.isEmpty() ? 0 : ChronoUnit.DAYS.between(byAge.get(0).offer().read(), today);
        List<Entry> old = byAge.stream().filter(e -> ChronoUnit.DAYS.between(e.offer().read(), today) > maxAgeDays).limit(5).toList();
        return new Staleness(oldest > maxAgeDays, oldest, old);
    }
}
