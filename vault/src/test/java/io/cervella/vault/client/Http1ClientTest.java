package io.cervella.vault.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sync client's HTTP/1.1 against a socket that answers with hand-written responses: the framings
 * a server may choose, kept-open connections, the retry on a connection the server closed meanwhile
 * (and none for a request that is not repeatable), and what it refuses.
 */
class Http1ClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private ServerSocket server;

    /** Serves each connection: {@code answer} gets (connection number, request number on it) and returns raw bytes, or null to close. */
    private URI serve(BiFunction<Integer, Integer, String> answer) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int connection = connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> handle(s, connection, answer));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void handle(Socket s, int connection, BiFunction<Integer, Integer, String> answer) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            for (int n = 1; ; n++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                requests.add(head + "\r\n\r\n" + body);
                String reply = answer.apply(connection, n);
                if (reply == null) {
                    return;
                }
                out.write(reply.getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (reply.contains("Connection: close") && !reply.contains("Content-Length")) {
                    return; // the body ends with the connection
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                String s = head.toString(StandardCharsets.ISO_8859_1);
                return s.substring(0, s.length() - 4);
            }
        }
        return null;
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String text(Http1Connection.Response r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void readsEachFramingAndKeepsTheConnectionOpen() throws IOException {
        URI base = serve((connection, n) -> connection == 3 ? "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end" : switch (n) {
            case 1 -> ok("by length");
            case 2 -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nby \r\n7\r\nchunks!\r\n0\r\nX-Trailer: t\r\n\r\n";
            case 3 -> "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nafter";
            case 4 -> "HTTP/1.1 204 No Content\r\n\r\n";
            default -> "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 4\r\n\r\nlast";
        });
        try (Http1Client client = new Http1Client(base, null)) {
            byte[] body = "0123456789".getBytes(StandardCharsets.UTF_8);
            Http1Connection.Response first = client.send("POST", "/p?q=1", List.of("Authorization", "Bearer k"), body, 4, TIMEOUT, true);
            assertThat(first.status()).isEqualTo(200);
            assertThat(text(first)).isEqualTo("by length");
            assertThat(text(client.send("GET", "/c", List.of(), null, 0, TIMEOUT, true))).isEqualTo("by chunks!");
            Http1Connection.Response third = client.send("GET", "/x", List.of(), null, 0, TIMEOUT, true);
            assertThat(third.status()).as("the 100 is skipped").isEqualTo(201);
            assertThat(third.headers()).containsEntry("x-a", "1, 2");
            assertThat(text(third)).isEqualTo("after");
            assertThat(client.send("DELETE", "/d", List.of(), null, 0, TIMEOUT, true).body()).isEmpty();
            // a length, and a close among the Connection tokens: the server keeps the socket open, the client leaves it
            assertThat(text(client.send("GET", "/e", List.of(), null, 0, TIMEOUT, true))).isEqualTo("last");
            assertThat(connections.get()).as("one connection for all five").isEqualTo(1);
            assertThat(text(client.send("GET", "/f", List.of(), null, 0, TIMEOUT, true))).isEqualTo("by length");
            assertThat(connections.get()).as("told to close: a new one").isEqualTo(2);
        }
        try (Http1Client other = new Http1Client(base, null)) {
            assertThat(text(other.send("GET", "/h", List.of(), null, 0, TIMEOUT, true))).as("no length: the body ends with the connection")
                    .isEqualTo("until the end");
        }
        assertThat(requests.getFirst()).startsWith("POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\n")
                .contains("Authorization: Bearer k\r\n", "Content-Length: 4\r\n").endsWith("\r\n\r\n0123");
    }

    @Test
    void aRepeatableRequestIsSentAgainWhenAKeptConnectionWasClosed() throws IOException {
        // the first connection answers once, then closes without answering: a server's idle timeout
        URI base = serve((connection, n) -> connection == 1 && n == 2 ? null : ok("c" + connection));
        try (Http1Client client = new Http1Client(base, null)) {
            assertThat(text(client.send("GET", "/a", List.of(), null, 0, TIMEOUT, true))).isEqualTo("c1");
            assertThat(text(client.send("POST", "/chunks", List.of(), new byte[3], 3, TIMEOUT, true))).isEqualTo("c2");
        }
        assertThat(requests).hasSize(3);
    }

    @Test
    void aRequestThatIsNotRepeatableIsNotSentTwice() throws IOException {
        URI base = serve((connection, n) -> connection == 1 && n == 2 ? null : ok("c" + connection));
        try (Http1Client client = new Http1Client(base, null)) {
            client.send("GET", "/a", List.of(), null, 0, TIMEOUT, true);
            assertThatThrownBy(() -> client.send("POST", "/commit", List.of(), new byte[1], 1, TIMEOUT, false))
                    .isInstanceOf(IOException.class).hasMessageContaining("closed the connection without an answer");
        }
        assertThat(requests).hasSize(2);
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void aKeptConnectionThatTheServerAnsweredUnaskedIsNotUsed() throws Exception {
        // a proxy's 408 on an idle connection, just before it closes it: not the answer to the next request
        URI base = serve((connection, n) -> connection == 1 && n == 1
                ? ok("c1") + "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n" : ok("c" + connection));
        try (Http1Client client = new Http1Client(base, null)) {
            assertThat(text(client.send("GET", "/a", List.of(), null, 0, TIMEOUT, true))).isEqualTo("c1");
            Thread.sleep(Http1Client.QUIET_REUSE.toMillis() + 200);
            assertThat(text(client.send("POST", "/commit", List.of(), new byte[1], 1, TIMEOUT, false))).isEqualTo("c2");
        }
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void overTlsTheServersNameIsChecked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tls) throws Exception {
        io.cervella.core.tls.LocalCertificateAuthority ca = new io.cervella.core.tls.LocalCertificateAuthority(tls, java.time.Clock.systemUTC());
        io.cervella.core.tls.TlsMaterial material = ca.ensure(java.util.Set.of("localhost"));
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(io.cervella.core.tls.TlsContexts.keyStore(java.util.Map.of("server", material)),
                io.cervella.core.tls.TlsContexts.IN_MEMORY_PASSWORD.toCharArray());
        javax.net.ssl.SSLContext serverContext = javax.net.ssl.SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        server = serverContext.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> handle(s, connections.incrementAndGet(), (c, n) -> ok("secret")));
                } catch (IOException e) {
                    return;
                }
            }
        });
        javax.net.ssl.SSLContext trusting = io.cervella.core.tls.TlsContexts.clientTrusting(ca.caCertificateFile());
        int port = server.getLocalPort();
        try (Http1Client byName = new Http1Client(URI.create("https://localhost:" + port), trusting)) {
            assertThat(text(byName.send("GET", "/", List.of(), null, 0, TIMEOUT, true))).isEqualTo("secret");
        }
        try (Http1Client byAddress = new Http1Client(URI.create("https://127.0.0.1:" + port), trusting)) {
            assertThatThrownBy(() -> byAddress.send("GET", "/", List.of(), null, 0, TIMEOUT, true))
                    .as("the certificate names localhost only").isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
        try (Http1Client untrusting = new Http1Client(URI.create("https://localhost:" + port), null)) {
            assertThatThrownBy(() -> untrusting.send("GET", "/", List.of(), null, 0, TIMEOUT, true))
                    .as("a CA the system does not know").hasMessageContaining("PKIX");
        }
        assertThat(requests).hasSize(1);
    }

    @Test
    void refusesWhatItCannotTrust() throws IOException {
        URI base = serve((connection, n) -> switch (connection) {
            case 1 -> "SSH-2.0-OpenSSH\r\n\r\n";
            case 2 -> "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
            case 3 -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
            default -> "HTTP/1.1 200 OK\r\nContent-Length: " + (Http1Connection.MAX_RESPONSE_BYTES + 1L) + "\r\n\r\n";
        });
        try (Http1Client client = new Http1Client(base, null)) {
            assertThatThrownBy(() -> client.send("GET", "/", List.of(), null, 0, TIMEOUT, true))
                    .hasMessageContaining("not an HTTP/1.1 answer");
            // a body shorter than its length: the read waits, and gives up at the timeout
            assertThatThrownBy(() -> client.send("GET", "/", List.of(), null, 0, Duration.ofSeconds(1), true))
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            assertThatThrownBy(() -> client.send("GET", "/", List.of(), null, 0, TIMEOUT, true))
                    .hasMessageContaining("malformed chunk size");
            assertThatThrownBy(() -> client.send("GET", "/", List.of(), null, 0, TIMEOUT, true))
                    .hasMessageContaining("more than this client reads");
            assertThatThrownBy(() -> client.send("GET", "/", List.of("Authorization", "Bearer k\r\nX-Evil: 1"), null, 0, TIMEOUT, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        }
        assertThat(requests).noneMatch(r -> r.contains("X-Evil"));
    }
}
