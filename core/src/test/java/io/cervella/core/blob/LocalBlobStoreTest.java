package io.cervella.core.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {
    @TempDir Path dir;

    @Test
    void blobsAreWrittenReadListedAndDeleted() throws Exception {
        LocalBlobStore store = new LocalBlobStore(dir.resolve("vault"));
        store.put("config", "{}".getBytes(StandardCharsets.UTF_8));
        store.put("packs/ab/ab12", "0123456789".getBytes(StandardCharsets.UTF_8));
        store.put("packs/cd/cd34", new byte[] {1});
        store.put("packs/ab/ab12", "0123456789".getBytes(StandardCharsets.UTF_8)); // a retry: same content
        assertThat(store.get("config")).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("{}"));
        assertThat(store.get("packs/ab/none")).isEmpty();
        assertThat(store.size("packs/ab/ab12")).isEqualTo(10);
        assertThat(store.size("packs/ab/none")).isEqualTo(-1);
        assertThat(new String(store.get("packs/ab/ab12", 3, 4), StandardCharsets.UTF_8)).isEqualTo("3456");
        assertThatThrownBy(() -> store.get("packs/ab/ab12", 8, 4)).hasMessageContaining("past its end");
        assertThat(store.list("packs/")).containsExactly("packs/ab/ab12", "packs/cd/cd34");
        assertThat(store.list("")).containsExactly("config", "packs/ab/ab12", "packs/cd/cd34");
        assertThat(store.delete("packs/cd/cd34")).isTrue();
        assertThat(store.delete("packs/cd/cd34")).isFalse();
        assertThat(store.list("packs/")).containsExactly("packs/ab/ab12");
        // no temporary file is left behind
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void namesThatCouldLeaveTheStoreAreRefused() throws Exception {
        LocalBlobStore store = new LocalBlobStore(dir.resolve("vault"));
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "A", "a\u0000b", "", "a/./b", ".."}) {
            assertThatThrownBy(() -> store.put(bad, new byte[0])).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dir.resolve("x")).doesNotExist();
    }
}
