package io.cervella.app.edge;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Client-side looks at the listener: which certificate a handshake gets, and what a raw ClientHello gets. */
final class TlsProbe {
    private TlsProbe() {}

    /**
     * Opens a connection to 127.0.0.1 sending {@code sni} (null: none, as a client connecting by IP)
     * and finishes the handshake. Any certificate is accepted: the tests assert which one it was.
     */
    static SSLSocket connect(int port, String sni, String protocol, String... suites) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AcceptAny()}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(5000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setProtocols(new String[] {protocol});
        if (suites.length > 0) {
            p.setCipherSuites(suites);
        }
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** The leaf certificate a new TLS 1.3 connection gets with this SNI name. */
    static X509Certificate leaf(int port, String sni) throws Exception {
        try (SSLSocket s = connect(port, sni, "TLSv1.3")) {
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    /** The status line of GET /healthz sent over an open connection (HTTP/1.1: no ALPN was offered); reads the whole answer. */
    static String healthz(SSLSocket s) throws IOException {
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        long length = 0;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String h = header.toLowerCase(java.util.Locale.ROOT);
            if (h.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).strip());
            } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            in.readNBytes((int) length);
            return status;
        }
        for (long size = Long.parseLong(line(in).strip(), 16); size > 0; size = Long.parseLong(line(in).strip(), 16)) {
            in.readNBytes((int) size);
            line(in);
        }
        line(in);
        return status;
    }

    /** One line of an HTTP/1.1 head, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** The first record the server answers a TLS 1.2 ClientHello offering only these suites with: type and two bytes. */
    static int[] answerToClientHello(int port, int... suites) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(clientHello("localhost", suites));
            s.getOutputStream().flush();
            byte[] head = s.getInputStream().readNBytes(7);
            if (head.length < 7) {
                return new int[] {-1, -1, -1};
            }
            // record: type(1) version(2) length(2), then a handshake's type or an alert's level and description
            return new int[] {head[0] & 0xff, head[5] & 0xff, head[6] & 0xff};
        }
    }

    private static byte[] clientHello(String sni, int... suites) throws IOException {
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        DataOutputStream e = new DataOutputStream(ext);
        byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
        e.writeShort(0x0000); // server_name
        e.writeShort(name.length + 5);
        e.writeShort(name.length + 3);
        e.writeByte(0);
        e.writeShort(name.length);
        e.write(name);
        e.writeShort(0x000a); // supported_groups: secp256r1, x25519
        e.writeShort(6);
        e.writeShort(4);
        e.writeShort(0x0017);
        e.writeShort(0x001d);
        e.writeShort(0x000b); // ec_point_formats: uncompressed
        e.writeShort(2);
        e.writeByte(1);
        e.writeByte(0);
        e.writeShort(0x000d); // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
        e.writeShort(8);
        e.writeShort(6);
        e.writeShort(0x0403);
        e.writeShort(0x0804);
        e.writeShort(0x0401);
        e.writeShort(0xff01); // renegotiation_info, empty
        e.writeShort(1);
        e.writeByte(0);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeShort(0x0303); // TLS 1.2
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        b.write(random);
        b.writeByte(0); // no session id
        b.writeShort(suites.length * 2);
        for (int suite : suites) {
            b.writeShort(suite);
        }
        b.writeByte(1); // compression: null only
        b.writeByte(0);
        b.writeShort(ext.size());
        b.write(ext.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        DataOutputStream r = new DataOutputStream(record);
        r.writeByte(22); // handshake
        r.writeShort(0x0301);
        r.writeShort(body.size() + 4);
        r.writeByte(1); // client_hello
        r.writeByte(body.size() >>> 16);
        r.writeShort(body.size() & 0xffff);
        r.write(body.toByteArray());
        return record.toByteArray();
    }

    /** Trusts any server: these probes look at the certificate they get instead. */
    private static final class AcceptAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
