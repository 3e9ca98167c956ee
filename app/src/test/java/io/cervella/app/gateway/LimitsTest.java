package io.cervella.app.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-backend concurrency, per-key rate limits and budgets, through the real server. */
class LimitsTest {
    @TempDir Path dir;
    FakeOpenAiServer up;
    RunningPlatform platform;

    private static final String CHAT = "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @AfterEach
    void stop() throws Exception {
        if (platform != null) platform.close();
        if (up != null) up.close();
    }

    private List<HttpResponse<String>> concurrently(int n, String key, String body) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> platform.post("/v1/chat/completions", key, body)));
            }
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }

    @Test
    void aFullBackendAnswers429WithRetryAfterInsteadOfHanging() throws Exception {
        up = new FakeOpenAiServer("up").start();
        up.firstTokenDelayMillis = 500;
        platform = RunningPlatform.start(dir, Yaml.model("max_concurrency: 1\nmax_queue: 0", up.baseUrl()));
        String key = platform.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"]}");

        List<HttpResponse<String>> rs = concurrently(4, key, CHAT);
        List<HttpResponse<String>> refused = rs.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(rs).allMatch(r -> r.statusCode() == 200 || r.statusCode() == 429);
        assertThat(refused).isNotEmpty();
        assertThat(refused.getFirst().headers().firstValue("retry-after")).isPresent();
        assertThat(refused.getFirst().body()).contains("\"code\":\"backends_busy\"");
        assertThat(up.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void aQueueHoldsRequestsUntilASlotIsFree() throws Exception {
        up = new FakeOpenAiServer("up").start();
        up.firstTokenDelayMillis = 100;
        platform = RunningPlatform.start(dir, Yaml.model("max_concurrency: 1\nmax_queue: 10", up.baseUrl()));
        String key = platform.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"]}");
        assertThat(concurrently(4, key, CHAT)).allMatch(r -> r.statusCode() == 200);
        assertThat(up.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void requestsPerMinuteAreEnforced() throws Exception {
        up = new FakeOpenAiServer("up").start();
        platform = RunningPlatform.start(dir, Yaml.model("", up.baseUrl()));
        String key = platform.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"],\"rpm\":3}");
        for (int i = 0; i < 3; i++) {
            assertThat(platform.post("/v1/chat/completions", key, CHAT).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, CHAT);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
        assertThat(RunningPlatform.json(r).path("error").path("code").asString()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void requestsPerMinuteHoldUnder50ConcurrentRequests() throws Exception {
        up = new FakeOpenAiServer("up").start();
        platform = RunningPlatform.start(dir, Yaml.model("", up.baseUrl()));
        String key = platform.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"],\"rpm\":10}");
        List<HttpResponse<String>> rs = concurrently(50, key, CHAT);
        assertThat(rs.stream().filter(r -> r.statusCode() == 200).count()).isEqualTo(10);
        assertThat(rs.stream().filter(r -> r.statusCode() == 429).count()).isEqualTo(40);
        assertThat(up.chatRequests.get()).isEqualTo(10);
    }

    @Test
    void tokensPerMinuteAreEnforced() throws Exception {
        up = new FakeOpenAiServer("up").start();
        platform = RunningPlatform.start(dir, Yaml.model("", up.baseUrl()));
        // The test upstream reports 11 prompt + 3 completion tokens per answer: 14 a request.
        String key = platform.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"],\"tpm\":30}");
        assertThat(platform.post("/v1/chat/completions", key, CHAT).statusCode()).isEqualTo(200);
        assertThat(platform.post("/v1/chat/completions", key, CHAT).statusCode()).isEqualTo(200);
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, CHAT);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(RunningPlatform.json(r).path("error").path("code").asString()).isEqualTo("token_rate_limit_exceeded");
    }

    /**
     * 50 concurrent requests on a key whose budget covers a handful: some are refused with 402, and
     * what the ledger charged exceeds the budget by at most one request's cost.
     */
    @Test
    void aBudgetHoldsUnder50ConcurrentRequests() throws Exception {
        up = new FakeOpenAiServer("up").start();
        up.firstTokenDelayMillis = 20;
        // 3600 USD per hour = 1 USD per busy second: a request of ~20 ms costs ~0.02 USD.
        platform = RunningPlatform.start(dir, Yaml.model("cost_per_hour_usd: 3600", up.baseUrl()));
        double budget = 0.1;
        String key = platform.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"],\"budget_usd\":" + budget + "}");

        List<HttpResponse<String>> rs = concurrently(50, key, CHAT);
        long ok = rs.stream().filter(r -> r.statusCode() == 200).count();
        long refused = rs.stream().filter(r -> r.statusCode() == 402).count();
        assertThat(ok + refused).isEqualTo(50);
        assertThat(ok).isGreaterThan(0);
        assertThat(refused).isGreaterThan(0);
        HttpResponse<String> r402 = rs.stream().filter(r -> r.statusCode() == 402).findFirst().orElseThrow();
        assertThat(RunningPlatform.json(r402).path("error").path("code").asString()).isEqualTo("budget_exceeded");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cervella.db"));
             PreparedStatement q = c.prepareStatement(
                     "SELECT SUM(cost_usd), MAX(cost_usd), COUNT(*) FROM usage_events WHERE key_id = ? AND status = 200")) {
            q.setString(1, key.substring(3, 15));
            try (ResultSet rsq = q.executeQuery()) {
                rsq.next();
                double spent = rsq.getDouble(1);
                double largest = rsq.getDouble(2);
                assertThat(rsq.getLong(3)).isEqualTo(ok);
                assertThat(spent).isGreaterThanOrEqualTo(budget - largest);
                assertThat(spent).isLessThanOrEqualTo(budget + largest + 1e-9);
            }
        }
    }
}
