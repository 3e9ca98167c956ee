package io.cervella.edge.tls;

import io.cervella.core.tls.TlsMaterial;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The listener's default certificate, served when SNI is absent or names no configured host: the
 * operator's PEM files (read again when they change) or the local CA's certificate (fixed until restart).
 */
public record PlatformCertificate(TlsMaterial material, Path certFile, Path keyFile) {
    public static PlatformCertificate fixed(TlsMaterial material) {
        return new PlatformCertificate(material, null, null);
    }

    /** Reads the operator's files now, so that a bad file stops the start. */
    public static PlatformCertificate fromFiles(Path certFile, Path keyFile) throws IOException {
        return new PlatformCertificate(CertificateFiles.read(certFile, keyFile), certFile, keyFile);
    }

    /** The current material: read from the files again, or the fixed one. */
    TlsMaterial read() throws IOException {
        return certFile == null ? material : CertificateFiles.read(certFile, keyFile);
    }

    /** The files whose changes reload the listener (none for the local CA). */
    List<Path> files() {
        return certFile == null ? List.of() : List.of(certFile, keyFile);
    }
}
