package io.cervella.app.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request with a body right after start, over HTTP/2: once, the API's blocking read ran on the
 * virtual thread that was reading the connection's frames and waited for ever for its own body.
 * Fifteen fresh platforms (the hang came about one start in twenty).
 */
class BodyRightAfterStartTest {
    @TempDir Path dir;

    @Test
    void aPostRightAfterStartIsAnswered() throws Exception {
        for (int i = 0; i < 15; i++) {
            try (RunningPlatform p = RunningPlatform.start(dir.resolve("d" + i), "")) {
                String key;
                try {
                    key = p.createKey("{\"name\":\"k\",\"scopes\":[\"chat\"]}");
                } catch (java.net.http.HttpTimeoutException e) {
                    java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                            .dumpThreads(dir.resolve("threads-" + i + ".txt").toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                    throw e;
                }
                assertThat(key).startsWith("ck_");
                for (int j = 0; j < 5; j++) {
                    assertThat(p.post("/admin/keys", p.adminKey(), "{\"name\":\"k" + j + "\",\"scopes\":[\"chat\"]}").statusCode()).isEqualTo(201);
                }
            }
        }
    }
}
