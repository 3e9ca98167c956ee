package io.cervella.app.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header timeout covers the TLS handshake: a socket that never finishes it is closed. */
class SlowHandshakeTest {
    @TempDir Path dir;

    @Test
    void socketsThatDoNotFinishTheirHandshakeAreClosed() throws Exception {
        try (RunningPlatform p = RunningPlatform.start(dir, "edge: {limits: {header_timeout_seconds: 1}}\n")) {
            int port = p.platform().port();
            try (Socket silent = new Socket("127.0.0.1", port); Socket trickle = new Socket("127.0.0.1", port)) {
                silent.setSoTimeout(8_000);
                trickle.setSoTimeout(8_000);
                trickle.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello, then nothing
                long start = System.nanoTime();
                for (Socket s : new Socket[] {silent, trickle}) {
                    try (InputStream in = s.getInputStream()) {
                        in.readAllBytes(); // returns when the server closes
                    } catch (java.net.SocketException reset) {
                        // closed as well
                    }
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(ms).as("closed by the header timeout, not the 120 s idle timeout").isLessThan(5_000);
            }
            assertThat(p.get("/healthz", null).statusCode()).isEqualTo(200);
        }
    }
}
