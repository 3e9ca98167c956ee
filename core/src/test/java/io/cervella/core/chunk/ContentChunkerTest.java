package io.cervella.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContentChunkerTest {
    /** The vault's sizes: the ones this test was written for. */
    private static final ChunkSizes SIZES = new ChunkSizes(16 * 1024, 64 * 1024, 256 * 1024);
    private static final String LABEL = "cervella-vault gear ";
    private static final ContentChunker CHUNKER = new ContentChunker(GearTable.derive(new byte[32], LABEL), SIZES);

    private static List<byte[]> chunks(ContentChunker chunker, byte[] data) throws IOException {
        ContentChunker.Reader r = chunker.reader(new ByteArrayInputStream(data));
        List<byte[]> out = new ArrayList<>();
        for (byte[] c; (c = r.next()) != null; ) {
            out.add(c);
        }
        return out;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Set<String> hashes(List<byte[]> chunks) throws Exception {
        Set<String> out = new HashSet<>();
        for (byte[] c : chunks) {
            out.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c)));
        }
        return out;
    }

    @Test
    void chunksCoverTheDataWithinTheSizeBoundsAndAverageNearTheTarget() throws Exception {
        byte[] data = random(32 * 1024 * 1024, 1);
        List<byte[]> chunks = chunks(CHUNKER, data);
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            assertThat(java.util.Arrays.equals(c, 0, c.length, data, (int) total, (int) total + c.length)).isTrue();
            total += c.length;
            assertThat(c.length).isLessThanOrEqualTo(SIZES.max());
            if (i < chunks.size() - 1) {
                assertThat(c.length).isGreaterThan(SIZES.min());
            }
        }
        assertThat(total).isEqualTo(data.length);
        double average = (double) data.length / chunks.size();
        // normalized chunking lands near the 64 KiB target (the skipped 16 KiB included)
        assertThat(average).isBetween(0.75 * SIZES.average(), 1.35 * SIZES.average());
    }

    @Test
    void anInsertionChangesOnlyTheChunksNearIt() throws Exception {
        byte[] data = random(8 * 1024 * 1024, 2);
        byte[] edited = new byte[data.length + 100];
        int at = 3 * 1024 * 1024;
        System.arraycopy(data, 0, edited, 0, at);
        System.arraycopy(random(100, 3), 0, edited, at, 100);
        System.arraycopy(data, at, edited, at + 100, data.length - at);
        Set<String> before = hashes(chunks(CHUNKER, data));
        List<byte[]> after = chunks(CHUNKER, edited);
        Set<String> changed = hashes(after);
        changed.removeAll(before);
        assertThat(changed.size()).as("new chunks among " + after.size()).isBetween(1, 2);
    }

    @Test
    void boundariesDependOnTheKeyAndSmallFilesAreOneChunk() throws Exception {
        byte[] data = random(4 * 1024 * 1024, 4);
        ContentChunker other = new ContentChunker(GearTable.derive(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}, LABEL), SIZES);
        assertThat(hashes(chunks(other, data))).doesNotContainAnyElementsOf(hashes(chunks(CHUNKER, data)));
        assertThat(chunks(CHUNKER, random(10_000, 5))).hasSize(1).allSatisfy(c -> assertThat(c).hasSize(10_000));
        assertThat(chunks(CHUNKER, new byte[0])).isEmpty();
        // a run of one byte value never cuts (the hash goes to a fixed point that is not 0 in the top bits, or is):
        // either way the sizes stay within the bounds
        assertThat(chunks(CHUNKER, new byte[1024 * 1024])).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(SIZES.max()));
    }

    @Test
    void theExpectedSizeChangesTheBufferNotTheCuts() throws Exception {
        for (int n : new int[] {0, 100, 20_000, 300_000, 3 * 1024 * 1024}) {
            byte[] data = random(n, n);
            List<String> plain = chunks(CHUNKER, data).stream().map(java.util.Arrays::toString).toList();
            for (long hint : new long[] {n, 0, n / 3, 10L * n + 1}) { // right, and wrong both ways (the file changed)
                ContentChunker.Reader r = CHUNKER.reader(new ByteArrayInputStream(data), hint);
                List<String> hinted = new ArrayList<>();
                for (byte[] c; (c = r.next()) != null; ) {
                    hinted.add(java.util.Arrays.toString(c));
                }
                assertThat(hinted).as("%d bytes, expected %d", n, hint).isEqualTo(plain);
            }
        }
    }

    @Test
    void theGearTableTravelsAsBase64() {
        GearTable t = GearTable.derive(new byte[32], LABEL);
        GearTable back = GearTable.fromBase64(t.toBase64());
        for (int i = 0; i < GearTable.SIZE; i++) {
            assertThat(back.get(i)).isEqualTo(t.get(i));
        }
        assertThatThrownBy(() -> GearTable.fromBase64("AAAA")).hasMessageContaining("2048 bytes");
        assertThatThrownBy(() -> GearTable.fromBase64("not base64!")).hasMessageContaining("base64");
    }
}
