package io.cervella.core.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A server's private key and certificate chain (leaf first). */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain) {
    public TlsMaterial {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the server certificate");
        }
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }
}
