package io.cervella.edge.tls;

import io.cervella.core.tls.TlsContexts;
import io.cervella.edge.config.HostCertificateConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of the listener: the platform's certificate and one per configured host, chosen by SNI, read
 * again when their files change. A reload affects new connections only; open ones keep their session.
 * Files that cannot be read (half-written, mismatched) leave the certificates served as they were.
 */
public final class ListenerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerTls.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final PlatformCertificate platform;
    private final SslContextFactory.Server factory;
    private final FileChangeWatcher watcher;
    private List<HostCertificateConfig> hosts;

    /** Reads every certificate now: a bad file stops the start. */
    public ListenerTls(PlatformCertificate platform, List<HostCertificateConfig> hosts) throws IOException {
        this.platform = platform;
        this.hosts = List.copyOf(hosts);
        ListenerCertificates certificates = ListenerCertificates.read(platform, this.hosts);
        factory = TlsContexts.server(certificates.keyStore());
        factory.setSNISelector(selector(certificates));
        watcher = new FileChangeWatcher(POLL, this::filesChanged);
        watcher.watch(ListenerCertificates.files(platform, this.hosts));
        watcher.start();
    }

    public SslContextFactory.Server factory() {
        return factory;
    }

    /** Reads the certificates of {@code next} without serving them yet; throws, naming the file, if one is bad. */
    public ListenerCertificates read(List<HostCertificateConfig> next) throws IOException {
        return ListenerCertificates.read(platform, next);
    }

    /** Serves {@code certificates} (read from {@code next}) to new connections and watches next's files. */
    public synchronized void use(List<HostCertificateConfig> next, ListenerCertificates certificates) throws Exception {
        hosts = List.copyOf(next);
        watcher.watch(ListenerCertificates.files(platform, hosts));
        swapIn(certificates);
    }

    private synchronized void filesChanged() {
        ListenerCertificates certificates;
        try {
            certificates = ListenerCertificates.read(platform, hosts);
        } catch (IOException | RuntimeException e) {
            LOG.warn("TLS certificates not reloaded, the current ones stay: {}", e.getMessage());
            return;
        }
        try {
            swapIn(certificates);
            LOG.info("TLS certificates reloaded: the platform's and {} per host", hosts.size());
        } catch (Exception e) {
            LOG.warn("TLS certificates not reloaded: {}", e.toString());
        }
    }

    private void swapIn(ListenerCertificates certificates) throws Exception {
        factory.reload(f -> {
            f.setKeyStore(certificates.keyStore());
            ((SslContextFactory.Server) f).setSNISelector(selector(certificates));
        });
    }

    private static HostCertificateSelector selector(ListenerCertificates certificates) {
        return new HostCertificateSelector(certificates.aliasByHost(), ListenerCertificates.DEFAULT_ALIAS);
    }

    @Override
    public void close() {
        watcher.close();
    }
}
