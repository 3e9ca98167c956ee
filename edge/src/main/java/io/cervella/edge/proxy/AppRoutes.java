package io.cervella.edge.proxy;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which hosted app a request is for: apps bound to the request's host name first (exact names before
 * wildcards), then apps by prefix alone; the longest matching prefix wins. Immutable: a reload makes a new one.
 */
public final class AppRoutes {
    private final List<HostedApp> byHost;
    private final List<HostedApp> byPrefix;

    public AppRoutes(List<HostedApp> apps) {
        Comparator<HostedApp> longestPrefix = Comparator.comparingInt((HostedApp a) -> a.prefix().length()).reversed();
        this.byHost = apps.stream().filter(a -> !a.config().hosts().isEmpty()).sorted(longestPrefix).toList();
        this.byPrefix = apps.stream().filter(a -> a.config().hosts().isEmpty()).sorted(longestPrefix).toList();
    }

    /** The app for this host and path, or null (then the platform's own API answers). */
    public HostedApp match(String host, String path) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        HostedApp wildcard = null;
        for (HostedApp a : byHost) {
            if (!prefixMatches(a.prefix(), path)) {
                continue;
            }
            for (String name : a.config().hosts()) {
                if (name.equals(h)) {
                    return a;
                }
                if (wildcard == null && name.startsWith("*.") && h.endsWith(name.substring(1)) && h.length() > name.length() - 1) {
                    wildcard = a;
                }
            }
        }
        if (wildcard != null) {
            return wildcard;
        }
        for (HostedApp a : byPrefix) {
            if (prefixMatches(a.prefix(), path)) {
                return a;
            }
        }
        return null;
    }

    /** "/apps/x/" matches /apps/x/ and below, and /apps/x itself. */
    private static boolean prefixMatches(String prefix, String path) {
        return path.startsWith(prefix) || path.length() == prefix.length() - 1 && prefix.startsWith(path);
    }

    public List<HostedApp> all() {
        return java.util.stream.Stream.concat(byHost.stream(), byPrefix.stream()).toList();
    }
}
