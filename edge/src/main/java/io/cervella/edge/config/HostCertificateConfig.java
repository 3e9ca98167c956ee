package io.cervella.edge.config;

import io.cervella.core.config.ConfigException;

/** A certificate (PEM chain, leaf first) and key for one host name, chosen by SNI; reloaded when the files change. */
public record HostCertificateConfig(String host, String certFile, String keyFile) {
    public HostCertificateConfig {
        ConfigException.check(host != null && !host.isBlank(), "host", "is required");
        ConfigException.check(certFile != null && keyFile != null, "cert_file", "cert_file and key_file are both required");
        host = host.toLowerCase(java.util.Locale.ROOT);
    }
}
