package io.cervella.edge.tls;

import java.security.Principal;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.util.ssl.SniX509ExtendedKeyManager;
import org.eclipse.jetty.util.ssl.X509;

/**
 * Chooses the certificate for a handshake by its SNI name: the configured host's (exactly, or a
 * {@code *.domain} entry for one label more), else the platform's: for clients that connect by IP
 * (no SNI) and for names no entry covers.
 */
final class HostCertificateSelector implements SniX509ExtendedKeyManager.SniSelector {
    private final Map<String, String> aliasByHost;
    private final String defaultAlias;

    HostCertificateSelector(Map<String, String> aliasByHost, String defaultAlias) {
        this.aliasByHost = Map.copyOf(aliasByHost);
        this.defaultAlias = defaultAlias;
    }

    @Override
    public String sniSelect(String keyType, Principal[] issuers, SSLSession session, String sniHost,
                            Collection<X509> certificates) {
        String wanted = aliasFor(sniHost);
        // certificates holds those usable with keyType; when ours is not one of them, null makes
        // the JDK ask again with the client's next key type instead of serving another host's certificate
        for (X509 c : certificates) {
            if (c.getAlias().equals(wanted)) {
                return wanted;
            }
        }
        return null;
    }

    String aliasFor(String sniHost) {
        if (sniHost == null || sniHost.isEmpty()) {
            return defaultAlias;
        }
        String host = sniHost.toLowerCase(Locale.ROOT);
        String alias = aliasByHost.get(host);
        int dot = host.indexOf('.');
        if (alias == null && dot > 0) {
            alias = aliasByHost.get("*" + host.substring(dot));
        }
        return alias != null ? alias : defaultAlias;
    }
}
