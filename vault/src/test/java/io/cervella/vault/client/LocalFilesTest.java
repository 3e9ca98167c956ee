package io.cervella.vault.client;

import io.cervella.vault.chunk.VaultChunking;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.chunk.ContentChunker;
import io.cervella.core.chunk.GearTable;
import io.cervella.vault.sync.IgnoreRules;
import io.cervella.vault.tree.VaultPath;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synced folder's guards: links not followed, the client's own folder left out, a file changing while read refused. */
class LocalFilesTest {
    @TempDir Path dir;

    @Test
    void aPathThroughASymbolicLinkOrIntoTheClientsFolderIsRefused() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        assertThatThrownBy(() -> LocalFiles.target(root, VaultPath.of("link/passwd"))).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> LocalFiles.target(root, VaultPath.of(".cervella/state.json"))).hasMessageContaining("outside");
        assertThat(LocalFiles.target(root, VaultPath.of("a/b.md"))).isEqualTo(root.resolve("a/b.md"));
    }

    @Test
    void aScanSkipsTheClientsFolderIgnoredFilesAndLinks() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve(".cervella"));
        Files.writeString(root.resolve(".cervella/state.json"), "{}");
        Files.writeString(root.resolve("a.md"), "a");
        Files.writeString(root.resolve("b.tmp"), "b");
        Files.createSymbolicLink(root.resolve("l.md"), root.resolve("a.md"));
        LocalFiles.Scan scan = LocalFiles.scan(root, IgnoreRules.parse("*.tmp"));
        assertThat(scan.files()).containsOnlyKeys("a.md");
        assertThat(scan.skipped()).singleElement().asString().startsWith("l.md: a symbolic link");
    }

    @Test
    void aFileThatChangesWhileItIsReadIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("n.md"), "prima");
        long[] stat = LocalFiles.stat(file).orElseThrow();
        LocalFiles.Found found = new LocalFiles.Found(VaultPath.of("n.md"), file, stat[0], stat[1]);
        ContentChunker chunker = VaultChunking.chunker(VaultChunking.gearTable(new byte[32]));
        assertThat(HashedFile.read(chunker, found, true, null, SyncProgress.NONE).chunks()).hasSize(1);
        Files.writeString(file, "dopo, più lunga"); // written between the scan and the read
        assertThatThrownBy(() -> HashedFile.read(chunker, found, true, null, SyncProgress.NONE))
                .isInstanceOf(HashedFile.ChangedWhileReadException.class).hasMessageContaining("changed while it was read");
    }

    @Test
    void namesThatWouldCollideAreNeitherSyncedNorTakenForDeletions() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("notes.md"), "a");
        Files.writeString(root.resolve("Notes.md"), "b");
        Files.createDirectories(root.resolve("x"));
        Files.writeString(root.resolve("x/y.md"), "c");
        LocalFiles.Scan scan = LocalFiles.scan(root, IgnoreRules.NONE);
        assertThat(scan.files()).hasSize(2); // x/y.md and one of the two
        assertThat(scan.unsure("notes.md")).isTrue();
        assertThat(scan.unsure("Notes.md")).isTrue();
        assertThat(scan.unsure("x/y.md")).isFalse();
        assertThat(scan.unsure("gone.md")).isFalse();
    }
}
