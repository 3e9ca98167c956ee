package io.cervella.inference.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Speaks HTTP to OpenAI-compatible servers with Jetty's client (pooled keep-alive connections),
 * behind blocking calls made from virtual threads. Jetty's client costs markedly less CPU per
 * request than java.net.http's, which matters because every gateway request is also a client request.
 */
final class UpstreamClient implements AutoCloseable {
    /** Status and headers of an upstream answer; the body streams from {@code body}. */
    record Answer(int status, String contentType, InputStream body) {}

    /** A non-streamed answer larger than this is refused (a chat completion is kilobytes). */
    private static final int MAX_BUFFERED_ANSWER = 64 * 1024 * 1024;

    private final HttpClient http;
    /** For the core's own workers: trusts only the local CA, which signed their certificates. */
    private final HttpClient internal;

    UpstreamClient(javax.net.ssl.SSLContext internalTrust) {
        this.http = newClient("upstream-client", null);
        this.internal = internalTrust == null ? http : newClient("worker-client", internalTrust);
    }

    private static HttpClient newClient(String name, javax.net.ssl.SSLContext trust) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        HttpClient http = new HttpClient();
        if (trust != null) {
            org.eclipse.jetty.util.ssl.SslContextFactory.Client tls = new org.eclipse.jetty.util.ssl.SslContextFactory.Client();
            tls.setSslContext(trust);
            http.setSslContextFactory(tls);
        }
        http.setExecutor(threads);
        http.setFollowRedirects(false);
        http.setConnectTimeout(5_000);
        // The gateway bounds concurrency per backend itself (max_concurrency, max_queue): the
        // client's own limits must never be the tighter ones.
        http.setMaxConnectionsPerDestination(1024);
        http.setMaxRequestsQueuedPerDestination(4096);
        http.setIdleTimeout(120_000);
        http.setUserAgentField(null);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream HTTP client", e);
        }
        return http;
    }

    /**
     * Sends a request and returns once the response headers are in; the body is left to the caller.
     * The same timeout bounds every silence after that: a stream that stalls fails like one that breaks.
     */
    Answer post(Backend backend, String path, byte[] body, Duration headersTimeout, String cacheNamespace)
            throws IOException, InterruptedException {
        Request req = request(backend, path, body, cacheNamespace).idleTimeout(headersTimeout.toMillis(), TimeUnit.MILLISECONDS);
        InputStreamResponseListener listener = new InputStreamResponseListener();
        req.send(listener);
        Response resp;
        try {
            resp = listener.get(headersTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            req.abort(e);
            throw new Failures.UpstreamTimeout("no response headers within " + headersTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw asIOException(e.getCause());
        }
        return new Answer(resp.getStatus(), resp.getHeaders().get(HttpHeader.CONTENT_TYPE), listener.getInputStream());
    }

    /** A whole (non-streamed) answer: status, content type and body, read by the client's own threads. */
    record BufferedAnswer(int status, String contentType, byte[] body) {}

    /**
     * Sends a request whose answer comes in one piece (a non-streamed completion). The timeout covers
     * the whole answer, which for such requests arrives together with its headers.
     */
    BufferedAnswer postBuffered(Backend backend, String path, byte[] body, Duration timeout, String cacheNamespace)
            throws IOException, InterruptedException {
        Request req = request(backend, path, body, cacheNamespace).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            ContentResponse r = new CompletableResponseListener(req, MAX_BUFFERED_ANSWER).send().get();
            return new BufferedAnswer(r.getStatus(), r.getHeaders().get(HttpHeader.CONTENT_TYPE), r.getContent());
        } catch (ExecutionException e) {
            throw asIOException(e.getCause());
        }
    }

    /**
     * @param cacheNamespace whose prompt cache an embedded worker may reuse for this request (the API
     *                       key's id); other backends are not told
     */
    private Request request(Backend backend, String path, byte[] body, String cacheNamespace) throws IOException {
        return clientFor(backend).newRequest(base(backend) + path)
                .method(HttpMethod.POST)
                .headers(h -> {
                    h.put(HttpHeader.ACCEPT, "application/json, text/event-stream");
                    authorize(backend, h);
                    if (backend.embedded() && cacheNamespace != null) {
                        h.put("X-Cervella-Cache-Namespace", cacheNamespace);
                    }
                })
                .body(new BytesRequestContent("application/json", body));
    }

    int get(Backend backend, String path, Duration timeout) throws IOException, InterruptedException {
        try {
            ContentResponse r = clientFor(backend).newRequest(base(backend) + path)
                    .method(HttpMethod.GET)
                    .headers(h -> authorize(backend, h))
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .send();
            return r.getStatus();
        } catch (TimeoutException e) {
            throw new Failures.UpstreamTimeout("no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw asIOException(e.getCause());
        }
    }

    private HttpClient clientFor(Backend backend) {
        return backend.embedded() ? internal : http;
    }

    /** The backend's URL now; an embedded backend between two workers has none. */
    private static String base(Backend backend) throws IOException {
        String url = backend.url();
        if (url == null) {
            throw new java.net.ConnectException("worker not running");
        }
        return url;
    }

    private static void authorize(Backend backend, org.eclipse.jetty.http.HttpFields.Mutable h) {
        if (backend.apiKey() != null) {
            h.put(HttpHeader.AUTHORIZATION, "Bearer " + backend.apiKey());
        }
    }

    private static IOException asIOException(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof TimeoutException t) {
            return new Failures.UpstreamTimeout(t.getMessage());
        }
        return new IOException(cause);
    }

    @Override
    public void close() {
        for (HttpClient c : new HttpClient[] {http, internal}) {
            try {
                c.stop();
            } catch (Exception ignored) {
                // stopping: nothing left to do with a client that will not stop cleanly
            }
        }
    }
}
