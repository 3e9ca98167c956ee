package io.cervella.app.server;

import io.cervella.core.config.ServerConfig;
import io.cervella.core.tls.TlsContexts;
import io.cervella.core.tls.TlsMaterial;
import io.cervella.edge.tls.HttpsRedirect;
import io.cervella.edge.tls.PlatformCertificate;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The one HTTPS listener: TLS 1.2/1.3 with ALPN (HTTP/2 and HTTP/1.1), requests on virtual threads,
 * and a graceful stop that lets in-flight requests finish within the shutdown timeout. With the edge:
 * per-host certificates by SNI, and an optional plain-HTTP port that only redirects to HTTPS.
 */
public final class HttpsServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final ServerConnector redirectConnector;

    public HttpsServer(ServerConfig config, TlsMaterial tls, Handler handler) throws Exception {
        this(config, PlatformCertificate.fixed(tls), handler, null);
    }

    /** With the edge in front of {@code api}: its limits on the listener, its handler before the API's. */
    public HttpsServer(ServerConfig config, PlatformCertificate tls, Handler api, io.cervella.edge.Edge edge) throws Exception {
        server = new Server(new ServerThreads());

        HttpConfiguration http = new HttpConfiguration();
        http.setSecureScheme("https");
        http.setSecurePort(config.port());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients may reach us by IP or by a name outside the certificate (a load balancer's): allow it.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        if (edge != null) {
            edge.configure(http);
        }

        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        h1.setUseInputDirectByteBuffers(false);
        h1.setUseOutputDirectByteBuffers(false);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(h1.getProtocol());
        SslContextFactory.Server tlsContext = edge != null ? edge.tls(tls) : TlsContexts.server(tls.material());
        SslConnectionFactory ssl = new SslConnectionFactory(tlsContext, alpn.getProtocol());
        ssl.setDirectBuffersForDecryption(false);
        ssl.setDirectBuffersForEncryption(false);

        connector = new ServerConnector(server, ssl, alpn, h2, h1);
        connector.setHost(config.bind());
        connector.setPort(config.port());
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        Integer redirectPort = edge != null ? edge.httpRedirectPort() : null;
        redirectConnector = redirectPort == null ? null : plainHttpConnector(config.bind(), redirectPort, edge);

        Handler handler = api;
        if (edge != null) {
            if (redirectConnector != null) {
                edge.attach(server, connector, redirectConnector);
                handler = new HttpsRedirect(redirectConnector, this::port, edge.handler(api));
            } else {
                edge.attach(server, connector);
                handler = edge.handler(api);
            }
        }
        server.setHandler(new GracefulHandler(handler));
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(config.shutdownTimeoutSeconds() * 1000L);
    }

    /** Plain HTTP/1.1 on the HTTPS listener's address, answered only with redirects to HTTPS. */
    private ServerConnector plainHttpConnector(String bind, int port, io.cervella.edge.Edge edge) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        edge.configure(http);
        ServerConnector plain = new ServerConnector(server, new HttpConnectionFactory(http));
        plain.setHost(bind);
        plain.setPort(port);
        plain.setIdleTimeout(30_000);
        server.addConnector(plain);
        return plain;
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The plain-HTTP redirect port actually bound, or -1 when there is none. */
    public int redirectPort() {
        return redirectConnector == null ? -1 : redirectConnector.getLocalPort();
    }

    /** Stops accepting, waits for in-flight requests up to the stop timeout, then closes. */
    @Override
    public void close() throws Exception {
        server.stop();
    }
}
