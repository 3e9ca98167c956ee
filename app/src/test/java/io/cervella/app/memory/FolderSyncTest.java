package io.cervella.app.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** memory.folders: the running server keeps a folder mirrored into its collection. */
class FolderSyncTest {
    @TempDir Path dir;

    @Test
    void theServerMirrorsAConfiguredFolder() throws Exception {
        Path notes = Files.createDirectories(dir.resolve("sncp/decisioni"));
        Files.writeString(notes.resolve("db.md"), "# Database\n\nAbbiamo scelto PostgreSQL per i metadati condivisi.\n");
        Files.writeString(dir.resolve("sncp/meteo.md"), "It rained all week in Milan.\n");
        Files.write(dir.resolve("sncp/binary.md"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Files.writeString(dir.resolve("sncp/.hidden.md"), "an editor's swap file\n");
        String yaml = """
                memory:
                  folders:
                    - path: %s
                      collection: sncp
                      scan_interval_seconds: 1
                """.formatted(dir.resolve("sncp"));
        try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), yaml)) {
            String key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"memory\"]}");
            waitFor(p, key, List.of("decisioni/db.md", "meteo.md"));

            // a change, a new file and a deletion reach the collection at the next pass
            Files.writeString(notes.resolve("db.md"), "# Database\n\nPostgreSQL, e i backup vanno in due regioni.\n");
            Files.writeString(dir.resolve("sncp/gpu.md"), "The GPU box is an L4.\n");
            Files.delete(dir.resolve("sncp/meteo.md"));
            waitFor(p, key, List.of("decisioni/db.md", "gpu.md"));
            JsonNode doc = RunningPlatform.json(p.get("/memory/collections/sncp/documents?id=decisioni/db.md", key));
            assertThat(doc.path("content").asString()).contains("due regioni");
            assertThat(doc.path("metadata").path("path").asString()).isEqualTo("decisioni/db.md");
        }
    }

    /** Waits until the collection holds exactly these documents (found through keyword search on their ids). */
    private static void waitFor(RunningPlatform p, String key, List<String> ids) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        List<String> found = List.of();
        while (Instant.now().isBefore(deadline)) {
            found = new ArrayList<>();
            for (String id : List.of("decisioni/db.md", "meteo.md", "gpu.md", "binary.md", ".hidden.md")) {
                var r = p.get("/memory/collections/sncp/documents?id=" + id, key);
                if (r.statusCode() == 200) {
                    found.add(id);
                }
            }
            if (found.equals(ids)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the collection holds " + found + ", expected " + ids);
    }
}
