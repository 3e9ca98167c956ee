package io.cervella.ops.probe;

import io.cervella.core.tls.TlsContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The probes' HTTP clients: one trusting the system's CAs, and one per CA file (a probe's or a hosted
 * app's {@code ca_file}) trusting only the CAs in it. Host names are verified by every one of them.
 */
final class ProbeClients implements AutoCloseable {
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, HttpClient> byCaFile = new ConcurrentHashMap<>();
    private final HttpClient system;

    ProbeClients() {
        try {
            system = build(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context in this JDK", e);
        }
    }

    /** The client for this CA file (null: the system's CAs); throws UncheckedIOException if it cannot be read. */
    HttpClient forCaFile(String caFile) {
        if (caFile == null) {
            return system;
        }
        return byCaFile.computeIfAbsent(caFile, f -> {
            try {
                return build(TlsContexts.clientTrusting(Path.of(f)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private HttpClient build(SSLContext tls) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade headers in the probe of a plain-http app
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(tls)
                .executor(executor)
                .build();
    }

    @Override
    public void close() {
        // shutdownNow: a probe stuck on a silent server must not hold up the platform's stop
        system.shutdownNow();
        byCaFile.values().forEach(HttpClient::shutdownNow);
        executor.shutdownNow();
    }
}
