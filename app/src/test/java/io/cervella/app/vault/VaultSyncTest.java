package io.cervella.app.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.testkit.RunningPlatform;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Two and three devices syncing folders through a real server with the real client. */
class VaultSyncTest {
    static final Map<String, String> UNLOCK = Map.of("CERVELLA_VAULT_PASSPHRASE", "una frase lunga e segreta");

    @TempDir Path dir;
    RunningPlatform platform;
    SyncDevice laptop;
    SyncDevice desktop;

    @BeforeEach
    void start() throws Exception {
        platform = RunningPlatform.start(dir.resolve("data"), "", UNLOCK);
        laptop = new SyncDevice(platform, dir, "laptop");
        desktop = new SyncDevice(platform, dir, "desktop");
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void createEditRenameAndDeleteReachTheOtherDeviceAndAnUnchangedRunSendsNothing() throws Exception {
        laptop.write("notes/decisioni.md", "# Decisioni\n\nUsiamo Qwen3-4B.\n");
        laptop.write("notes/idee.md", "# Idee\n");
        laptop.write("README.md", "cartella del team\n");
        SyncReport first = laptop.sync();
        assertThat(first.sent()).isEqualTo(3);
        assertThat(first.bytesSent()).isPositive();

        SyncReport pulled = desktop.sync();
        assertThat(pulled.received()).isEqualTo(3);
        assertThat(desktop.files()).isEqualTo(laptop.files());

        // a second run with nothing changed sends nothing and receives nothing
        SyncReport again = laptop.sync();
        assertThat(again.nothingToDo()).isTrue();
        assertThat(again.bytesSent()).isZero();

        // edit on the desktop, rename and delete on the laptop
        desktop.write("notes/decisioni.md", "# Decisioni\n\nUsiamo Qwen3-4B, servito da vLLM.\n");
        desktop.sync();
        Files.move(laptop.folder.resolve("notes/idee.md"), laptop.folder.resolve("notes/proposte.md"));
        Files.delete(laptop.folder.resolve("README.md"));
        SyncReport mixed = laptop.sync();
        assertThat(mixed.conflicts()).isEmpty();
        assertThat(mixed.bytesSent()).as("a rename sends no content: the vault has its chunks").isZero();
        assertThat(laptop.read("notes/decisioni.md")).contains("vLLM");
        desktop.sync();
        assertThat(desktop.files()).isEqualTo(laptop.files()).containsOnlyKeys("notes/decisioni.md", "notes/proposte.md");
    }

    @Test
    void concurrentEditsKeepBothSidesAsAConflictCopy() throws Exception {
        laptop.write("piano.md", "versione 1\n");
        laptop.sync();
        desktop.sync();
        laptop.write("piano.md", "versione del portatile\n");
        desktop.write("piano.md", "versione del fisso\n");
        desktop.sync();
        SyncReport late = laptop.sync();
        assertThat(late.conflicts()).singleElement().asString().contains("piano.md");
        // the laptop now has the desktop's version under the name and its own under the conflict name
        Map<String, String> files = laptop.files();
        assertThat(files).containsEntry("piano.md", "versione del fisso\n");
        String copy = files.keySet().stream().filter(p -> p.startsWith("piano.conflict-laptop-")).findFirst().orElseThrow();
        assertThat(copy).matches("piano\\.conflict-laptop-\\d{8}-\\d{6}\\.md");
        assertThat(files).containsEntry(copy, "versione del portatile\n");
        desktop.sync();
        assertThat(desktop.files()).isEqualTo(laptop.files());
        // settled: nothing moves any more
        assertThat(laptop.sync().nothingToDo()).isTrue();
        assertThat(desktop.sync().nothingToDo()).isTrue();
    }

    @Test
    void deleteAgainstAnEditIsRefusedAndAnEditAgainstADeleteBringsTheFileBack() throws Exception {
        laptop.write("a.md", "a1\n");
        laptop.write("b.md", "b1\n");
        laptop.write("c.md", "c1\n");
        laptop.sync();
        desktop.sync();
        // the desktop edits a.md, the laptop deletes it without having seen the edit
        desktop.write("a.md", "a2 dal fisso\n");
        desktop.sync();
        Files.delete(laptop.folder.resolve("a.md"));
        SyncReport refused = laptop.sync();
        assertThat(refused.conflicts()).singleElement().asString().contains("a.md");
        assertThat(laptop.read("a.md")).as("the edit comes back, not lost to the deletion").isEqualTo("a2 dal fisso\n");

        // the laptop deletes b.md, the desktop edits it without having seen the deletion
        Files.delete(laptop.folder.resolve("b.md"));
        laptop.sync();
        desktop.write("b.md", "b2 dal fisso\n");
        SyncReport restored = desktop.sync();
        assertThat(restored.conflicts()).singleElement().asString().contains("b.md");
        laptop.sync();
        assertThat(laptop.read("b.md")).isEqualTo("b2 dal fisso\n");
        assertThat(desktop.files()).isEqualTo(laptop.files());
    }

    @Test
    void threeDevicesConvergeAndAMassDeleteNeedsToBeAllowed() throws Exception {
        SyncDevice server = new SyncDevice(platform, dir, "server");
        for (int i = 0; i < 6; i++) {
            laptop.write("sncp/nota-" + i + ".md", "nota " + i + "\n");
        }
        laptop.sync();
        desktop.write("sncp/dal-fisso.md", "scritta sul fisso\n");
        desktop.sync();
        server.write("sncp/dal-server.md", "scritta sul server\n");
        server.sync();
        laptop.sync();
        desktop.sync();
        assertThat(laptop.files()).hasSize(8).isEqualTo(desktop.files()).isEqualTo(server.files());

        for (int i = 0; i < 6; i++) {
            Files.delete(server.folder.resolve("sncp/nota-" + i + ".md"));
        }
        assertThatThrownBy(server::sync).isInstanceOf(DeviceSync.MassDeleteException.class)
                .hasMessageContaining("6 of the 8").hasMessageContaining("--allow-mass-delete");
        laptop.sync();
        assertThat(laptop.files()).as("nothing was propagated").hasSize(8);
        server.sync(true);
        laptop.sync();
        assertThat(laptop.files()).containsOnlyKeys("sncp/dal-fisso.md", "sncp/dal-server.md");
    }

    @Test
    void ignoredFilesStayHomeAndABigFileIsSentOnlyInItsChangedChunks() throws Exception {
        laptop.write(".cervellaignore", "*.tmp\nbuild/\n");
        laptop.write("bozza.tmp", "non sincronizzare\n");
        laptop.write("build/out.bin", "artefatto\n");
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(big);
        Files.write(laptop.folder.resolve("dati.bin"), big);
        laptop.sync();
        desktop.sync();
        assertThat(desktop.files()).containsOnlyKeys(".cervellaignore", "dati.bin");
        assertThat(Files.readAllBytes(desktop.folder.resolve("dati.bin"))).isEqualTo(big);

        // one byte changed in the middle: a chunk or two travel, not 3 MiB, in both directions
        big[1_500_000] ^= 1;
        Files.write(laptop.folder.resolve("dati.bin"), big);
        SyncReport edit = laptop.sync();
        assertThat(edit.bytesSent()).isPositive().isLessThan(600_000);
        SyncReport pull = desktop.sync();
        assertThat(pull.bytesReceived()).isPositive().isLessThan(600_000);
        assertThat(Files.readAllBytes(desktop.folder.resolve("dati.bin"))).isEqualTo(big);
    }

    @Test
    void anInterruptedUploadResumesWithoutSendingTwice() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        new Random(11).nextBytes(big);
        Files.write(laptop.folder.resolve("grande.bin"), big);
        // an earlier run sent the first chunks and stopped before its commit
        io.cervella.core.chunk.GearTable gear = io.cervella.core.chunk.GearTable.fromBase64(
                laptop.client().info().path("chunking").path("gear_table").asString());
        io.cervella.core.chunk.ContentChunker.Reader r = io.cervella.vault.chunk.VaultChunking.chunker(gear)
                .reader(new java.io.ByteArrayInputStream(big));
        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        long sentBefore = 0;
        for (int i = 0; i < 10; i++) {
            byte[] c = r.next();
            io.cervella.vault.protocol.ChunkFrames.write(frames, java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(c)), c);
            sentBefore += c.length;
        }
        laptop.client().putChunks(frames.toByteArray());
        assertThat(desktop.sync().received()).as("nothing is visible before its commit").isZero();

        SyncReport resumed = laptop.sync();
        assertThat(resumed.bytesSent()).isEqualTo(big.length - sentBefore);
        desktop.sync();
        assertThat(Files.readAllBytes(desktop.folder.resolve("grande.bin"))).isEqualTo(big);
    }

    @Test
    void versionsCanBeListedReadAndRestoredThroughTheApi() throws Exception {
        laptop.write("diario.md", "giorno 1\n");
        laptop.sync();
        laptop.write("diario.md", "giorno 2\n");
        laptop.sync();
        Files.delete(laptop.folder.resolve("diario.md"));
        laptop.sync();
        JsonNode versions = RunningPlatform.json(platform.get("/vault/versions?path=diario.md", laptop.key));
        assertThat(versions.path("versions")).hasSize(3);
        assertThat(versions.path("versions").get(2).path("deleted").asBoolean()).isTrue();
        long first = versions.path("versions").get(0).path("seq").asLong();
        assertThat(platform.get("/vault/file?path=diario.md&seq=" + first, laptop.key).body()).isEqualTo("giorno 1\n");
        assertThat(platform.get("/vault/file?path=diario.md", laptop.key).statusCode()).isEqualTo(404);
        assertThat(platform.post("/vault/restore", laptop.key, "{\"path\":\"diario.md\",\"seq\":" + first + "}").statusCode())
                .isEqualTo(200);
        laptop.sync();
        assertThat(laptop.read("diario.md")).isEqualTo("giorno 1\n");
        assertThat(RunningPlatform.json(platform.get("/vault/files", laptop.key)).path("files")).hasSize(1);
        JsonNode check = RunningPlatform.json(platform.post("/vault/check", platform.adminKey(), "{}"));
        assertThat(check.path("clean").asBoolean()).as(check.toString()).isTrue();
        assertThat(platform.post("/vault/check", laptop.key, "{}").statusCode()).as("check needs admin").isEqualTo(403);
    }

    @Test
    void aVersionThatCouldNotBeWrittenIsTriedAgainAtTheNextRun() throws Exception {
        laptop.write("piano.md", "il piano\n");
        laptop.write("altro.md", "altro\n");
        laptop.sync();
        Files.createDirectories(desktop.folder.resolve("piano.md")); // a folder where the file should go
        SyncReport blocked = desktop.sync();
        assertThat(blocked.skipped()).anyMatch(s -> s.contains("a folder of that name"));
        assertThat(desktop.read("altro.md")).isEqualTo("altro\n");
        laptop.write("altro.md", "altro, poi\n");
        laptop.sync();
        Files.delete(desktop.folder.resolve("piano.md"));
        SyncReport retried = desktop.sync();
        assertThat(retried.skipped()).isEmpty();
        assertThat(desktop.files()).isEqualTo(laptop.files());
    }

    @Test
    void watchKeepsTwoFoldersInSyncAsFilesChange() throws Exception {
        laptop.write("prima.md", "c'era già\n");
        laptop.sync();
        java.util.List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var a = laptop.watch(errors); var b = desktop.watch(errors)) {
            await(() -> desktop.has("prima.md"));
            laptop.write("nuova/idea.md", "scritta sul portatile\n");
            await(() -> desktop.has("nuova/idea.md") && desktop.read("nuova/idea.md").contains("portatile"));
            desktop.write("nuova/idea.md", "corretta sul fisso\n");
            await(() -> laptop.read("nuova/idea.md").contains("fisso"));
            Files.delete(laptop.folder.resolve("prima.md"));
            await(() -> !desktop.has("prima.md"));
        }
        assertThat(errors).isEmpty();
        assertThat(desktop.files()).isEqualTo(laptop.files());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition c) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not in sync after 20 s");
            }
            Thread.sleep(20);
        }
    }
}
