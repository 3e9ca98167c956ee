package io.cervella.app.testkit;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.app.Platform;
import io.cervella.core.http.Json;
import io.cervella.core.tls.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import tools.jackson.databind.JsonNode;

/**
 * The real platform, started in this JVM on a free loopback port over a temporary data directory,
 * and clients that trust its local CA, as a user's would with --cacert.
 */
public final class RunningPlatform implements AutoCloseable {
    private final Platform platform;
    private final Path data;
    private final X509TrustManager trust;
    private final SSLContext ssl;
    private final HttpClient http;

    private RunningPlatform(Platform platform, Path data, Path trustedCa) throws Exception {
        this.platform = platform;
        this.data = data;
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        X509Certificate ca = PemFiles.readCertificates(trustedCa).getFirst();
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        this.trust = (X509TrustManager) tmf.getTrustManagers()[0];
        this.ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Starts with DATA/cervella.yaml = yaml (port and bind are set here). */
    public static RunningPlatform start(Path data, String yaml) throws Exception {
        return startTrusting(data, yaml, null);
    }

    /** Starts with these environment variables (besides UPSTREAM_KEY). */
    public static RunningPlatform start(Path data, String yaml, Map<String, String> env) throws Exception {
        return start(data, yaml, null, env);
    }

    /** Starts, trusting {@code trustedCa} (the operator's CA) instead of the local one when given. */
    public static RunningPlatform startTrusting(Path data, String yaml, Path trustedCa) throws Exception {
        return start(data, yaml, trustedCa, Map.of());
    }

    private static RunningPlatform start(Path data, String yaml, Path trustedCa, Map<String, String> extraEnv) throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve("cervella.yaml"), yaml);
        CervellaConfig config = CervellaConfig.load(null, data);
        config = config.withServer(config.server().withBind("127.0.0.1").withPort(0));
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("UPSTREAM_KEY", "sk-upstream");
        Platform platform = Platform.start(config, new DataDirectory(data), env::get);
        platform.configSource(() -> CervellaConfig.load(null, data)); // as serve does: reload reads the file again
        try {
            return new RunningPlatform(platform, data, trustedCa != null ? trustedCa : platform.caFile());
        } catch (Exception e) {
            platform.close();
            throw e;
        }
    }

    public Platform platform() { return platform; }

    public Path data() { return data; }

    public String baseUrl() { return "https://localhost:" + platform.port(); }

    public String adminKey() { return platform.adminKey(); }

    public Path caFile() { return platform.caFile(); }

    public SSLContext sslContext() { return ssl; }

    /** An HTTP client that trusts the platform, for requests the helpers here do not make. */
    public HttpClient http() { return http; }

    /** Creates a key through the admin API and returns its plaintext. */
    public String createKey(String json) throws Exception {
        HttpResponse<String> r = post("/admin/keys", adminKey(), json);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("key creation failed: " + r.statusCode() + " " + r.body());
        }
        return Json.MAPPER.readTree(r.body()).path("key").asString();
    }

    public OpenAIClient openai(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl() + "/v1")
                .apiKey(key)
                .sslSocketFactory(ssl.getSocketFactory())
                .trustManager(trust)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    public HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String key, String body) throws IOException, InterruptedException {
        return send(path, key, HttpRequest.BodyPublishers.ofString(body));
    }

    public HttpResponse<String> send(String path, String key, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(body);
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> sendMethod(String method, String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> r) {
        return Json.MAPPER.readTree(r.body());
    }

    @Override
    public void close() {
        platform.close();
    }
}
