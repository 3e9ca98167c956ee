package io.cervella.app;

import io.cervella.core.keys.NodeToken;
import io.cervella.inference.gateway.Backend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the worker of one embedded backend as a child process ({@code cervella worker}), so that a crash
 * or an out-of-memory in inference never takes the core down. Its output goes to the core's log (the
 * model load is visible there); when it says it is ready, the backend gets its address and a fresh
 * node token; when it dies, the backend is taken out and the worker started again, waiting longer
 * after each failure in a row. Closing stops it.
 */
final class EmbeddedWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWorker.class);
    private static final Pattern READY = Pattern.compile("cervella worker ready on (https://\\S+)");

    private final Backend backend;
    private final Path certFile;
    private final Path keyFile;
    private final Thread supervisor;
    private volatile boolean stopping;
    private volatile Process process;

    EmbeddedWorker(Backend backend, Path certFile, Path keyFile) {
        this.backend = backend;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.supervisor = Thread.ofPlatform().name("worker-supervisor-" + backend.modelName()).daemon().unstarted(this::supervise);
    }

    void start() {
        supervisor.start();
    }

    /** The current worker process, or null between two. */
    Process process() {
        return process;
    }

    private void supervise() {
        long backoffMillis = 1000;
        while (!stopping) {
            long started = System.nanoTime();
            int exit;
            try {
                exit = runOnce();
            } catch (IOException e) {
                LOG.error("worker for model {} could not start: {}", backend.modelName(), e.getMessage());
                exit = -1;
            } catch (InterruptedException e) {
                return;
            }
            backend.detachWorker("worker exited with code " + exit);
            if (stopping) {
                return;
            }
            if ((System.nanoTime() - started) / 1e9 > 60) {
                backoffMillis = 1000; // it ran a good while: this is a new failure, not a crash loop
            }
            LOG.warn("worker for model {} exited with code {}; starting it again in {} ms", backend.modelName(), exit,
                    backoffMillis);
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            backoffMillis = Math.min(30_000, backoffMillis * 2);
        }
    }

    private int runOnce() throws IOException, InterruptedException {
        String token = NodeToken.generate();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker",
                "--model", backend.config().path(), "--name", backend.modelName(),
                "--port", "0", "--bind", "127.0.0.1", "--ctx", Integer.toString(backend.contextTokens()),
                "--tls-cert", certFile.toString(), "--tls-key", keyFile.toString(), "--exit-with-parent"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CERVELLA_NODE_TOKEN", token);
        Process p = pb.start();
        process = p;
        if (stopping) {
            p.destroy(); // close() ran while this one was starting: it saw no process to stop
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                LOG.info("[worker {}] {}", backend.modelName(), line);
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    backend.attachWorker(m.group(1) + "/v1", token);
                }
            }
        }
        int exit = p.waitFor();
        process = null;
        return exit;
    }

    /** Stops the worker: SIGTERM, then, after 10 s, SIGKILL. */
    @Override
    public void close() {
        stopping = true;
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        supervisor.interrupt();
    }
}
