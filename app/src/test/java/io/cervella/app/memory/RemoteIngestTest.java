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

/** cervella memory ingest DIR --collection C --server URL --key K --cacert CA against a running server. */
class RemoteIngestTest {
    @TempDir Path dir;

    @Test
    void aFolderIsMirroredThroughTheApiSendingOnlyChanges() throws Exception {
        Path notes = dir.resolve("notes");
        Files.createDirectories(notes.resolve("sub"));
        Files.writeString(notes.resolve("a.md"), "# A\n\nAbbiamo scelto PostgreSQL.\n");
        Files.writeString(notes.resolve("sub/b.md"), "\uFEFFThe GPU box is an L4.\n");
        Files.write(notes.resolve("bin.md"), new byte[] {(byte) 0xff, (byte) 0xfe});
        try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), "")) {
            String key = p.createKey("{\"name\":\"laptop\",\"scopes\":[\"memory\"]}");
            String[] args = {"memory", "ingest", notes.toString(), "--collection", "sncp", "--server", p.baseUrl(),
                    "--key", key, "--cacert", p.caFile().toString()};
            String first = run(args);
            assertThat(first).contains("sncp: 3 files, 2 new or changed, 0 unchanged, 0 removed").contains("skipped bin.md");

            JsonNode list = RunningPlatform.json(p.get("/memory/collections/sncp/documents", key));
            assertThat(list.path("data")).extracting(d -> d.path("id").asString()).containsExactly("a.md", "sub/b.md");
            JsonNode b = RunningPlatform.json(p.get("/memory/collections/sncp/documents?id=sub/b.md", key));
            assertThat(b.path("content").asString()).isEqualTo("The GPU box is an L4.\n");
            long updated = list.path("data").get(0).path("updated_at").asLong();

            Files.writeString(notes.resolve("c.md"), "Nuova nota.\n");
            Files.delete(notes.resolve("sub/b.md"));
            assertThat(run(args)).contains("sncp: 3 files, 1 new or changed, 1 unchanged, 1 removed");
            JsonNode after = RunningPlatform.json(p.get("/memory/collections/sncp/documents?limit=1", key));
            assertThat(after.path("has_more").asBoolean()).isTrue();
            assertThat(after.path("data").get(0).path("updated_at").asLong()).as("a.md was not sent again").isEqualTo(updated);
            JsonNode page2 = RunningPlatform.json(p.get("/memory/collections/sncp/documents?limit=1&after="
                    + after.path("next_after").asString(), key));
            assertThat(page2.path("data").get(0).path("id").asString()).isEqualTo("c.md");
            assertThat(page2.path("has_more").asBoolean()).isFalse();
            assertThat(p.get("/memory/collections/sncp/documents?limit=0", key).statusCode()).isEqualTo(400);
        }
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }
}
