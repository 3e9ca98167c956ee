package io.cervella.ops.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why a probe's request failed, in a few fixed words. Exception messages are never copied: some
 * carry the URL, and so its credentials or query.
 */
final class ProbeErrors {
    private ProbeErrors() {}

    static String describe(Throwable failure, Duration timeout) {
        String seconds = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
        boolean tls = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            switch (t) {
                case HttpConnectTimeoutException e -> { return "connect timed out after " + seconds; }
                case HttpTimeoutException e -> { return "no answer within " + seconds; }
                case TimeoutException e -> { return "no answer within " + seconds; }
                case ConnectException e -> { return "connection refused"; }
                case UnknownHostException e -> { return "unknown host"; }
                case CertificateExpiredException e -> { return "TLS: the certificate has expired"; }
                case CertificateNotYetValidException e -> { return "TLS: the certificate is not valid yet"; }
                case CertPathBuilderException e -> { return "TLS: the certificate is not trusted"; }
                case CertPathValidatorException e -> { return "TLS: the certificate is not trusted"; }
                case java.security.cert.CertificateException e when text(e).contains("subject alternative")
                        || text(e).contains("No name matching") -> { return "TLS: the certificate is not for this host name"; }
                case SSLException e -> tls = true;
                default -> { }
            }
        }
        if (tls) {
            return "TLS handshake failed";
        }
        return failure instanceof IOException ? "connection failed (" + failure.getClass().getSimpleName() + ")"
                : "failed (" + failure.getClass().getSimpleName() + ")";
    }

    private static String text(Throwable t) {
        return t.getMessage() == null ? "" : t.getMessage();
    }
}
