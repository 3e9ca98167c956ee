package io.cervella.edge.config;

import java.util.List;

/**
 * {@code firewall}: address ranges (CIDR, IPv4 and IPv6) allowed and denied for every request, and
 * route groups with their own lists ({@code /admin} only from the office, say). Deny wins over allow;
 * an empty allow list allows every address that is not denied.
 */
public record FirewallConfig(List<String> allow, List<String> deny, List<RouteRule> routes) {
    public FirewallConfig {
        allow = CidrText.checkAll("firewall.allow", allow);
        deny = CidrText.checkAll("firewall.deny", deny);
        routes = routes == null ? List.of() : List.copyOf(routes);
    }

    public static FirewallConfig defaults() {
        return new FirewallConfig(null, null, null);
    }

    /** Requests whose path starts with one of {@code paths} must also pass these lists. */
    public record RouteRule(List<String> paths, List<String> allow, List<String> deny) {
        public RouteRule {
            paths = paths == null ? List.of() : List.copyOf(paths);
            io.cervella.core.config.ConfigException.check(!paths.isEmpty(), "paths", "give at least one path prefix");
            for (String p : paths) {
                io.cervella.core.config.ConfigException.check(p.startsWith("/"), "paths", "'" + p + "' must start with /");
            }
            allow = CidrText.checkAll("allow", allow);
            deny = CidrText.checkAll("deny", deny);
        }
    }
}
