package io.cervella.app.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.CervellaConfig;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.tls.PemFiles;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates change on disk (a renewal) and new connections get the new ones without a restart,
 * while connections already open go on; a half-written file changes nothing; a reload of the config
 * reads them again and serves new hosts.
 */
class CertificateReloadTest {
    @TempDir Path dir;
    TestCa ca;
    RunningPlatform platform;
    int port;

    @BeforeEach
    void start() throws Exception {
        ca = new TestCa("Test operator CA");
        ca.issue("localhost", 1, "EC").writeTo(file("platform.pem"), file("platform-key.pem"), ca.certificate());
        ca.issue("app.test", 10, "EC").writeTo(file("app.pem"), file("app-key.pem"), ca.certificate());
        Path caFile = file("ca.pem");
        PemFiles.writePublic(caFile, PemFiles.toPem(ca.certificate()));
        platform = RunningPlatform.startTrusting(dir.resolve("data"), config("app.test", "app"), caFile);
        port = platform.platform().port();
    }

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private Path file(String name) {
        return dir.resolve("certs").resolve(name);
    }

    /** The operator's platform certificate and one host certificate, from certs/NAME.pem and certs/NAME-key.pem. */
    private String config(String host, String name) {
        return """
                tls:
                  cert_file: %s
                  key_file: %s
                edge:
                  certificates:
                    - host: %s
                      cert_file: %s
                      key_file: %s
                """.formatted(file("platform.pem"), file("platform-key.pem"), host, file(name + ".pem"),
                file(name + "-key.pem"));
    }

    private BigInteger serial(String sni) throws Exception {
        return TlsProbe.leaf(port, sni).getSerialNumber();
    }

    /** Polls (every 100 ms) until a new connection with this SNI gets the serial, or fails at the deadline. */
    private void awaitSerial(String sni, long serial) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!serial(sni).equals(BigInteger.valueOf(serial))) {
            assertThat(Instant.now()).as("certificate %d served for %s by now", serial, sni).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void newConnectionsGetRenewedCertificatesAndOpenOnesGoOn() throws Exception {
        assertThat(serial("app.test")).isEqualTo(10);
        assertThat(serial(null)).isEqualTo(1);
        assertThat(serial("elsewhere.test")).isEqualTo(1);
        try (SSLSocket open = TlsProbe.connect(port, "app.test", "TLSv1.3")) {
            assertThat(TlsProbe.healthz(open)).startsWith("HTTP/1.1 200");

            // a copy caught half-written cannot be read: the old certificate stays, for longer than
            // the watcher takes to notice (two 1 s polls)
            TestCa.Issued renewed = ca.issue("app.test", 11, "RSA");
            String pem = PemFiles.toPem(renewed.certificate(), ca.certificate());
            Files.writeString(file("app.pem"), pem.substring(0, pem.indexOf("-----END") / 2));
            Instant until = Instant.now().plus(Duration.ofMillis(3500));
            while (Instant.now().isBefore(until)) {
                assertThat(serial("app.test")).isEqualTo(10);
                Thread.sleep(100);
            }

            // the whole renewal (now with an RSA key): served to new connections within seconds
            renewed.writeTo(file("app.pem"), file("app-key.pem"), ca.certificate());
            awaitSerial("app.test", 11);
            X509Certificate leaf = TlsProbe.leaf(port, "app.test");
            assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=app.test").contains("serial 11");
            assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("RSA");

            // the operator's platform certificate (tls.cert_file) is watched as well
            ca.issue("localhost", 2, "EC").writeTo(file("platform.pem"), file("platform-key.pem"), ca.certificate());
            awaitSerial(null, 2);
            assertThat(serial("elsewhere.test")).isEqualTo(2);
            assertThat(serial("app.test")).isEqualTo(11);

            // the connection opened before both reloads still works, with the certificate it began with
            assertThat(TlsProbe.healthz(open)).startsWith("HTTP/1.1 200");
            assertThat(((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber()).isEqualTo(10);
        }
        // and clients trusting the operator's CA (with host name checks) reach the renewed platform certificate
        assertThat(platform.get("/healthz", null).statusCode()).isEqualTo(200);
    }

    @Test
    void configReloadReadsTheCertificatesAndServesNewHosts() throws Exception {
        Path yaml = dir.resolve("data/cervella.yaml");
        platform.platform().configSource(() -> CervellaConfig.load(null, dir.resolve("data")));
        ca.issue("other.test", 20, "EC").writeTo(file("other.pem"), file("other-key.pem"), ca.certificate());

        Files.writeString(yaml, config("other.test", "other"));
        platform.platform().reload();
        assertThat(serial("other.test")).isEqualTo(20);
        assertThat(serial("app.test")).as("no longer configured: the platform's").isEqualTo(1);

        // a reload naming a key that does not belong to the certificate fails and changes nothing
        ca.issue("third.test", 30, "EC").writeTo(file("third.pem"), file("third-key.pem"), ca.certificate());
        Files.copy(file("other-key.pem"), file("third-key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(yaml, config("third.test", "third"));
        assertThatThrownBy(() -> platform.platform().reload()).hasMessageContaining("third-key.pem");
        assertThat(serial("other.test")).isEqualTo(20);
        assertThat(serial("third.test")).isEqualTo(1);
    }
}
