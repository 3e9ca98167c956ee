package io.cervella.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificateAuthorityTest {
    @TempDir Path dir;

    @Test
    void firstStartCreatesCaAndServerCertificateWithTheNames() throws Exception {
        var ca = new LocalCertificateAuthority(dir, Clock.systemUTC());
        TlsMaterial m = ca.ensure(LocalCertificateAuthority.defaultNames(List.of("cervella.example.org")));

        X509Certificate leaf = m.leaf();
        assertThat(LocalCertificateAuthority.subjectAltNames(leaf))
                .contains("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "cervella.example.org");
        X509Certificate caCert = PemFiles.readCertificates(ca.caCertificateFile()).getFirst();
        leaf.verify(caCert.getPublicKey());
        assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");

        // A client that trusts only ca.pem accepts the chain.
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", caCert);
        tmf.init(ks);
        ((X509TrustManager) tmf.getTrustManagers()[0]).checkServerTrusted(m.chain().toArray(X509Certificate[]::new), "ECDHE_ECDSA");

        for (String secret : List.of("ca-key.pem", "server-key.pem")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(secret)))).isEqualTo("rw-------");
        }
    }

    @Test
    void laterStartsReuseTheMaterial() throws Exception {
        var ca = new LocalCertificateAuthority(dir, Clock.systemUTC());
        Set<String> names = LocalCertificateAuthority.defaultNames(List.of());
        TlsMaterial first = ca.ensure(names);
        String caPem = Files.readString(ca.caCertificateFile());
        TlsMaterial second = new LocalCertificateAuthority(dir, Clock.systemUTC()).ensure(names);
        assertThat(second.leaf()).isEqualTo(first.leaf());
        assertThat(Files.readString(ca.caCertificateFile())).isEqualTo(caPem);
    }

    @Test
    void newNamesOrNearExpiryIssueANewServerCertificateFromTheSameCa() throws Exception {
        var ca = new LocalCertificateAuthority(dir, Clock.systemUTC());
        TlsMaterial first = ca.ensure(LocalCertificateAuthority.defaultNames(List.of()));
        String caPem = Files.readString(ca.caCertificateFile());

        TlsMaterial renamed = ca.ensure(LocalCertificateAuthority.defaultNames(List.of("api.team.local")));
        assertThat(renamed.leaf()).isNotEqualTo(first.leaf());
        assertThat(LocalCertificateAuthority.subjectAltNames(renamed.leaf())).contains("api.team.local");

        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(380)), ZoneOffset.UTC);
        TlsMaterial renewed = new LocalCertificateAuthority(dir, later)
                .ensure(LocalCertificateAuthority.defaultNames(List.of("api.team.local")));
        assertThat(renewed.leaf()).isNotEqualTo(renamed.leaf());
        assertThat(Files.readString(ca.caCertificateFile())).isEqualTo(caPem);
    }
}
