package io.cervella.app.platform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code cervella serve} as a separate process, for signals: SIGTERM and kill -9. */
final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("cervella ready on https://([^:]+):(\\d+)");

    private final Process process;
    private final int port;
    /** What the server printed on its standard output so far (its log lines go to DATA/server-stderr.log). */
    private final List<String> output;
    private final Path data;

    private ServerProcess(Process process, int port, List<String> output, Path data) {
        this.process = process;
        this.port = port;
        this.output = output;
        this.data = data;
    }

    /** Its output and its log so far, for a failing assertion's message. */
    String transcript() {
        String log;
        try {
            log = java.nio.file.Files.readString(data.resolve("server-stderr.log"));
        } catch (IOException e) {
            log = "(no log: " + e.getMessage() + ")";
        }
        synchronized (output) {
            return "stdout:\n" + String.join("\n", output) + "\nlog:\n" + log;
        }
    }

    /** Whether this machine's env(1) can give a child the default SIGHUP action (GNU coreutils 8.31+), as the launcher does. */
    private static final boolean RESTORES_SIGHUP = restoresSighup();

    private static boolean restoresSighup() {
        try {
            return new ProcessBuilder("env", "--default-signal=HUP", "true").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static ServerProcess start(Path data) throws Exception {
        return start(data, java.util.Map.of());
    }

    /** Starts with these environment variables added to this JVM's. */
    static ServerProcess start(Path data, java.util.Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        if (RESTORES_SIGHUP) {
            // a build started under nohup passes SIGHUP on as ignored, and the JVM then never handles it
            command.addAll(List.of("env", "--default-signal=HUP"));
        }
        command.addAll(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "io.cervella.app.Main",
                "serve", "--data", data.toString(), "--port", "0", "--bind", "127.0.0.1"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectError(data.resolve("server-stderr.log").toFile());
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(Integer.parseInt(m.group(2)));
                    }
                }
                ready.completeExceptionally(new IOException("server exited before it was ready: " + lines));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        });
        int port = ready.get(60, TimeUnit.SECONDS);
        return new ServerProcess(p, port, lines, data);
    }

    int port() { return port; }

    String baseUrl() { return "https://localhost:" + port; }

    void sigterm() { process.destroy(); }

    long pid() { return process.pid(); }

    void sigkill() { process.destroyForcibly(); }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("server did not exit within " + seconds + " s");
        }
        return process.exitValue();
    }

    boolean alive() { return process.isAlive(); }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
