package io.cervella.app.edge;

import io.cervella.core.tls.PemFiles;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA, like an operator's, that issues host certificates with serials the tests choose. */
final class TestCa {
    /** An issued certificate and its key, as written to PEM files. */
    record Issued(X509Certificate certificate, PrivateKey key) {
        /** Writes the chain (leaf, then the CA) and the key, each file replaced at once. */
        void writeTo(Path certFile, Path keyFile, X509Certificate ca) throws Exception {
            PemFiles.writePublic(certFile, PemFiles.toPem(certificate, ca));
            PemFiles.writeSecret(keyFile, PemFiles.toPem(key));
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate ca;

    TestCa(String name) throws Exception {
        caKeys = keyPair("EC");
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(2))), subject, caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        ca = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    X509Certificate certificate() {
        return ca;
    }

    /** A server certificate for {@code host} with this serial; {@code keyType} "EC" (P-256) or "RSA" (2048). */
    Issued issue(String host, long serial, String keyType) throws Exception {
        KeyPair keys = keyPair(keyType);
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(serial), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + host + ",OU=serial " + serial), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        return new Issued(cert, keys.getPrivate());
    }

    private static KeyPair keyPair(String type) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(type);
        if (type.equals("EC")) {
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        } else {
            g.initialize(2048, new SecureRandom());
        }
        return g.generateKeyPair();
    }
}
