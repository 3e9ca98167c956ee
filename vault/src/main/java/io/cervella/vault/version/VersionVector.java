package io.cervella.vault.version;

import java.util.Map;
import java.util.TreeMap;

/**
 * A file version's version vector (docs/formats/vault.md, Version vectors): for each device that
 * changed the file, how many changes of it the version includes. Clocks play no part: one version
 * descends from another exactly when its vector is at least as large in every entry.
 */
public record VersionVector(Map<String, Long> counters) {
    public static final VersionVector EMPTY = new VersionVector(Map.of());

    /** How two versions relate. */
    public enum Order { EQUAL, AFTER, BEFORE, CONCURRENT }

    public VersionVector {
        TreeMap<String, Long> copy = new TreeMap<>();
        counters.forEach((device, n) -> {
            if (device == null || device.isEmpty() || n == null || n < 0) {
                throw new IllegalArgumentException("a version vector maps devices to non-negative counters");
            }
            if (n > 0) {
                copy.put(device, n);
            }
        });
        counters = java.util.Collections.unmodifiableMap(copy);
    }

    public long get(String device) {
        return counters.getOrDefault(device, 0L);
    }

    /** The version a device makes when it changes this one. */
    public VersionVector next(String device) {
        TreeMap<String, Long> m = new TreeMap<>(counters);
        m.merge(device, 1L, Long::sum);
        return new VersionVector(m);
    }

    /** The least version that includes both: the larger counter of each device. */
    public VersionVector merge(VersionVector other) {
        TreeMap<String, Long> m = new TreeMap<>(counters);
        other.counters.forEach((d, n) -> m.merge(d, n, Math::max));
        return new VersionVector(m);
    }

    /** How this version relates to {@code other}: after it (descends from it), before it, equal, or concurrent. */
    public Order compare(VersionVector other) {
        boolean greater = false;
        boolean smaller = false;
        java.util.Set<String> devices = new java.util.TreeSet<>(counters.keySet());
        devices.addAll(other.counters.keySet());
        for (String d : devices) {
            long a = get(d);
            long b = other.get(d);
            greater |= a > b;
            smaller |= a < b;
        }
        return greater && smaller ? Order.CONCURRENT : greater ? Order.AFTER : smaller ? Order.BEFORE : Order.EQUAL;
    }

    /** Whether this version includes everything {@code other} includes (equal or after). */
    public boolean includes(VersionVector other) {
        Order o = compare(other);
        return o == Order.EQUAL || o == Order.AFTER;
    }
}
