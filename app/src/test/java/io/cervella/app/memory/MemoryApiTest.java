package io.cervella.app.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** /memory over HTTPS on the running platform: collections, documents, search, and a restart. */
class MemoryApiTest {
    @TempDir Path dir;

    private static final String NOTE = """
            # Decisioni

            Abbiamo scelto PostgreSQL per i metadati condivisi tra i nodi.

            ## Backup

            I backup notturni vanno in due regioni; il ripristino è provato ogni settimana.
            """;

    @Test
    void collectionsDocumentsAndSearchSurviveARestart() throws Exception {
        String key;
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"memory\"]}");
            assertThat(p.post("/memory/collections", key, "{\"name\":\"sncp\"}").statusCode()).isEqualTo(201);
            assertThat(p.post("/memory/collections", key, "{\"name\":\"sncp\"}").statusCode()).isEqualTo(409);
            JsonNode put = RunningPlatform.json(p.post("/memory/collections/sncp/documents", key,
                    "{\"id\":\"notes/decisioni.md\",\"content\":" + json(NOTE) + ",\"metadata\":{\"lang\":\"it\",\"anno\":2026}}"));
            assertThat(put.path("created").asBoolean()).isTrue();
            assertThat(put.path("chunks").asInt()).isEqualTo(2);
            JsonNode again = RunningPlatform.json(p.post("/memory/collections/sncp/documents", key,
                    "{\"id\":\"notes/decisioni.md\",\"content\":" + json(NOTE) + ",\"metadata\":{\"lang\":\"it\",\"anno\":2026}}"));
            assertThat(again.path("changed").asBoolean()).as("unchanged: not embedded again").isFalse();
            p.post("/memory/collections/sncp/documents", key, "{\"id\":\"meteo.md\",\"content\":\"It rained all week in Milan.\","
                    + "\"metadata\":{\"lang\":\"en\",\"anno\":2024}}");
            assertBackupFound(p, key);
        }
        // a restart keeps everything; the index is rebuilt from the database when its folder is gone
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            assertBackupFound(p, key);
        }
        deleteTree(dir.resolve("memory"));
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            assertBackupFound(p, key);
            String id = URLEncoder.encode("notes/decisioni.md", StandardCharsets.UTF_8);
            JsonNode doc = RunningPlatform.json(p.get("/memory/collections/sncp/documents?id=" + id, key));
            assertThat(doc.path("content").asString()).isEqualTo(NOTE);
            assertThat(p.sendMethod("DELETE", "/memory/collections/sncp/documents?id=" + id, key).statusCode()).isEqualTo(204);
            assertThat(p.get("/memory/collections/sncp/documents?id=" + id, key).statusCode()).isEqualTo(404);
            JsonNode left = RunningPlatform.json(p.post("/memory/collections/sncp/search", key, "{\"query\":\"backup regioni\"}"));
            assertThat(left.path("data")).allMatch(h -> !h.path("document").asString().equals("notes/decisioni.md"));
        }
    }

    /** A damaged index repairs itself at the next start; `cervella memory reindex` rebuilds on demand. */
    @Test
    void aDamagedIndexIsRebuiltAndReindexWorksOnAStoppedServer() throws Exception {
        String key;
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"memory\"]}");
            p.post("/memory/collections", key, "{\"name\":\"sncp\"}");
            p.post("/memory/collections/sncp/documents", key, "{\"id\":\"notes/decisioni.md\",\"content\":" + json(NOTE)
                    + ",\"metadata\":{\"lang\":\"it\",\"anno\":2026}}");
        }
        try (var files = java.nio.file.Files.list(dir.resolve("memory/sncp"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("segments")).toList()) {
                java.nio.file.Files.write(f, new byte[] {1, 2, 3}); // a torn commit point
            }
        }
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            assertBackupFound(p, key);
        }
        java.io.StringWriter out = new java.io.StringWriter();
        int exit = io.cervella.app.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                "memory", "reindex", "--data", dir.toString());
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("sncp: index rebuilt from 1 documents");
        assertThat(io.cervella.app.Main.run(new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(new java.io.StringWriter(), true), "memory", "reindex", "--data", dir.toString(),
                "--collection", "nessuna")).isEqualTo(2);
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            assertBackupFound(p, key);
        }
    }

    @Test
    void badRequestsAreClearAndNothingIsOpenWithoutTheScope() throws Exception {
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            String key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"memory\"]}");
            p.post("/memory/collections", key, "{\"name\":\"c\"}");
            for (String[] bad : new String[][] {
                    {"/memory/collections", "{\"name\":\"Bad Name\"}", "400"},
                    {"/memory/collections", "{\"name\":\"d\",\"model\":\"nope\"}", "400"},
                    {"/memory/collections/c/documents", "{\"content\":\"x\"}", "400"},
                    {"/memory/collections/c/documents", "{\"id\":\"a\",\"content\":\"x\",\"metadata\":{\"k\":[1]}}", "400"},
                    {"/memory/collections/none/documents", "{\"id\":\"a\",\"content\":\"x\"}", "404"},
                    {"/memory/collections/c/search", "{\"query\":\"x\",\"mode\":\"fuzzy\"}", "400"},
                    {"/memory/collections/c/search", "{\"query\":\"x\",\"k\":0}", "400"},
                    {"/memory/collections/c/search", "{\"query\":\"x\",\"filters\":[{\"field\":\"lang\"}]}", "400"},
                    {"/memory/collections/none/search", "{\"query\":\"x\"}", "404"}}) {
                var r = p.post(bad[0], key, bad[1]);
                assertThat(r.statusCode()).as(bad[1]).isEqualTo(Integer.parseInt(bad[2]));
                assertThat(RunningPlatform.json(r).path("error").path("message").asString()).as(bad[1]).isNotBlank();
            }
            String chat = p.createKey("{\"name\":\"chat\",\"scopes\":[\"chat\"]}");
            assertThat(p.get("/memory/collections", chat).statusCode()).isEqualTo(403);
            assertThat(p.get("/memory/collections", null).statusCode()).isEqualTo(401);
        }
    }

    private static void assertBackupFound(RunningPlatform p, String key) throws Exception {
        for (String mode : new String[] {"vector", "keyword", "hybrid"}) {
            JsonNode r = RunningPlatform.json(p.post("/memory/collections/sncp/search", key,
                    "{\"query\":\"dove vanno i backup notturni\",\"mode\":\"" + mode + "\",\"k\":3,"
                            + "\"filters\":[{\"field\":\"lang\",\"eq\":\"it\"},{\"field\":\"anno\",\"gte\":2025}]}"));
            JsonNode first = r.path("data").get(0);
            assertThat(first).as(mode).isNotNull();
            assertThat(first.path("document").asString()).isEqualTo("notes/decisioni.md");
            assertThat(first.path("headings").get(1).asString()).as(mode).isEqualTo("Backup");
            assertThat(NOTE.substring(first.path("start").asInt(), first.path("end").asInt())).isEqualTo(first.path("text").asString());
        }
    }

    private static String json(String s) {
        return tools.jackson.databind.json.JsonMapper.shared().writeValueAsString(s);
    }

    private static void deleteTree(Path p) throws Exception {
        try (var files = java.nio.file.Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(f);
            }
        }
    }
}
