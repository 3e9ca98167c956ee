package io.cervella.app.ops;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;

/** What the ops tests share: a loopback HTTP server standing for a team's app (and webhook), a backup key, waiting. */
final class OpsTestKit {
    private OpsTestKit() {}

    /** A real HTTP server on loopback ({@code port} 0: any) that reads every request and answers 200. */
    static HttpServer loopbackApp(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s.start();
        return s;
    }

    /** A backup repository key (32 random bytes, base64) in a file, for {@code backup.unlock.key_file}. */
    static Path backupKeyFile(Path dir) throws IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Files.writeString(dir.resolve("backup.key"), Base64.getEncoder().encodeToString(raw));
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls until {@code check} holds; an IOException counts as not yet (a server still starting). */
    static void waitUntil(Check check, String what, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + limit.toSeconds() + " s for " + what);
            }
            Thread.sleep(100);
        }
    }
}
