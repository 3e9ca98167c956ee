package io.cervella.edge.tls;

import io.cervella.core.tls.PemFiles;
import io.cervella.core.tls.TlsMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * Reads a PEM certificate chain and its key, and checks that the key belongs to the leaf: while an
 * operator's tool replaces the two files one after the other, the pair read may not match yet.
 */
final class CertificateFiles {
    /** Signature algorithms to prove the pair with, by key algorithm; others are taken on trust. */
    private static final Map<String, String> PROOF = Map.of(
            "EC", "SHA256withECDSA", "RSA", "SHA256withRSA", "Ed25519", "Ed25519", "EdDSA", "Ed25519", "Ed448", "Ed448");

    private CertificateFiles() {}

    static TlsMaterial read(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemFiles.readCertificates(certFile);
        } catch (IOException e) {
            throw named(certFile, e);
        }
        try {
            key = PemFiles.readPrivateKey(keyFile);
        } catch (IOException e) {
            throw named(keyFile, e);
        }
        if (!belongTogether(key, chain.getFirst())) {
            throw new IOException(keyFile + " is not the key of the certificate in " + certFile);
        }
        return new TlsMaterial(key, chain);
    }

    /** The error with the file's name in front, where the parser left it out (a truncated PEM block). */
    private static IOException named(Path file, IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains(file.toString()) ? e : new IOException(file + ": " + message, e);
    }

    private static boolean belongTogether(PrivateKey key, X509Certificate leaf) {
        String algorithm = PROOF.get(key.getAlgorithm());
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] probe = "cervella key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another type than the certificate's
        }
    }
}
