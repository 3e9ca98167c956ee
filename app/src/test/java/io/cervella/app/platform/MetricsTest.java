package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics carries what the issue names: requests by route and status, TTFT, tokens/s, health, queue, cost. */
class MetricsTest {
    @TempDir Path dir;

    @Test
    void gatewayTrafficShowsUpInPrometheusFormat() throws Exception {
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            up.tokenDelayMillis = 5;
            try (RunningPlatform p = RunningPlatform.start(dir, Yaml.model("cost_per_hour_usd: 36", up.baseUrl()))) {
                String key = p.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"]}");
                p.post("/v1/chat/completions", key, "{\"model\":\"baby\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                p.post("/v1/chat/completions", key, "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                p.post("/v1/chat/completions", key, "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

                var r = p.get("/metrics", p.adminKey());
                assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
                String m = r.body();
                String backend = "backend=\"127.0.0.1:" + up.port() + "\"";
                assertThat(m).contains("cervella_http_server_requests_seconds_count{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"} 2");
                assertThat(m).contains("cervella_http_server_requests_seconds_count{method=\"POST\",route=\"/v1/chat/completions\",status=\"404\"} 1");
                assertThat(m).contains("cervella_gateway_ttft_seconds_bucket{" + backend + ",model=\"baby\",le=");
                assertThat(m).contains("cervella_gateway_ttft_seconds_count{" + backend + ",model=\"baby\"} 2");
                assertThat(m).contains("cervella_gateway_tokens_per_second_count{" + backend + ",model=\"baby\"} 1");
                assertThat(m).contains("cervella_gateway_tokens_total{" + backend + ",kind=\"completion\",model=\"baby\"} 8.0");
                assertThat(m).contains("cervella_gateway_cost_usd_total{" + backend + ",model=\"baby\"}");
                assertThat(m).contains("cervella_backend_up{" + backend + ",model=\"baby\"} 1.0");
                assertThat(m).contains("cervella_backend_queue_depth{" + backend + ",model=\"baby\"} 0.0");
                assertThat(m).contains("cervella_backend_in_flight{" + backend + ",model=\"baby\"} 0.0");
                assertThat(m).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
                assertThat(m).doesNotContain(key).doesNotContain(p.adminKey());
            }
        }
    }
}
