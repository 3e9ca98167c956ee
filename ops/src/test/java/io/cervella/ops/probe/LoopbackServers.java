package io.cervella.ops.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.cervella.core.tls.TlsMaterial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Real HTTP(S) servers on loopback for the probes' tests: {@code /ok} answers 200, {@code /fail} 500,
 * {@code /moved} 302, {@code /slow} 200 after {@link #SLOW_MS}, {@code /switch} whatever {@link #status}
 * holds; each remembers the last Authorization header and query it got.
 */
final class LoopbackServers {
    static final long SLOW_MS = 2500;

    /** One server; {@code base} is its http(s)://host:port. */
    record Server(HttpServer http, String base, AtomicInteger status, AtomicReference<String> lastAuthorization,
                  AtomicReference<String> lastQuery) implements AutoCloseable {
        @Override
        public void close() {
            http.stop(0);
        }
    }

    private LoopbackServers() {}

    static Server http() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        return serve(s, "http://127.0.0.1:" + s.getAddress().getPort());
    }

    /** An https server with this certificate, on {@code host} (any 127.x.y.z works on Linux). */
    static Server https(TlsMaterial tls, String host) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", tls.key(), "pw".toCharArray(), tls.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(host, 0), 50);
        s.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return serve(s, "https://" + host + ":" + s.getAddress().getPort());
    }

    /** A loopback port that nothing listens on (it was free a moment ago). */
    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Server serve(HttpServer s, String base) {
        Server server = new Server(s, base, new AtomicInteger(200), new AtomicReference<>(), new AtomicReference<>());
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/", ex -> {
            server.lastAuthorization().set(ex.getRequestHeaders().getFirst("Authorization"));
            server.lastQuery().set(ex.getRequestURI().getRawQuery());
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/ok", "/health" -> answer(ex, 200);
                case "/fail" -> answer(ex, 500);
                case "/moved" -> {
                    ex.getResponseHeaders().set("Location", "/elsewhere");
                    answer(ex, 302);
                }
                case "/slow" -> {
                    try {
                        Thread.sleep(SLOW_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    answer(ex, 200);
                }
                case "/switch" -> answer(ex, server.status().get());
                default -> answer(ex, 404);
            }
        });
        s.start();
        return server;
    }

    private static void answer(HttpExchange ex, int status) throws IOException {
        byte[] body = ("status " + status).getBytes();
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }
}
