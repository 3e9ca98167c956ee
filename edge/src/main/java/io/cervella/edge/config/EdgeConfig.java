package io.cervella.edge.config;

import io.cervella.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code edge:} section: the hosted apps, the firewall, flood protection, per-host certificates,
 * HSTS, the optional plain-HTTP redirect port and the access log. Everything here but the listener
 * settings ({@code http_redirect_port}, {@code limits.max_connections*}) is applied again by a reload.
 */
public record EdgeConfig(List<AppConfig> apps, FirewallConfig firewall, RateLimitConfig rateLimits,
                         LimitsConfig limits, List<HostCertificateConfig> certificates, List<String> trustedProxies,
                         Integer hstsMaxAgeSeconds, Integer httpRedirectPort, String accessLog) {
    public EdgeConfig {
        apps = apps == null ? List.of() : List.copyOf(apps);
        firewall = firewall == null ? FirewallConfig.defaults() : firewall;
        rateLimits = rateLimits == null ? RateLimitConfig.defaults() : rateLimits;
        limits = limits == null ? LimitsConfig.defaults() : limits;
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        hstsMaxAgeSeconds = hstsMaxAgeSeconds == null ? 31_536_000 : hstsMaxAgeSeconds;
        accessLog = accessLog == null ? "logs/access.log" : accessLog;
        ConfigException.check(hstsMaxAgeSeconds >= 0, "hsts_max_age_seconds", "must not be negative (0 turns HSTS off)");
        ConfigException.check(httpRedirectPort == null || httpRedirectPort >= 0 && httpRedirectPort <= 65535,
                "http_redirect_port", "must be between 0 and 65535, was " + httpRedirectPort);
        for (int i = 0; i < trustedProxies.size(); i++) {
            CidrText.check("trusted_proxies[" + i + "]", trustedProxies.get(i));
        }
        Set<String> names = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < apps.size(); i++) {
            AppConfig a = apps.get(i);
            ConfigException.check(names.add(a.name()), "apps[" + i + "].name", "'" + a.name() + "' is used by another app");
            if (a.hosts().isEmpty()) {
                ConfigException.check(prefixes.add(a.prefix()), "apps[" + i + "].prefix",
                        "'" + a.prefix() + "' is used by another app");
            }
            for (String h : a.hosts()) {
                ConfigException.check(hosts.add(h + " " + a.prefix()), "apps[" + i + "].hosts",
                        "'" + h + "' with prefix '" + a.prefix() + "' is served by another app");
            }
        }
        Set<String> certHosts = new HashSet<>();
        for (int i = 0; i < certificates.size(); i++) {
            ConfigException.check(certHosts.add(certificates.get(i).host()), "certificates[" + i + "].host",
                    "'" + certificates.get(i).host() + "' has another certificate");
        }
    }

    public static EdgeConfig defaults() {
        return new EdgeConfig(null, null, null, null, null, null, null, null, null);
    }

    public boolean hsts() {
        return hstsMaxAgeSeconds > 0;
    }
}
