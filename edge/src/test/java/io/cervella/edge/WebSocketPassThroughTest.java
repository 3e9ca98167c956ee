package io.cervella.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.tls.LocalCertificateAuthority;
import io.cervella.core.tls.TlsContexts;
import io.cervella.edge.balance.Upstream;
import io.cervella.edge.config.AppConfig;
import io.cervella.edge.config.EdgeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket through the edge, end to end: the JDK's WebSocket client talks to a plain-HTTP Jetty
 * listener with the edge in front, which tunnels to a small hand-written RFC 6455 echo server
 * (plain and over TLS) that records each handshake and says when its peer went away.
 */
class WebSocketPassThroughTest {
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path data;

    private EchoServer echo;
    private EchoServer secureEcho;
    private Server server;
    private Edge edge;
    private int port;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        echo = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        LocalCertificateAuthority ca = new LocalCertificateAuthority(data.resolve("tls"), Clock.systemUTC());
        SslContextFactory.Server tls = TlsContexts.server(ca.ensure(Set.of("localhost", "127.0.0.1")));
        tls.start();
        secureEcho = new EchoServer(tls.newSslServerSocket(InetAddress.getLoopbackAddress().getHostAddress(), 0, 50));

        String plain = "http://127.0.0.1:" + echo.port();
        EdgeConfig config = new EdgeConfig(List.of(
                app("chat", plain, 30.0, null),
                app("quiet", plain, 0.5, null),
                app("secure", "https://localhost:" + secureEcho.port(), 30.0, ca.caCertificateFile().toString())),
                null, null, null, null, null, null, null, null);
        edge = new Edge(config, data, new SimpleMeterRegistry(), key -> Optional.empty(), null);
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        edge.configure(http);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        edge.attach(server, connector);
        server.setHandler(edge.handler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
        }));
        server.start();
        port = connector.getLocalPort();
    }

    private static AppConfig app(String name, String url, double idleSeconds, String caFile) {
        return new AppConfig(name, null, null, List.of(new AppConfig.UpstreamConfig(url, null)), null,
                new AppConfig.HealthCheckConfig(null, 60.0, null, null, null),
                new AppConfig.TimeoutsConfig(2.0, null, idleSeconds), null, null, "none", null, caFile, null, null);
    }

    @AfterEach
    void stop() throws Exception {
        client.shutdownNow();
        server.stop();
        edge.close();
        echo.close();
        secureEcho.close();
    }

    @Test
    void textMessagesEchoWithThePrefixStrippedAndForwardedHeaders() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/apps/chat/ws?room=7", messages);

        assertThat(messages.next()).as("sent by the upstream together with its 101").isEqualTo("hello");
        ws.sendText("ping", true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("ping");
        ws.sendText("second message", true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("second message");

        Handshake h = echo.handshakes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(h).isNotNull();
        assertThat(h.requestLine()).isEqualTo("GET /ws?room=7 HTTP/1.1");
        assertThat(h.headers()).containsEntry("host", "127.0.0.1:" + echo.port())
                .containsEntry("upgrade", "websocket")
                .containsEntry("x-forwarded-for", "127.0.0.1")
                .containsEntry("x-forwarded-proto", "http")
                .containsEntry("x-forwarded-host", "127.0.0.1:" + port)
                .containsKeys("sec-websocket-key", "sec-websocket-version", "via");
        assertThat(h.headers().get("connection")).containsIgnoringCase("upgrade");
        ws.abort();
    }

    @Test
    void aBinaryMessageOf64KiBEchoesIntact() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/apps/chat/ws", messages);
        assertThat(messages.next()).isEqualTo("hello");

        byte[] payload = new byte[64 * 1024];
        new Random(42).nextBytes(payload);
        ws.sendBinary(ByteBuffer.wrap(payload), true).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(messages.next()).isEqualTo(payload);
        ws.abort();
    }

    @Test
    void closingFromTheClientClosesTheUpstreamSocket() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/apps/chat/ws", messages);
        assertThat(messages.next()).isEqualTo("hello");
        Upstream upstream = upstreamOf("chat");
        assertThat(upstream.inFlight()).as("an open tunnel counts as in flight").isEqualTo(1);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(messages.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream's close frame came back")
                .isEqualTo(WebSocket.NORMAL_CLOSURE);
        // the echo server never closes on its own: the end of its socket is the edge's doing
        assertThat(echo.peerGone.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("eof");
        awaitTrue(() -> upstream.inFlight() == 0, "the tunnel's upstream is no longer in flight");
    }

    @Test
    void aClientThatDropsTheConnectionClosesTheUpstreamSocket() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/apps/chat/ws", messages);
        assertThat(messages.next()).isEqualTo("hello");

        ws.abort();

        assertThat(echo.peerGone.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("eof");
    }

    @Test
    void aTunnelQuietForTheIdleTimeoutIsClosedBothWays() throws Exception {
        Messages messages = new Messages();
        connect("/apps/quiet/ws", messages);
        assertThat(messages.next()).isEqualTo("hello");

        // idle_seconds is 0.5 for this app
        assertThat(echo.peerGone.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("eof");
        assertThat(messages.closed.handle((code, error) -> "closed").get(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("the client's side closed too").isEqualTo("closed");
    }

    @Test
    void anUpstreamThatRefusesTheUpgradeGivesTheClientItsAnswer() throws Exception {
        assertThatThrownBy(() -> connect("/apps/chat/refuse", new Messages()))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((HttpResponse<?>) ((WebSocketHandshakeException) e).getResponse()).statusCode())
                        .isEqualTo(403));

        String answer = rawHandshake("GET", "/apps/chat/refuse", "websocket", "Upgrade");
        assertThat(answer).startsWith("HTTP/1.1 403 ").endsWith("go away");
        Upstream upstream = upstreamOf("chat");
        awaitTrue(() -> upstream.inFlight() == 0, "the relayed answer is complete and its upstream let go");
    }

    @Test
    void aWebSocketRequestThatIsNotAnHttp11GetIsRefusedClearly() throws Exception {
        assertThat(rawHandshake("POST", "/apps/chat/ws", "websocket", "Upgrade")).startsWith("HTTP/1.1 400 ").contains("is a GET");
        assertThat(echo.handshakes).isEmpty();
    }

    @Test
    void headersAreMatchedWhateverTheirCaseAndTheUpstreamsAnswerPassesUnchanged() throws Exception {
        String answer = rawHandshake("GET", "/apps/chat/ws", "WebSocket", "keep-alive, Upgrade");

        assertThat(answer).startsWith("HTTP/1.1 101 ")
                .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"); // RFC 6455's example key
        Handshake h = echo.handshakes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(h.headers()).containsEntry("connection", "Upgrade").containsEntry("upgrade", "WebSocket")
                .containsEntry("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    }

    @Test
    void anHttpsUpstreamIsReachedWithTheAppsTrust() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/apps/secure/ws", messages);

        assertThat(messages.next()).isEqualTo("hello");
        ws.sendText("over tls", true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("over tls");
        Handshake h = secureEcho.handshakes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(h.headers()).containsEntry("host", "localhost:" + secureEcho.port());
        ws.abort();
    }

    private Upstream upstreamOf(String app) {
        return edge.apps().stream().filter(a -> a.name().equals(app)).findFirst().orElseThrow().upstreams().getFirst();
    }

    private WebSocket connect(String path, Messages messages) throws Exception {
        return client.newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(WAIT_SECONDS))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + path), messages).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** A handshake written by hand (the JDK's HTTP client refuses Upgrade headers); returns the whole answer. */
    private String rawHandshake(String method, String path, String upgrade, String connection) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: " + upgrade
                    + "\r\nConnection: " + connection + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the head");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The client's side: whole messages (String or byte[]) as they arrive, and how the socket closed. */
    private static final class Messages implements WebSocket.Listener {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        Object next() throws InterruptedException {
            Object m = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(m).as("a message within " + WAIT_SECONDS + " s").isNotNull();
            return m;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                received.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    record Handshake(String requestLine, Map<String, String> headers) {}

    /**
     * The upstream: RFC 6455 by hand. A handshake to {@code /refuse} gets a 403; one without Upgrade (a
     * health check) a 200; any other a 101 followed at once by a text frame "hello", then every frame
     * is echoed (a close frame too) and the socket stays open until the peer closes it.
     */
    private static final class EchoServer implements AutoCloseable {
        private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
        final BlockingQueue<String> peerGone = new LinkedBlockingQueue<>();
        private final ServerSocket socket;
        private final List<Socket> accepted = new ArrayList<>();

        EchoServer(ServerSocket socket) {
            this.socket = socket;
            Thread.ofVirtual().name("echo-accept").start(this::acceptLoop);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    synchronized (accepted) {
                        accepted.add(s);
                    }
                    Thread.ofVirtual().name("echo-connection").start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String[] lines = readHead(in).split("\r\n");
                Map<String, String> headers = new HashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
                if (!headers.containsKey("upgrade")) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                handshakes.add(new Handshake(lines[0], headers));
                if (lines[0].contains("/refuse")) {
                    out.write(("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\ngo away")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    in.read(); // until the edge lets go
                    return;
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((headers.get("sec-websocket-key") + GUID).getBytes(StandardCharsets.ISO_8859_1)));
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                answer.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                answer.writeBytes(frame(0x81, "hello".getBytes(StandardCharsets.UTF_8)));
                out.write(answer.toByteArray()); // one write: the frame travels with the 101
                out.flush();
                while (true) {
                    int first = in.read();
                    if (first < 0) {
                        peerGone.add("eof");
                        return;
                    }
                    int second = in.read();
                    long length = second & 0x7f;
                    if (length == 126) {
                        length = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
                    } else if (length == 127) {
                        length = ByteBuffer.wrap(in.readNBytes(8)).getLong();
                    }
                    byte[] mask = (second & 0x80) != 0 ? in.readNBytes(4) : null;
                    byte[] payload = in.readNBytes((int) length);
                    for (int i = 0; mask != null && i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    out.write(frame(first, payload));
                    out.flush();
                }
            } catch (IOException e) {
                peerGone.add("error: " + e);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A server frame (never masked) with the given first byte (FIN and opcode). */
        private static byte[] frame(int first, byte[] payload) {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(first);
            if (payload.length < 126) {
                f.write(payload.length);
            } else if (payload.length < 65536) {
                f.write(126);
                f.write(payload.length >> 8);
                f.write(payload.length & 0xff);
            } else {
                f.write(127);
                f.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
            }
            f.writeBytes(payload);
            return f.toByteArray();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}
