package io.cervella.app.vault;

import io.cervella.app.testkit.RunningPlatform;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncProgress;
import io.cervella.vault.client.SyncReport;
import io.cervella.vault.client.VaultClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A device in a test: a folder and its own API key, synced with the real client against a running server. */
final class SyncDevice {
    final String name;
    final Path folder;
    final String key;
    private final VaultClient client;

    SyncDevice(RunningPlatform platform, Path base, String name) throws Exception {
        this.name = name;
        this.folder = Files.createDirectories(base.resolve(name));
        this.key = platform.createKey("{\"name\":\"" + name + "\",\"scopes\":[\"vault\"]}");
        this.client = new VaultClient(platform.baseUrl(), key, platform.sslContext());
    }

    SyncReport sync() throws IOException {
        return new DeviceSync(folder, client, SyncProgress.NONE, false).run();
    }

    SyncReport sync(boolean allowMassDelete) throws IOException {
        return new DeviceSync(folder, client, SyncProgress.NONE, allowMassDelete).run();
    }

    /** Starts --watch on this device's folder; close the watcher to stop it. */
    io.cervella.vault.client.SyncWatcher watch(java.util.List<Exception> errors) throws IOException {
        io.cervella.vault.client.SyncWatcher w = new io.cervella.vault.client.SyncWatcher(
                new DeviceSync(folder, client, SyncProgress.NONE, false), client, java.time.Duration.ofMillis(100));
        Thread.ofVirtual().start(() -> {
            try {
                w.run(r -> { }, errors::add);
            } catch (InterruptedException e) {
                // stopped
            }
        });
        return w;
    }

    VaultClient client() {
        return client;
    }

    void write(String path, String content) throws IOException {
        Path p = folder.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    String read(String path) throws IOException {
        return Files.readString(folder.resolve(path));
    }

    boolean has(String path) {
        return Files.exists(folder.resolve(path));
    }

    /** Every synced file (the client's own folder left out) and its content. */
    Map<String, String> files() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String rel = folder.relativize(p).toString();
                if (!rel.startsWith(".cervella/")) {
                    out.put(rel, new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return out;
    }
}
