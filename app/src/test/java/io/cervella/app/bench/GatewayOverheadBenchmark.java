package io.cervella.app.bench;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gateway overhead against its anchor, calling the same upstream directly, in one run on one machine:
 * (1) time to first token of a streamed completion, sequentially, direct and through the gateway
 * interleaved request by request; (2) non-streamed requests per second with N concurrent clients.
 * The gateway path includes everything a user gets: TLS, key check, limits, the usage ledger commit.
 * Run: scripts/bench-gateway.sh  (arguments: requests, concurrency, seconds)
 */
public final class GatewayOverheadBenchmark {
    private static final String STREAM = "{\"model\":\"baby\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Ciao, come stai?\"}]}";
    private static final String CHAT = "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"Ciao, come stai?\"}]}";

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path data = Files.createTempDirectory("cervella-bench-");
        try (FakeOpenAiServer up = new FakeOpenAiServer("bench").start();
             RunningPlatform gw = RunningPlatform.start(data, Yaml.model("max_concurrency: 256\nmax_queue: 1024", up.baseUrl()))) {
            up.tokens = 16;
            String key = gw.createKey("{\"name\":\"bench\",\"scopes\":[\"chat\"]}");
            HttpClient client = HttpClient.newBuilder().sslContext(gw.sslContext())
                    .version(HttpClient.Version.HTTP_1_1).build();
            Target direct = new Target("direct", client, up.baseUrl() + "/chat/completions", null, null);
            Target gateway = new Target("gateway", client, gw.baseUrl() + "/v1/chat/completions", key, null);

            // Warm-up: JIT, connection pools, the ledger's SQLite pages.
            for (int i = 0; i < Math.min(2000, requests); i++) {
                direct.ttft();
                gateway.ttft();
            }
            long[] d = new long[requests];
            long[] g = new long[requests];
            for (int i = 0; i < requests; i++) {
                d[i] = direct.ttft();
                g[i] = gateway.ttft();
            }
            Arrays.sort(d);
            Arrays.sort(g);

            // The load generator for throughput is Jetty's client: light, so that it leaves the
            // machine's two cores to what is measured (java.net.http costs several times more per request).
            org.eclipse.jetty.client.HttpClient jetty = loadGenerator(gw, concurrency);
            direct = new Target("direct", client, up.baseUrl() + "/chat/completions", null, jetty);
            gateway = new Target("gateway", client, gw.baseUrl() + "/v1/chat/completions", key, jetty);
            // Throughput, scenario A: an upstream that answers at once (pure proxy cost, the worst case).
            throughput(direct, concurrency, 3);
            throughput(gateway, concurrency, 3);
            double[] instant = rounds(direct, gateway, concurrency, seconds);
            // Scenario B: an upstream that takes 20 ms per answer, as a short completion on a GPU server
            // does at best, with four times the clients.
            up.firstTokenDelayMillis = 20;
            jetty.stop();
            jetty = loadGenerator(gw, concurrency * 4);
            direct = new Target("direct", client, up.baseUrl() + "/chat/completions", null, jetty);
            gateway = new Target("gateway", client, gw.baseUrl() + "/v1/chat/completions", key, jetty);
            double[] slow = rounds(direct, gateway, concurrency * 4, seconds);
            jetty.stop();

            System.out.printf("machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"));
            System.out.printf("streamed TTFT over %d sequential requests each (ms):%n", requests);
            System.out.printf("| path | p50 | p90 | p99 |%n|---|---|---|---|%n");
            System.out.printf("| direct | %.3f | %.3f | %.3f |%n", ms(d, 50), ms(d, 90), ms(d, 99));
            System.out.printf("| gateway | %.3f | %.3f | %.3f |%n", ms(g, 50), ms(g, 90), ms(g, 99));
            System.out.printf("| added by the gateway | %.3f | %.3f | %.3f |%n",
                    ms(g, 50) - ms(d, 50), ms(g, 90) - ms(d, 90), ms(g, 99) - ms(d, 99));
            System.out.printf("non-streamed requests/s, medians of %d alternating rounds of %d s:%n", ROUNDS, seconds);
            System.out.printf("| upstream | clients | direct | gateway | gateway/direct |%n|---|---|---|---|---|%n");
            System.out.printf("| answers at once | %d | %.0f | %.0f | %.2f |%n", concurrency, instant[0], instant[1], instant[2]);
            System.out.printf("| 20 ms per answer | %d | %.0f | %.0f | %.2f |%n", concurrency * 4, slow[0], slow[1], slow[2]);
        }
    }

    private static org.eclipse.jetty.client.HttpClient loadGenerator(RunningPlatform gw, int connections) throws Exception {
        org.eclipse.jetty.client.HttpClient jetty = new org.eclipse.jetty.client.HttpClient();
        jetty.setSslContextFactory(new org.eclipse.jetty.util.ssl.SslContextFactory.Client());
        jetty.getSslContextFactory().setSslContext(gw.sslContext());
        jetty.setMaxConnectionsPerDestination(connections);
        jetty.start();
        return jetty;
    }

    private static final int ROUNDS = 5;

    /** Direct and gateway runs alternated, so that drifts of the machine hit both; medians of each and of the ratios. */
    private static double[] rounds(Target direct, Target gateway, int concurrency, int seconds) throws Exception {
        double[] d = new double[ROUNDS];
        double[] g = new double[ROUNDS];
        double[] ratio = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            d[i] = throughput(direct, concurrency, seconds);
            g[i] = throughput(gateway, concurrency, seconds);
            ratio[i] = g[i] / d[i];
        }
        return new double[] {median(d), median(g), median(ratio)};
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double ms(long[] sorted, int percentile) {
        int i = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static double throughput(Target t, int concurrency, int seconds) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        t.complete();
                        done.increment();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(seconds));
        stop.set(true);
        for (Thread th : threads) {
            th.join();
        }
        return done.sum() / ((System.nanoTime() - t0) / 1e9);
    }

    private record Target(String name, HttpClient client, String url, String key, org.eclipse.jetty.client.HttpClient jetty) {
        private HttpRequest request(String body) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            return b.build();
        }

        /** Nanoseconds from sending the request to reading the first content token. */
        long ttft() throws Exception {
            long t0 = System.nanoTime();
            HttpResponse<InputStream> r = client.send(request(STREAM), HttpResponse.BodyHandlers.ofInputStream());
            long first = -1;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (first < 0 && line.contains("tok0")) {
                        first = System.nanoTime() - t0;
                    }
                }
            }
            if (r.statusCode() != 200 || first < 0) {
                throw new IllegalStateException(name + ": no token (HTTP " + r.statusCode() + ")");
            }
            return first;
        }

        void complete() throws Exception {
            var req = jetty.newRequest(url).method("POST")
                    .body(new org.eclipse.jetty.client.StringRequestContent("application/json", CHAT));
            if (key != null) {
                req.headers(h -> h.put("Authorization", "Bearer " + key));
            }
            var r = req.send();
            if (r.getStatus() != 200) {
                throw new IllegalStateException(name + ": HTTP " + r.getStatus());
            }
        }
    }
}
