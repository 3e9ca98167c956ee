package io.cervella.edge.tls;

import io.cervella.core.tls.TlsContexts;
import io.cervella.core.tls.TlsMaterial;
import io.cervella.edge.config.HostCertificateConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every certificate of the listener in one key store: the platform's under {@link #DEFAULT_ALIAS},
 * each configured host's under an alias of its own, and which alias serves which host name.
 */
public record ListenerCertificates(KeyStore keyStore, Map<String, String> aliasByHost) {
    public static final String DEFAULT_ALIAS = "default";

    public ListenerCertificates {
        aliasByHost = Map.copyOf(aliasByHost);
    }

    /** Reads all the files now; a missing, unreadable or mismatched one throws, naming it. */
    public static ListenerCertificates read(PlatformCertificate platform, List<HostCertificateConfig> hosts)
            throws IOException {
        Map<String, TlsMaterial> entries = new LinkedHashMap<>();
        Map<String, String> aliasByHost = new LinkedHashMap<>();
        entries.put(DEFAULT_ALIAS, platform.read());
        for (int i = 0; i < hosts.size(); i++) {
            HostCertificateConfig h = hosts.get(i);
            String alias = "host-" + i;
            entries.put(alias, CertificateFiles.read(Path.of(h.certFile()), Path.of(h.keyFile())));
            aliasByHost.put(h.host(), alias);
        }
        return new ListenerCertificates(TlsContexts.keyStore(entries), aliasByHost);
    }

    /** The files these certificates come from: a change to any of them means reading them again. */
    public static List<Path> files(PlatformCertificate platform, List<HostCertificateConfig> hosts) {
        List<Path> files = new ArrayList<>(platform.files());
        for (HostCertificateConfig h : hosts) {
            files.add(Path.of(h.certFile()));
            files.add(Path.of(h.keyFile()));
        }
        return files;
    }
}
