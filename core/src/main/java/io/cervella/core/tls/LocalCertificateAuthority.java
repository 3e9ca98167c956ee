package io.cervella.core.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The platform's own CA in DATA/tls: made on first start, reused later. It signs the server
 * certificate, which is issued again when it nears expiry or when the configured names change.
 * Keys are ECDSA P-256; files: ca.pem, ca-key.pem (0600), server.pem (leaf + CA), server-key.pem (0600).
 */
public final class LocalCertificateAuthority {
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Kept under the 398 days that browsers accept for a leaf. */
    static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final Path dir;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public LocalCertificateAuthority(Path tlsDir, Clock clock) {
        this.dir = tlsDir;
        this.clock = clock;
    }

    public Path caCertificateFile() { return dir.resolve("ca.pem"); }
    Path caKeyFile() { return dir.resolve("ca-key.pem"); }
    public Path serverCertificateFile() { return dir.resolve("server.pem"); }
    public Path serverKeyFile() { return dir.resolve("server-key.pem"); }

    /** The SAN set every server certificate carries: localhost, loopback, this host, plus extra names. */
    public static Set<String> defaultNames(Collection<String> extra) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            // No resolvable host name (a container without /etc/hosts entry): the others still work.
        }
        for (String n : extra) {
            names.add(n.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** Creates the CA if missing, then returns a server certificate for {@code names}, reissued if needed. */
    public TlsMaterial ensure(Set<String> names) throws IOException {
        try {
            Files.createDirectories(dir);
            if (!Files.exists(caCertificateFile()) || !Files.exists(caKeyFile())) {
                createCa();
            }
            X509Certificate caCert = PemFiles.readCertificates(caCertificateFile()).getFirst();
            PrivateKey caKey = PemFiles.readPrivateKey(caKeyFile());
            if (Files.exists(serverCertificateFile()) && Files.exists(serverKeyFile())) {
                List<X509Certificate> chain = PemFiles.readCertificates(serverCertificateFile());
                if (stillGood(chain.getFirst(), names, caCert)) {
                    return new TlsMaterial(PemFiles.readPrivateKey(serverKeyFile()), chain);
                }
            }
            return issueServer(caCert, caKey, names);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create TLS material in " + dir + ": " + e.getMessage(), e);
        }
    }

    private boolean stillGood(X509Certificate leaf, Set<String> names, X509Certificate ca) throws CertificateParsingException {
        Instant renewAt = leaf.getNotAfter().toInstant().minus(RENEW_BEFORE);
        if (!clock.instant().isBefore(renewAt)) {
            return false;
        }
        try {
            leaf.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            return false; // signed by another CA (the CA files were replaced): issue again
        }
        return subjectAltNames(leaf).containsAll(normalized(names));
    }

    static Set<String> subjectAltNames(X509Certificate cert) throws CertificateParsingException {
        Set<String> out = new HashSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                out.add(normalizeName(san.get(1).toString()));
            }
        }
        return out;
    }

    private static Set<String> normalized(Set<String> names) {
        Set<String> out = new HashSet<>();
        names.forEach(n -> out.add(normalizeName(n)));
        return out;
    }

    private static String normalizeName(String name) {
        if (isIpLiteral(name)) {
            try {
                return InetAddress.getByName(name).getHostAddress();
            } catch (IOException e) {
                return name;
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static boolean isIpLiteral(String name) {
        return name.contains(":") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private void createCa() throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPair kp = newKeyPair();
        Instant now = clock.instant();
        X500Name subject = new X500Name("CN=Cervella Infra local CA " + now.toEpochMilli() + ",O=Cervella Infra");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_VALIDITY)), subject, kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        X509Certificate cert = sign(b, kp.getPrivate());
        PemFiles.writeSecret(caKeyFile(), PemFiles.toPem(kp.getPrivate()));
        PemFiles.writePublic(caCertificateFile(), PemFiles.toPem(cert));
    }

    private TlsMaterial issueServer(X509Certificate caCert, PrivateKey caKey, Set<String> names)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPair kp = newKeyPair();
        Instant now = clock.instant();
        String cn = names.stream().filter(n -> !isIpLiteral(n)).findFirst().orElse("localhost");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(SERVER_VALIDITY)),
                new X500Name("CN=" + cn + ",O=Cervella Infra"), kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            sans.add(new GeneralName(isIpLiteral(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        X509Certificate cert = sign(b, caKey);
        PemFiles.writeSecret(serverKeyFile(), PemFiles.toPem(kp.getPrivate()));
        PemFiles.writePublic(serverCertificateFile(), PemFiles.toPem(cert, caCert));
        return new TlsMaterial(kp.getPrivate(), List.of(cert, caCert));
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
        return kpg.generateKeyPair();
    }

    private BigInteger serial() {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }
}
