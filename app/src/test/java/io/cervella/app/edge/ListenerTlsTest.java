package io.cervella.app.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.tls.PemFiles;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's listener as clients see it: only TLS 1.3 and 1.2 with forward-secret AEAD suites (checked
 * with openssl, as an operator would), the host's certificate by SNI and the platform's otherwise,
 * HSTS on HTTPS answers, and a plain-HTTP port that only redirects.
 */
class ListenerTlsTest {
    @TempDir static Path dir;
    static RunningPlatform platform;
    static X509Certificate platformCertificate;
    static X509Certificate appCertificate;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        TestCa ca = new TestCa("Test operator CA");
        // RSA, unlike the platform's ECDSA certificate: SNI must pick it for every key type the client offers
        TestCa.Issued app = ca.issue("app.test", 4242, "RSA");
        Path cert = dir.resolve("certs/app.pem");
        Path key = dir.resolve("certs/app-key.pem");
        app.writeTo(cert, key, ca.certificate());
        appCertificate = app.certificate();
        platform = RunningPlatform.start(dir.resolve("data"), """
                edge:
                  http_redirect_port: 0
                  certificates:
                    - host: app.test
                      cert_file: %s
                      key_file: %s
                """.formatted(cert, key));
        port = platform.platform().port();
        platformCertificate = PemFiles.readCertificates(dir.resolve("data/tls/server.pem")).getFirst();
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void opensslIsRefusedTls10AndTls11() throws Exception {
        for (String protocol : new String[] {"-tls1", "-tls1_1"}) {
            // SECLEVEL=0: so that openssl itself agrees to offer the old protocol
            OpensslClient.Result r = OpensslClient.connect(port, "localhost", protocol, "-cipher", "DEFAULT:@SECLEVEL=0");
            assertThat(r.refusedByServer()).as("%s:%n%s", protocol, r.output()).isTrue();
        }
    }

    @Test
    void opensslIsRefusedSuitesWithoutForwardSecrecyOrAead() throws Exception {
        // suites for RSA keys are asked of app.test, whose certificate is RSA (the platform's is ECDSA):
        // refused for their key exchange or mode, not for the key
        String[][] refused = {
            {"app.test", "AES128-SHA"}, {"app.test", "AES128-GCM-SHA256"}, {"app.test", "ECDHE-RSA-AES128-SHA"},
            {"app.test", "ECDHE-RSA-AES256-SHA384"}, {"localhost", "ECDHE-ECDSA-AES128-SHA"},
        };
        for (String[] c : refused) {
            OpensslClient.Result r = OpensslClient.connect(port, c[0], "-tls1_2", "-cipher", c[1]);
            assertThat(r.refusedByServer()).as("%s for %s:%n%s", c[1], c[0], r.output()).isTrue();
        }
        for (String suite : new String[] {"RC4-SHA:ECDHE-RSA-RC4-SHA", "DES-CBC3-SHA:ECDHE-ECDSA-DES-CBC3-SHA"}) {
            OpensslClient.Result r = OpensslClient.connect(port, "app.test", "-tls1_2", "-cipher", suite + ":@SECLEVEL=0");
            assertThat(r.refusedByServer() || r.suiteUnknownToClient()).as("%s:%n%s", suite, r.output()).isTrue();
        }
    }

    @Test
    void rc4And3desClientHellosGetAHandshakeFailure() throws Exception {
        // this openssl cannot offer RC4 or 3DES at all, so a hand-made ClientHello offers them
        int[] rc4And3des = {0x0005, 0xc007, 0xc011, 0x000a, 0xc008, 0xc012};
        int[] answer = TlsProbe.answerToClientHello(port, rc4And3des);
        assertThat(answer[0]).as("a TLS alert record").isEqualTo(21);
        assertThat(answer[2]).as("handshake_failure").isEqualTo(40);
        // the same hello with an AEAD suite gets a ServerHello: the refusal above is about the suites
        int[] control = TlsProbe.answerToClientHello(port, 0xc02b);
        assertThat(control[0]).as("a handshake record").isEqualTo(22);
        assertThat(control[1]).as("server_hello").isEqualTo(2);
    }

    @Test
    void opensslConnectsWithTls13AndWithTls12ForwardSecretAead() throws Exception {
        OpensslClient.Result tls13 = OpensslClient.connect(port, "localhost", "-tls1_3");
        assertThat(tls13.established()).as(tls13.output()).isTrue();
        assertThat(tls13.output()).contains("TLSv1.3");
        OpensslClient.Result ecdsa = OpensslClient.connect(port, "localhost", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
        assertThat(ecdsa.established()).as(ecdsa.output()).isTrue();
        assertThat(ecdsa.output()).contains("ECDHE-ECDSA-AES128-GCM-SHA256");
        OpensslClient.Result rsa = OpensslClient.connect(port, "app.test", "-tls1_2",
                "-cipher", "ECDHE-RSA-AES256-GCM-SHA384");
        assertThat(rsa.established()).as(rsa.output()).isTrue();
        assertThat(rsa.output()).contains("CN = app.test");
    }

    @Test
    void sniNameOfAConfiguredHostGetsItsCertificate() throws Exception {
        assertThat(TlsProbe.leaf(port, "app.test")).isEqualTo(appCertificate);
        assertThat(TlsProbe.leaf(port, "APP.test").getSerialNumber()).isEqualTo(BigInteger.valueOf(4242));
        try (SSLSocket tls12 = TlsProbe.connect(port, "app.test", "TLSv1.2")) {
            assertThat(tls12.getSession().getPeerCertificates()[0]).isEqualTo(appCertificate);
            assertThat(tls12.getSession().getCipherSuite()).startsWith("TLS_ECDHE_RSA_").contains("_GCM_");
        }
    }

    @Test
    void unknownSniAndNoSniGetThePlatformCertificate() throws Exception {
        assertThat(TlsProbe.leaf(port, "unknown.test")).isEqualTo(platformCertificate);
        assertThat(TlsProbe.leaf(port, "sub.app.test")).isEqualTo(platformCertificate);
        assertThat(TlsProbe.leaf(port, null)).isEqualTo(platformCertificate);
        try (SSLSocket tls12 = TlsProbe.connect(port, null, "TLSv1.2")) {
            assertThat(tls12.getSession().getPeerCertificates()[0]).isEqualTo(platformCertificate);
        }
    }

    @Test
    void httpsAnswersCarryHsts() throws Exception {
        HttpResponse<String> r = platform.get("/healthz", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000; includeSubDomains");
    }

    @Test
    void plainHttpPortOnlyRedirectsToHttps() throws Exception {
        int redirect = platform.platform().redirectPort();
        assertThat(redirect).isPositive().isNotEqualTo(port);
        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> get = plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + redirect + "/x?y=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(308);
        assertThat(get.headers().firstValue("location")).hasValue("https://127.0.0.1:" + port + "/x?y=1");
        assertThat(get.headers().firstValue("strict-transport-security")).isEmpty();

        // nothing is served in clear text, not even the health check; a name in Host is kept, its port dropped
        HttpResponse<String> health = plain.send(HttpRequest.newBuilder(URI.create("http://localhost:" + redirect + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(308);
        assertThat(health.headers().firstValue("location")).hasValue("https://localhost:" + port + "/healthz");
        assertThat(health.body()).isEmpty();
    }
}
