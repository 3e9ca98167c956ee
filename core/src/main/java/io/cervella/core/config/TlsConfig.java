package io.cervella.core.config;

/**
 * The operator's own certificate (PEM chain, leaf first) and key; both empty means: use the local CA
 * in DATA/tls.
 */
public record TlsConfig(String certFile, String keyFile) {
    public TlsConfig {
        ConfigException.check((certFile == null) == (keyFile == null), certFile == null ? "cert_file" : "key_file",
                "cert_file and key_file go together: give both or neither");
    }

    public static TlsConfig defaults() {
        return new TlsConfig(null, null);
    }

    public boolean operatorProvided() {
        return certFile != null;
    }
}
