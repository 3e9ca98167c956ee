package io.cervella.edge.proxy;

import io.cervella.edge.balance.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * WebSocket through the edge (Jetty's {@link org.eclipse.jetty.proxy.ProxyHandler} drops {@code Upgrade}).
 * An HTTP/1.1 {@code GET} with {@code Upgrade: websocket} goes to an upstream over its own socket (TLS
 * for https upstreams, with the app's trust): the handshake with the path rewritten and the X-Forwarded
 * headers as for any request. A 101 from the upstream goes back to the client and the client's
 * connection becomes a {@link Pipe} to that socket; any other answer is relayed as it is.
 */
final class WebSocketTunnel {
    /** Hop-by-hop headers, never copied across; the handshake sets its own Connection and Upgrade. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade");
    private static final int BUFFER_BYTES = 16 * 1024;
    private static final int MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

    private final HostedApp app;
    private final AppProxy proxy;
    private final Set<Pipe> open = ConcurrentHashMap.newKeySet();

    WebSocketTunnel(HostedApp app, AppProxy proxy) {
        this.app = app;
        this.proxy = proxy;
    }

    /** The request asks for WebSocket (well formed or not: a malformed one gets a clear 400 here). */
    static boolean requested(Request request) {
        return request.getHeaders().contains(HttpHeader.UPGRADE, "websocket");
    }

    boolean handle(Request request, Response response, Callback callback) {
        String problem = problem(request);
        if (problem != null) {
            EdgeErrors.write(request, response, callback, 400, "invalid_websocket_request", problem, 0);
            return true;
        }
        long began = System.nanoTime();
        List<Upstream> tried = new ArrayList<>(2);
        while (true) {
            Upstream upstream = app.choose(tried);
            if (upstream == null) {
                return app.refuseNoUpstream(request, response, callback);
            }
            tried.add(upstream);
            AppProxy.servedBy(request, upstream);
            upstream.started();
            Socket socket = null;
            UpstreamResponse answer = new UpstreamResponse();
            HttpParser parser = new HttpParser(answer, MAX_RESPONSE_HEAD_BYTES);
            ByteBuffer buffer = BufferUtil.allocate(BUFFER_BYTES);
            try {
                socket = connect(upstream);
                socket.getOutputStream().write(handshake(request, upstream));
                socket.getOutputStream().flush();
                readHead(socket.getInputStream(), parser, answer, buffer);
            } catch (IOException e) {
                closeQuietly(socket);
                upstream.finished();
                upstream.breaker().onFailure();
                if (tried.size() <= app.config().retries() && app.hasAlternative(tried)) {
                    app.metrics().retried(upstream);
                    continue; // nothing was sent to the client yet: another upstream may take it
                }
                boolean timedOut = e instanceof SocketTimeoutException;
                int status = timedOut ? 504 : 502;
                app.metrics().exchange(upstream, status, System.nanoTime() - began);
                EdgeErrors.write(request, response, callback, status, timedOut ? "upstream_timeout" : "upstream_failed",
                        "app '" + app.name() + "': its upstream " + (timedOut ? "did not answer in time" : "failed to answer"), 0);
                return true;
            }
            if (answer.status == 101) {
                upstream.breaker().onSuccess();
                app.metrics().exchange(upstream, 101, System.nanoTime() - began);
                switchProtocols(request, response, callback, upstream, socket, answer, buffer);
            } else {
                relay(response, callback, upstream, socket, parser, answer, buffer, began);
            }
            return true;
        }
    }

    /** Why this WebSocket request cannot be tunnelled, or null when it can. */
    private static String problem(Request request) {
        if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_1_1) {
            // HTTP/2 has no Upgrade (RFC 8441's CONNECT is not offered): browsers then use HTTP/1.1
            return "WebSocket through the edge needs HTTP/1.1 (Upgrade: websocket); this request came over "
                    + request.getConnectionMetaData().getProtocol();
        }
        if (!"GET".equals(request.getMethod())) {
            return "a WebSocket handshake is a GET, this was a " + request.getMethod();
        }
        if (!request.getHeaders().contains(HttpHeader.CONNECTION, "upgrade")) {
            // Jetty's HTTP/1.1 parser refuses this one already; kept for any other way in
            return "a WebSocket handshake needs 'Connection: Upgrade'";
        }
        return null;
    }

    private Socket connect(Upstream upstream) throws IOException {
        URI uri = upstream.uri();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String host = hostName(uri);
        var timeouts = app.config().timeouts();
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true); // frames are small and interactive
            plain.connect(new InetSocketAddress(host, port), (int) (timeouts.connectSeconds() * 1000));
            // the handshake's answer may take as long as an ordinary response; the tunnel then waits idle_seconds
            plain.setSoTimeout((int) ((timeouts.responseSeconds() > 0 ? timeouts.responseSeconds() : timeouts.idleSeconds()) * 1000));
            if (!tls) {
                return plain;
            }
            SslContextFactory.Client trust = app.upstreamTls();
            SSLSocket ssl = (SSLSocket) trust.getSslContext().getSocketFactory().createSocket(plain, host, port, true);
            // the app's protocols and host name verification, as its HTTP client has them
            ssl.setSSLParameters(trust.customize(ssl.getSSLParameters()));
            ssl.startHandshake();
            return ssl;
        } catch (IOException | RuntimeException e) {
            closeQuietly(plain);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** The upstream's host without the brackets of an IPv6 literal. */
    private static String hostName(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The client's handshake for the upstream: its path and Host, our X-Forwarded headers, the rest as sent. */
    private byte[] handshake(Request request, Upstream upstream) {
        HttpFields client = request.getHeaders();
        Set<String> named = new java.util.HashSet<>();
        for (String token : client.getCSV(HttpHeader.CONNECTION, false)) {
            named.add(token.toLowerCase(Locale.ROOT)); // headers the client marked as hop-by-hop
        }
        HttpFields.Mutable headers = HttpFields.build();
        for (HttpField f : client) {
            String name = f.getLowerCaseName();
            boolean dropped = HOP_BY_HOP.contains(name) || named.contains(name) || f.getHeader() == HttpHeader.HOST
                    || f.getHeader() == HttpHeader.CONTENT_LENGTH
                    || f.getHeader() == HttpHeader.AUTHORIZATION && app.config().requiresKey(); // our key is for us
            if (!dropped) {
                headers.add(f);
            }
        }
        URI uri = upstream.uri();
        headers.put(HttpHeader.HOST, uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
        headers.put(HttpHeader.CONNECTION, "Upgrade");
        headers.put(HttpHeader.UPGRADE, client.get(HttpHeader.UPGRADE));
        proxy.putForwardedHeaders(request, headers);
        headers.add(HttpHeader.VIA, "1.1 " + proxy.getViaHost());

        StringBuilder head = new StringBuilder(512);
        head.append("GET ").append(proxy.target(request, upstream).getPathQuery()).append(" HTTP/1.1\r\n");
        for (HttpField f : headers) {
            head.append(f.getName()).append(": ").append(f.getValue()).append("\r\n");
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1); // header bytes as Jetty parsed them
    }

    /** Reads up to the end of the upstream's final response head; 1xx other than 101 are skipped. */
    private static void readHead(InputStream in, HttpParser parser, UpstreamResponse answer, ByteBuffer buffer)
            throws IOException {
        while (true) {
            step(in, parser, answer, buffer);
            if (answer.headComplete) {
                if (answer.status >= 200 || answer.status == 101) {
                    return;
                }
                parser.reset(); // 100 Continue, 103 Early Hints: the real answer follows
                answer.reset();
            }
        }
    }

    /** One step of the parser; when it has used up the bytes read so far, the next ones (or their end). */
    private static void step(InputStream in, HttpParser parser, UpstreamResponse answer, ByteBuffer buffer)
            throws IOException {
        boolean stopped = parser.parseNext(buffer);
        answer.check();
        if (stopped) {
            return;
        }
        if (answer.ended) {
            throw new IOException("the upstream closed the connection before the end of its answer");
        }
        if (fill(in, buffer) < 0) {
            answer.ended = true;
            parser.atEOF(); // a body without a length ends with the connection
        }
    }

    /** Appends what the stream has to the buffer (in flush mode); -1 at its end. */
    private static int fill(InputStream in, ByteBuffer buffer) throws IOException {
        buffer.compact();
        int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        if (n > 0) {
            buffer.position(buffer.position() + n);
        }
        buffer.flip();
        return n;
    }

    /** Answers 101 as the upstream did and hands the client's connection to a pipe once it is written. */
    private void switchProtocols(Request request, Response response, Callback callback, Upstream upstream, Socket socket,
                                 UpstreamResponse answer, ByteBuffer afterHead) {
        response.setStatus(101);
        copyResponseHeaders(answer.headers, response);
        EndPoint client = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleMillis = (long) (app.config().timeouts().idleSeconds() * 1000);
        Pipe pipe = new Pipe(client, request.getConnectionMetaData().getConnector().getExecutor(), socket, afterHead,
                idleMillis, app.name(), closed -> {
                    open.remove(closed);
                    upstream.finished();
                });
        open.add(pipe);
        // Jetty swaps the connection in once the response is complete (HttpStream's upgrade attribute)
        request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, pipe);
        response.write(true, null, Callback.from(callback::succeeded, failure -> {
            pipe.abandon();
            callback.failed(failure);
        }));
    }

    /** A refused upgrade (403, 404, a redirect...): the upstream's response, head and body, as an ordinary one. */
    private void relay(Response response, Callback callback, Upstream upstream, Socket socket, HttpParser parser,
                       UpstreamResponse answer, ByteBuffer buffer, long began) {
        int status = answer.status;
        try {
            response.setStatus(status);
            copyResponseHeaders(answer.headers, response);
            InputStream in = socket.getInputStream();
            while (!answer.complete) {
                step(in, parser, answer, buffer);
                if (answer.content != null) {
                    try (Blocker.Callback written = Blocker.callback()) {
                        response.write(false, answer.content, written);
                        written.block();
                    }
                    answer.content = null;
                }
            }
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            if (status == 502 || status == 503 || status == 504) {
                upstream.breaker().onFailure();
            } else {
                upstream.breaker().onSuccess();
            }
        } catch (IOException | RuntimeException e) {
            upstream.breaker().onFailure();
            status = 502;
            callback.failed(e); // the head may be out already: Jetty aborts the response
        } finally {
            closeQuietly(socket);
            upstream.finished();
            app.metrics().exchange(upstream, status, System.nanoTime() - began);
        }
    }

    private static void copyResponseHeaders(HttpFields upstream, Response response) {
        for (HttpField f : upstream) {
            String name = f.getLowerCaseName();
            boolean framing = f.getHeader() == HttpHeader.TRANSFER_ENCODING || name.equals("keep-alive")
                    || name.startsWith("proxy-");
            if (!framing) {
                response.getHeaders().add(f);
            }
        }
    }

    /** Closes every open tunnel (the app is being retired). */
    void closeAll() {
        open.forEach(Pipe::close);
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // already broken: nothing to keep
            }
        }
    }

    /** What Jetty's parser finds in the upstream's answer; each step stops the parser so the caller can act. */
    private static final class UpstreamResponse implements HttpParser.ResponseHandler {
        int status;
        final HttpFields.Mutable headers = HttpFields.build();
        boolean headComplete;
        boolean complete;
        ByteBuffer content;
        HttpException bad;
        boolean earlyEof;
        boolean ended;

        void reset() {
            status = 0;
            headers.clear();
            headComplete = false;
            complete = false;
        }

        void check() throws IOException {
            if (bad != null) {
                throw new IOException("the upstream's answer is not valid HTTP: " + bad.getReason());
            }
            if (earlyEof) {
                throw new IOException("the upstream closed the connection in the middle of its answer");
            }
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.status = status;
        }

        @Override
        public void parsedHeader(HttpField field) {
            headers.add(field);
        }

        @Override
        public boolean headerComplete() {
            headComplete = true;
            return true;
        }

        @Override
        public boolean content(ByteBuffer chunk) {
            content = chunk;
            return true;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            complete = true;
            return true;
        }

        @Override
        public void earlyEOF() {
            earlyEof = true;
        }

        @Override
        public void badMessage(HttpException failure) {
            bad = failure;
        }
    }

    /**
     * After the 101: the client's connection, copied byte for byte to the upstream's socket (here, as
     * Jetty finds bytes to read) and back (on a virtual thread, each write awaited). Either side
     * closing, or both sides quiet for the app's {@code idle_seconds}, closes both.
     */
    static final class Pipe extends AbstractConnection implements Connection.UpgradeTo {
        /** How long the 101 may take to reach the client before the upstream's socket is given up. */
        private static final long HANDOVER_SECONDS = 30;

        private final Socket upstream;
        private final ByteBuffer afterHead;
        private final long idleMillis;
        private final Consumer<Pipe> onClosed;
        private final ByteBuffer fromClient = BufferUtil.allocate(BUFFER_BYTES);
        private final CountDownLatch opened = new CountDownLatch(1);
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile long lastActivity = System.nanoTime();
        private ByteBuffer early;

        Pipe(EndPoint client, Executor executor, Socket upstream, ByteBuffer afterHead, long idleMillis, String app,
             Consumer<Pipe> onClosed) {
            super(client, executor);
            this.upstream = upstream;
            this.afterHead = afterHead;
            this.idleMillis = idleMillis;
            this.onClosed = onClosed;
            Thread.ofVirtual().name("edge-websocket-" + app).start(this::upstreamToClient);
        }

        /** Bytes the client sent right behind its handshake, read by Jetty before the switch. */
        @Override
        public void onUpgradeTo(ByteBuffer buffer) {
            early = BufferUtil.copy(buffer);
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().setIdleTimeout(idleMillis);
            opened.countDown();
            if (early != null) {
                try {
                    toUpstream(early);
                } catch (IOException e) {
                    close();
                    return;
                }
                early = null;
            }
            fillInterested();
        }

        @Override
        public void onFillable() {
            try {
                while (true) {
                    BufferUtil.clear(fromClient);
                    int n = getEndPoint().fill(fromClient);
                    if (n > 0) {
                        toUpstream(fromClient);
                    } else if (n == 0) {
                        fillInterested();
                        return;
                    } else {
                        close(); // the client is gone
                        return;
                    }
                }
            } catch (IOException e) {
                close();
            }
        }

        private void toUpstream(ByteBuffer bytes) throws IOException {
            OutputStream out = upstream.getOutputStream();
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            lastActivity = System.nanoTime();
        }

        private void upstreamToClient() {
            try {
                if (!opened.await(HANDOVER_SECONDS, TimeUnit.SECONDS)) {
                    release(); // the client never got its 101: Jetty did not switch the connection
                    return;
                }
            } catch (InterruptedException e) {
                release();
                return;
            }
            if (released.get()) {
                return;
            }
            try {
                upstream.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleMillis));
                if (afterHead.hasRemaining()) {
                    toClient(afterHead); // frames the upstream sent together with its 101
                }
                InputStream in = upstream.getInputStream();
                byte[] bytes = new byte[BUFFER_BYTES];
                while (true) {
                    int n;
                    try {
                        n = in.read(bytes);
                    } catch (SocketTimeoutException quiet) {
                        if (System.nanoTime() - lastActivity >= TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
                            return; // quiet both ways for idle_seconds
                        }
                        continue; // only this way: the client is still talking
                    }
                    if (n < 0) {
                        return;
                    }
                    toClient(ByteBuffer.wrap(bytes, 0, n));
                }
            } catch (IOException e) {
                // either side broke: both close below
            } finally {
                close();
            }
        }

        private void toClient(ByteBuffer bytes) throws IOException {
            try (Blocker.Callback written = Blocker.callback()) {
                getEndPoint().write(written, bytes);
                written.block();
            }
            lastActivity = System.nanoTime();
        }

        @Override
        public void onFillInterestedFailed(Throwable cause) {
            close();
        }

        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            getEndPoint().close(timeout); // quiet both ways: Jetty's idle time counts reads and writes
            return false;
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            release();
        }

        /** The 101 never reached the client: only the upstream's side is there to close. */
        void abandon() {
            release();
            opened.countDown();
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                closeQuietly(upstream);
                onClosed.accept(this);
            }
        }
    }
}
