package io.cervella.core.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Builds the TLS settings of our listeners and of our clients. */
public final class TlsContexts {
    /** TLS 1.3 suites, then TLS 1.2 with forward secrecy and AEAD only. */
    static final String[] CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    };

    /** The password of the key stores built here: not a secret, they live in memory only. */
    public static final String IN_MEMORY_PASSWORD = "in-memory";

    private TlsContexts() {}

    /** A listener serving one certificate. */
    public static SslContextFactory.Server server(TlsMaterial material) {
        return server(keyStore(Map.of("server", material)));
    }

    /** A key store in memory with one key entry per alias (give them in lower case: PKCS12 folds them). */
    public static KeyStore keyStore(Map<String, TlsMaterial> entries) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (Map.Entry<String, TlsMaterial> e : entries.entrySet()) {
                ks.setKeyEntry(e.getKey(), e.getValue().key(), IN_MEMORY_PASSWORD.toCharArray(),
                        e.getValue().chain().toArray(X509Certificate[]::new));
            }
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the server key store: " + e.getMessage(), e);
        }
    }

    /**
     * A listener with our protocol and suite settings over {@code keys} (made by {@link #keyStore});
     * with several key entries the caller picks among them by SNI ({@code setSNISelector}).
     */
    public static SslContextFactory.Server server(KeyStore keys) {
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(keys);
        f.setKeyStorePassword(IN_MEMORY_PASSWORD);
        f.setKeyManagerPassword(IN_MEMORY_PASSWORD);
        f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        f.setIncludeCipherSuites(CIPHER_SUITES);
        f.setUseCipherSuitesOrder(true);
        f.setRenegotiationAllowed(false);
        // Clients that connect by IP send no SNI; that must not be refused.
        f.setSniRequired(false);
        return f;
    }

    /** A client context that trusts only the certificates in this PEM file (our local CA). */
    public static SSLContext clientTrusting(Path caPem) throws IOException {
        return clientTrusting(PemFiles.readCertificates(caPem));
    }

    public static SSLContext clientTrusting(List<X509Certificate> anchors) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : anchors) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a client TLS context: " + e.getMessage(), e);
        }
    }
}
