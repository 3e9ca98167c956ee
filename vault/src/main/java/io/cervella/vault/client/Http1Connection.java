package io.cervella.vault.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 connection to the server, over TLS for {@code https} (hostname checked), kept open
 * between requests. A request body is written straight from the caller's array into the socket, and
 * a response is read into one array: the sync moves a gigabyte in a few hundred requests, and the
 * JDK's asynchronous client spent more CPU copying and scheduling than TLS did.
 */
final class Http1Connection implements AutoCloseable {
    /** Answers larger than this are refused rather than read into memory. */
    static final int MAX_RESPONSE_BYTES = 512 * 1024 * 1024;
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_HEADERS = 200;

    /** A response: status, headers (names in lower case), the whole body. */
    record Response(int status, Map<String, String> headers, byte[] body) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String hostHeader;
    private boolean reusable = true;
    private volatile boolean responseStarted;
    private volatile boolean timedOut;
    private long idleSinceNanos = System.nanoTime();

    private Http1Connection(Socket socket, String hostHeader) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
        this.hostHeader = hostHeader;
    }

    static Http1Connection open(URI base, SSLContext ssl, Duration connectTimeout) throws IOException {
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        String host = base.getHost();
        if (host == null) {
            throw new IOException(base + ": no host in the URL");
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
        Socket raw = new Socket();
        try {
            raw.setTcpNoDelay(true);
            raw.connect(new InetSocketAddress(bare, port), (int) connectTimeout.toMillis());
            Socket s = raw;
            if (tls) {
                SSLContext context = ssl != null ? ssl : SSLContext.getDefault();
                SSLSocket t = (SSLSocket) context.getSocketFactory().createSocket(raw, bare, port, true);
                SSLParameters p = t.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                t.setSSLParameters(p);
                t.setSoTimeout((int) connectTimeout.toMillis());
                t.startHandshake();
                s = t;
            }
            return new Http1Connection(s, base.getPort() != -1 ? host + ":" + port : host);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        } catch (NoSuchAlgorithmException e) {
            raw.close();
            throw new IOException("no TLS here: " + e.getMessage(), e);
        }
    }

    /** Whether the connection can take another request. */
    boolean reusable() {
        return reusable && !socket.isClosed();
    }

    /** Whether any byte of the current response arrived (a request on a stale connection fails before). */
    boolean responseStarted() {
        return responseStarted;
    }

    /** Closes the connection because its exchange ran past its deadline (from another thread). */
    void expire() {
        timedOut = true;
        close();
    }

    boolean timedOut() {
        return timedOut;
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    /**
     * Sends one request (the first {@code bodyLength} bytes of {@code body} as its body) and reads its
     * whole response. {@code headers} alternate name and value, without line breaks (they would split
     * the request).
     */
    Response exchange(String method, String target, List<String> headers, byte[] body, int bodyLength, Duration timeout)
            throws IOException {
        responseStarted = false;
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader).append("\r\n");
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a line break in the header " + name);
            }
            head.append(name).append(": ").append(value).append("\r\n");
        }
        if (body != null || method.equals("POST") || method.equals("PUT")) {
            head.append("Content-Length: ").append(body == null ? 0 : bodyLength).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null && bodyLength > 0) {
            out.write(body, 0, bodyLength);
        }
        out.flush();

        String line = readLine();
        int status = statusOf(line);
        while (status / 100 == 1) { // 1xx answers (100 Continue) come before the real one
            readHeaders();
            line = readLine();
            status = statusOf(line);
        }
        Map<String, String> h = readHeaders();
        if (line.startsWith("HTTP/1.0") ? !hasToken(h.get("connection"), "keep-alive") : hasToken(h.get("connection"), "close")) {
            reusable = false;
        }
        byte[] content;
        if (method.equals("HEAD") || status == 204 || status == 304) {
            content = new byte[0];
        } else if (h.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            content = readChunked();
        } else if (h.containsKey("content-length")) {
            long n;
            try {
                n = Long.parseLong(h.get("content-length").trim());
            } catch (NumberFormatException e) {
                throw new IOException("the server sent a bad Content-Length: " + h.get("content-length"));
            }
            if (n < 0 || n > MAX_RESPONSE_BYTES) {
                throw new IOException("the server's answer is " + n + " bytes, more than this client reads");
            }
            content = in.readNBytes((int) n);
            if (content.length != n) {
                throw new EOFException("the connection closed " + content.length + " bytes into an answer of " + n);
            }
        } else {
            reusable = false; // the body ends when the connection does
            content = readToEnd();
        }
        idleSinceNanos = System.nanoTime();
        return new Response(status, h, content);
    }

    private static boolean hasToken(String header, String token) {
        if (header != null) {
            for (String t : header.split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether a kept connection still looks usable: nothing has arrived on it since its last answer (a
     * server's 408 before it closes, say) and it is not closed. Waits a millisecond for the peek.
     */
    boolean healthy() {
        if (!reusable()) {
            return false;
        }
        try {
            if (in.available() > 0) {
                return false;
            }
            socket.setSoTimeout(1);
            in.read();
            return false; // a byte or the end of the stream: either way not a connection to send on
        } catch (java.net.SocketTimeoutException e) {
            return true; // quiet: the usual case
        } catch (IOException e) {
            return false;
        }
    }

    private static int statusOf(String line) throws IOException {
        // HTTP/1.1 200 OK
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.1 answer: " + abbreviate(line));
        }
        try {
            return Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + abbreviate(line));
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        for (int n = 0; ; n++) {
            String line = readLine();
            if (line.isEmpty()) {
                return h;
            }
            if (n >= MAX_HEADERS) {
                throw new IOException("the server sent more than " + MAX_HEADERS + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("a malformed header line: " + abbreviate(line));
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            h.merge(name, value, (a, b) -> a + ", " + b);
        }
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = readLine();
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a malformed chunk size: " + abbreviate(size));
            }
            if (n == 0) {
                readHeaders(); // trailers
                return body.toByteArray();
            }
            if (n < 0 || body.size() + n > MAX_RESPONSE_BYTES) {
                throw new IOException("the server's answer is larger than this client reads");
            }
            byte[] part = in.readNBytes((int) n);
            if (part.length != n) {
                throw new EOFException("the connection closed inside a chunk of the answer");
            }
            body.write(part);
            if (!readLine().isEmpty()) {
                throw new IOException("a chunk of the answer does not end where its size says");
            }
        }
    }

    private byte[] readToEnd() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            if (body.size() + n > MAX_RESPONSE_BYTES) {
                throw new IOException("the server's answer is larger than this client reads");
            }
            body.write(buf, 0, n);
        }
        return body.toByteArray();
    }

    /** A line ended by LF (its CR dropped), in ISO-8859-1. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(line.isEmpty() && !responseStarted
                        ? "the server closed the connection without an answer" : "the connection closed inside the answer's head");
            }
            responseStarted = true;
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("a line of the server's answer is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    @Override
    public void close() {
        reusable = false;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
