package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.testkit.RunningPlatform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener speaks only TLS 1.2/1.3 with modern suites, HTTP/2 and HTTP/1.1 over ALPN. */
class TlsListenerTest {
    @TempDir static Path dir;
    static RunningPlatform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = RunningPlatform.start(dir, "");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private SSLSocket connect(String protocol, String... suites) throws IOException {
        SSLSocket s = (SSLSocket) platform.sslContext().getSocketFactory().createSocket("localhost", platform.platform().port());
        s.setEnabledProtocols(new String[] {protocol});
        if (suites.length > 0) {
            s.setEnabledCipherSuites(suites);
        }
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void tls13AndTls12WithForwardSecrecyAreAccepted() throws Exception {
        try (SSLSocket s = connect("TLSv1.3")) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        try (SSLSocket s = connect("TLSv1.2")) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").contains("_GCM_");
        }
    }

    @Test
    void weakSuitesAreRefused() throws Exception {
        try (SSLSocket s = connect("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")) {
            assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        }
    }

    @Test
    void plainHttpGetsNoAnswer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", platform.platform().port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] answer = in.readNBytes(64);
            assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotContain("\"status\":\"ok\"");
        } catch (IOException expected) {
            // a reset connection is the other acceptable answer
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefused() {
        assertThatThrownBy(() -> {
            var http = java.net.http.HttpClient.newHttpClient();
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + "/healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void http2IsNegotiated() throws Exception {
        var r = platform.get("/healthz", null);
        assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    }
}
