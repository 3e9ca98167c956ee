package io.cervella.app.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.RunningPlatform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosted apps through the real platform: over TLS, behind keys, reloaded from the config file, measured. */
class HostedAppsTest {
    @TempDir Path dir;

    private static String app(String name, UpstreamServer up) {
        return "    - {name: " + name + ", health_check: {path: /health}, upstreams: [{url: " + up.url() + "}]}\n";
    }

    @Test
    void anAppIsServedToKeysWithTheAppsScopeOnly() throws Exception {
        try (UpstreamServer shop = new UpstreamServer("shop");
             RunningPlatform p = RunningPlatform.start(dir, "edge:\n  apps:\n" + app("shop", shop))) {
            String appsKey = p.createKey("{\"name\":\"frontend\",\"scopes\":[\"apps\"]}");
            String chatKey = p.createKey("{\"name\":\"bot\",\"scopes\":[\"chat\"]}");
            HttpResponse<String> ok = p.get("/apps/shop/cart", appsKey);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("shop /cart");
            assertThat(ok.headers().firstValue("Strict-Transport-Security")).hasValueSatisfying(v -> assertThat(v).startsWith("max-age="));
            assertThat(shop.lastAuthorization).isNull();
            assertThat(p.get("/apps/shop/cart", null).statusCode()).isEqualTo(401);
            assertThat(p.get("/apps/shop/cart", chatKey).statusCode()).isEqualTo(403);
            assertThat(p.get("/apps/shop/cart", p.adminKey()).statusCode()).isEqualTo(200);
            assertThat(shop.requests.get()).isEqualTo(2);
            String metrics = p.get("/metrics", p.adminKey()).body();
            assertThat(metrics).contains("cervella_edge_requests_seconds_count{app=\"shop\",status=\"200\",upstream=\"" + shop.url() + "\"} 2");
            assertThat(metrics).contains("cervella_edge_upstream_healthy{app=\"shop\",upstream=\"" + shop.url() + "\"} 1");
        }
    }

    @Test
    void reloadAppliesANewFileAndABadFileChangesNothing() throws Exception {
        try (UpstreamServer shop = new UpstreamServer("shop"); UpstreamServer blog = new UpstreamServer("blog");
             RunningPlatform p = RunningPlatform.start(dir, "edge:\n  apps:\n" + app("shop", shop))) {
            String key = p.createKey("{\"name\":\"frontend\",\"scopes\":[\"apps\"]}");
            assertThat(p.get("/apps/blog/", key).statusCode()).isEqualTo(404);
            Files.writeString(dir.resolve("cervella.yaml"), "edge:\n  apps:\n" + app("shop", shop) + app("blog", blog));
            HttpResponse<String> r = p.post("/admin/reload", p.adminKey(), "{}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(RunningPlatform.json(r).path("apps").toString()).contains("shop", "blog");
            assertThat(p.get("/apps/blog/post", key).body()).isEqualTo("blog /post");

            Files.writeString(dir.resolve("cervella.yaml"), "edge:\n  apps:\n    - {name: Bad Name, upstreams: []}\n");
            HttpResponse<String> bad = p.post("/admin/reload", p.adminKey(), "{}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("invalid_config").contains("name");
            assertThat(p.get("/apps/blog/post", key).body()).as("the old config stays").isEqualTo("blog /post");
            assertThat(p.post("/admin/reload", key, "{}").statusCode()).as("admin only").isEqualTo(403);

            // the CLI says the same through the API
            Files.writeString(dir.resolve("cervella.yaml"), "edge:\n  apps:\n" + app("blog", blog)
                    + "  limits: {max_connections_per_ip: 99}\n");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "reload", "--server", p.baseUrl(),
                    "--key", p.adminKey(), "--cacert", p.caFile().toString());
            assertThat(exit).as(err.toString()).isEqualTo(0);
            assertThat(out.toString()).contains("reloaded: 1 apps (blog)").contains("at the next start: limits");
            assertThat(p.get("/apps/shop/", key).statusCode()).isEqualTo(404);
        }
    }
}
