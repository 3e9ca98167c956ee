package io.cervella.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.cervella.core.tls.LocalCertificateAuthority;
import io.cervella.core.tls.TlsMaterial;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upstream over https is verified: against the app's ca_file, or the system's CAs (which do not know a private CA). */
class HttpsUpstreamTest {
    @TempDir Path dir;

    @Test
    void anHttpsUpstreamIsTrustedThroughItsCaFileOnly() throws Exception {
        LocalCertificateAuthority ca = new LocalCertificateAuthority(dir.resolve("ca"), Clock.systemUTC());
        TlsMaterial tls = ca.ensure(LocalCertificateAuthority.defaultNames(List.of()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("up", tls.key(), "pw".toCharArray(), tls.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer up = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        up.setHttpsConfigurator(new HttpsConfigurator(ssl));
        up.createContext("/", ex -> {
            byte[] b = "secure upstream".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        up.start();
        String url = "https://localhost:" + up.getAddress().getPort();
        try (EdgeUnderTest e = new EdgeUnderTest("apps:\n"
                + "  - {name: trusted, auth: none, ca_file: '" + ca.caCertificateFile() + "', health_check: {path: /h}, upstreams: [{url: '" + url + "'}]}\n"
                + "  - {name: system, auth: none, retries: 0, health_check: {path: /h}, upstreams: [{url: '" + url + "'}]}\n", dir)) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(e.url("/apps/trusted/"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("secure upstream", ok.body());
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(e.url("/apps/system/"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(502, refused.statusCode(), "a certificate the system does not trust is refused: " + refused.body());
        } finally {
            up.stop(0);
        }
    }
}
