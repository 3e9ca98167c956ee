package io.cervella.app.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.app.Platform;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.config.ConfigException;
import io.cervella.vault.client.SyncReport;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Bad input at the vault's API and at its start: a clear error each time, and nothing stored is lost. */
class VaultBadInputTest {
    @TempDir Path dir;

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String commitOf(String path, String hash) {
        return "{\"files\":[{\"path\":\"" + path + "\",\"base\":{},\"size\":1,\"content_hash\":\"" + hash
                + "\",\"chunks\":[\"" + hash + "\"]}]}";
    }

    @Test
    void traversalBadNamesAndBadChunksAreRefusedWithAReason() throws Exception {
        try (RunningPlatform platform = RunningPlatform.start(dir.resolve("data"), "", VaultSyncTest.UNLOCK)) {
            String key = platform.createKey("{\"name\":\"laptop\",\"scopes\":[\"vault\"]}");
            byte[] x = {'x'};
            String h = sha256(x);
            assertThat(platform.send("/vault/chunks/" + h, key, HttpRequest.BodyPublishers.ofByteArray(x)).statusCode())
                    .as("POST is not the chunk route's method").isEqualTo(405);
            HttpResponse<String> put = platform.http().send(HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + "/vault/chunks/" + h))
                    .header("Authorization", "Bearer " + key).PUT(HttpRequest.BodyPublishers.ofByteArray(x)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(201);
            for (String bad : List.of("../etc/passwd", "/etc/passwd", "notes/../../x", "a\\\\b", "a\\u0000b", "a//b", "./a",
                    ".Cervella/state.json")) {
                HttpResponse<String> r = platform.post("/vault/commit", key, commitOf(bad, h));
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(RunningPlatform.json(r).path("error").path("code").asString()).as(bad).isEqualTo("invalid_path");
            }
            // a chunk whose bytes are not what its hash says, a broken batch, a commit naming chunks never sent
            HttpResponse<String> lie = platform.http().send(HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + "/vault/chunks/" + h))
                    .header("Authorization", "Bearer " + key).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'y'})).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(lie.statusCode()).isEqualTo(400);
            assertThat(lie.body()).contains("do not hash to");
            HttpResponse<String> cut = platform.http().send(HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + "/vault/chunks"))
                    .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[40])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cut.statusCode()).isEqualTo(400);
            assertThat(cut.body()).contains("malformed");
            // a batch of exactly the body limit is taken; one byte more, sent over HTTP/1.1 without a length
            // (chunked), is refused at the limit with none of it stored
            long limit = RunningPlatform.json(platform.get("/vault/info", key)).path("max_body_bytes").asLong();
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            java.util.Random random = new java.util.Random(5);
            List<String> batched = new java.util.ArrayList<>();
            int frames = (int) ((limit + 256 * 1024 + 35) / (256 * 1024 + 36));
            for (int i = 0; i < frames; i++) {
                long payload = (limit - 36L * frames) / frames;
                byte[] chunk = new byte[(int) (i < frames - 1 ? payload : limit - batch.size() - 36)];
                random.nextBytes(chunk);
                batched.add(sha256(chunk));
                io.cervella.vault.protocol.ChunkFrames.write(batch, sha256(chunk), chunk);
            }
            byte[] exact = batch.toByteArray();
            assertThat(exact.length).isEqualTo((int) limit);
            java.net.http.HttpClient http1 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .sslContext(platform.sslContext()).build();
            byte[] oneMore = java.util.Arrays.copyOf(exact, exact.length + 1);
            HttpResponse<String> over = http1.send(HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + "/vault/chunks"))
                    .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(oneMore))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(over.statusCode()).isEqualTo(413);
            assertThat(RunningPlatform.json(over).path("error").path("code").asString()).isEqualTo("request_too_large");
            assertThat(RunningPlatform.json(platform.post("/vault/chunks/missing", key,
                    "{\"hashes\":[\"" + batched.getFirst() + "\"]}")).path("missing")).hasSize(1);
            HttpResponse<String> fits = http1.send(HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + "/vault/chunks"))
                    .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(exact))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
            assertThat(RunningPlatform.json(fits).path("stored").asInt()).isEqualTo(batched.size());
            String never = sha256(new byte[] {'z'});
            HttpResponse<String> missing = platform.post("/vault/commit", key, commitOf("a.md", never));
            assertThat(missing.statusCode()).isEqualTo(409);
            assertThat(RunningPlatform.json(missing).path("missing").get(0).asString()).isEqualTo(never);

            // names that differ only by case or Unicode form: one file, never two
            assertThat(platform.post("/vault/commit", key, commitOf("Nota.md", h)).statusCode()).isEqualTo(200);
            JsonNode clash = RunningPlatform.json(platform.post("/vault/commit", key, commitOf("nota.md", h)));
            assertThat(clash.path("conflicts").get(0).path("kind").asString()).isEqualTo("name_collision");
            platform.post("/vault/commit", key, commitOf("caff\\u00e8.md", h));
            JsonNode nfd = RunningPlatform.json(platform.post("/vault/commit", key, commitOf("caffe\\u0300.md", h)));
            assertThat(nfd.path("conflicts")).isEmpty();
            assertThat(nfd.path("accepted").get(0).path("path").asString()).as("the same name in NFC").isEqualTo("caff\u00e8.md");
            JsonNode files = RunningPlatform.json(platform.get("/vault/files", key));
            assertThat(files.path("files").findValuesAsString("path")).containsExactly("Nota.md", "caff\u00e8.md");
            // a key without the vault scope gets nothing
            String chat = platform.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"]}");
            assertThat(platform.get("/vault/files", chat).statusCode()).isEqualTo(403);
            assertThat(platform.get("/vault/files", null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aWrongPassphraseStopsTheStartAndChangesNothing() throws Exception {
        Path data = dir.resolve("data");
        try (RunningPlatform platform = RunningPlatform.start(data, "", VaultSyncTest.UNLOCK)) {
            SyncDevice laptop = new SyncDevice(platform, dir, "laptop");
            laptop.write("a.md", "importante\n");
            laptop.sync();
        }
        Map<Path, Long> before = sizes(data.resolve("vault"));
        CervellaConfig config = CervellaConfig.load(null, data);
        config = config.withServer(config.server().withBind("127.0.0.1").withPort(0));
        CervellaConfig wrong = config;
        assertThatThrownBy(() -> Platform.start(wrong, new DataDirectory(data), Map.of("CERVELLA_VAULT_PASSPHRASE", "sbagliata")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CERVELLA_VAULT_PASSPHRASE").hasMessageContaining("wrong passphrase");
        assertThat(sizes(data.resolve("vault"))).isEqualTo(before);
        // without any secret the server starts, and the vault says how to unlock it
        try (RunningPlatform locked = RunningPlatform.start(data, "")) {
            HttpResponse<String> r = locked.get("/vault/files", locked.adminKey());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("CERVELLA_VAULT_PASSPHRASE");
        }
        try (RunningPlatform again = RunningPlatform.start(data, "", VaultSyncTest.UNLOCK)) {
            assertThat(again.get("/vault/file?path=a.md", again.adminKey()).body()).isEqualTo("importante\n");
        }
    }

    @Test
    void aSymbolicLinkIsNotFollowedAndABadLocalNameIsReported() throws Exception {
        try (RunningPlatform platform = RunningPlatform.start(dir.resolve("data"), "", VaultSyncTest.UNLOCK)) {
            SyncDevice laptop = new SyncDevice(platform, dir, "laptop");
            SyncDevice desktop = new SyncDevice(platform, dir, "desktop");
            Path outside = Files.createDirectories(dir.resolve("outside"));
            Files.writeString(outside.resolve("segreto.txt"), "fuori dalla cartella\n");
            Files.createSymbolicLink(laptop.folder.resolve("link"), outside);
            laptop.write("ok.md", "dentro\n");
            laptop.write("Ok.md", "stesso nome per macOS\n");
            SyncReport r = laptop.sync();
            assertThat(r.skipped()).anyMatch(s -> s.startsWith("link: a symbolic link"))
                    .anyMatch(s -> s.contains("only by case"));
            // the desktop has a folder link where the vault has a file inside a folder of that name: not written through it
            laptop.write("docs/nota.md", "nota\n");
            laptop.sync();
            Files.createSymbolicLink(desktop.folder.resolve("docs"), outside);
            SyncReport d = desktop.sync();
            assertThat(d.skipped()).anyMatch(s -> s.contains("symbolic link"));
            assertThat(outside.resolve("nota.md")).doesNotExist();
        }
    }

    private static Map<Path, Long> sizes(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toMap(p -> p, p -> {
                try {
                    return Files.size(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
    }
}
