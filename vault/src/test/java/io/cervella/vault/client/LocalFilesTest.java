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
    void aFileReadIntoAGroupBufferIsCutAndHashedAsWhenStreamed() throws Exception {
        ContentChunker chunker = VaultChunking.chunker(VaultChunking.gearTable(new byte[32]));
        java.util.Random random = new java.util.Random(7);
        byte[] big = new byte[700_000];
        random.nextBytes(big);
        Path one = Files.write(dir.resolve("big.bin"), big);
        Path two = Files.writeString(dir.resolve("small.md"), "una nota");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        byte[] buffer = new byte[3 + big.length + "una nota".length() + 16];
        java.util.Arrays.fill(buffer, (byte) 0x5a); // what is outside each file's place must stay as it was
        java.security.MessageDigest each = HashedFile.sha256();
        java.security.MessageDigest whole = HashedFile.sha256();
        int at = 3;
        for (Path p : java.util.List.of(one, two, empty)) {
            long[] stat = LocalFiles.stat(p).orElseThrow();
            LocalFiles.Found found = new LocalFiles.Found(VaultPath.of(p.getFileName().toString()), p, stat[0], stat[1]);
            HashedFile streamed = HashedFile.read(chunker, found, true, null, SyncProgress.NONE);
            HashedFile held = HashedFile.readInto(chunker, found, buffer, at, each, whole, SyncProgress.NONE);
            assertThat(held.contentHash()).isEqualTo(streamed.contentHash())
                    .isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            assertThat(held.chunks()).isEqualTo(streamed.chunks());
            int from = at;
            for (int i = 0; i < held.chunks().size(); i++) {
                byte[] chunk = java.util.Arrays.copyOfRange(buffer, from, from + held.chunkSizes()[i]);
                assertThat(chunk).isEqualTo(streamed.bytes().get(held.chunks().get(i)));
                from += chunk.length;
            }
                assertThat(from - at).isEqualTo(Files.size(p));
            at = from;
        }
        for (int i = 0; i < buffer.length; i++) {
            if (i < 3 || i >= at) {
                assertThat(buffer[i]).as("byte %d, outside the files", i).isEqualTo((byte) 0x5a);
            }
        }
        long[] bigStat = LocalFiles.stat(one).orElseThrow();
        assertThat(HashedFile.read(chunker, new LocalFiles.Found(VaultPath.of("big.bin"), one, bigStat[0], bigStat[1]), true, null,
                SyncProgress.NONE).chunks()).as("a multi-chunk file").hasSizeGreaterThan(2);

        long[] stat = LocalFiles.stat(two).orElseThrow();
        LocalFiles.Found found = new LocalFiles.Found(VaultPath.of("small.md"), two, stat[0], stat[1]);
        Files.writeString(two, "una nota, e poi altro"); // grew between the scan and the read
        assertThatThrownBy(() -> HashedFile.readInto(chunker, found, buffer, 0, each, whole, SyncProgress.NONE))
                .isInstanceOf(HashedFile.ChangedWhileReadException.class);
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
