package io.cervella.app.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.RunningPlatform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** cervella memory ingest: a folder mirrored into a collection, only changes embedded, deleted files gone. */
class MemoryIngestTest {
    @TempDir Path dir;
    @TempDir Path notes;

    @Test
    void aFolderIsMirroredIncrementally() throws Exception {
        String key;
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"memory\"]}");
        }
        Files.createDirectories(notes.resolve("decisioni"));
        Files.writeString(notes.resolve("decisioni/db.md"), "# Database\n\nPostgreSQL holds the shared metadata.\n");
        Files.writeString(notes.resolve("meteo.txt"), "It rained all week in Milan.");
        Files.writeString(notes.resolve("immagine.png"), "not a note");

        assertThat(ingest()).contains("2 files, 2 new or changed, 0 unchanged, 0 removed");
        assertThat(ingest()).contains("2 files, 0 new or changed, 2 unchanged, 0 removed");
        Files.writeString(notes.resolve("decisioni/db.md"), "# Database\n\nPostgreSQL and S3 hold the shared state.\n");
        Files.delete(notes.resolve("meteo.txt"));
        assertThat(ingest()).contains("1 files, 1 new or changed, 0 unchanged, 1 removed");

        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            JsonNode hits = RunningPlatform.json(p.post("/memory/collections/sncp/search", key,
                    "{\"query\":\"S3 shared state\",\"mode\":\"keyword\"}")).path("data");
            assertThat(hits.get(0).path("document").asString()).isEqualTo("decisioni/db.md");
            JsonNode rain = RunningPlatform.json(p.post("/memory/collections/sncp/search", key,
                    "{\"query\":\"rained Milan\",\"mode\":\"keyword\"}")).path("data");
            assertThat(rain).isEmpty();
        }
    }

    private String ingest() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "memory", "ingest", notes.toString(), "--collection", "sncp", "--data", dir.toString());
        assertThat(exit).as(err.toString()).isZero();
        return out.toString();
    }
}
