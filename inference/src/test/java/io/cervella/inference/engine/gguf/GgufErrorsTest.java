package io.cervella.inference.engine.gguf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken files give a clear error that names the problem; none crashes or loads half. */
class GgufErrorsTest {
    @TempDir Path dir;
    Path good;
    byte[] bytes;

    @BeforeEach
    void writeAGoodFile() throws Exception {
        good = dir.resolve("good.gguf");
        float[] x = new float[64];
        Arrays.fill(x, 0.25f);
        new GgufWriter()
                .putString("general.architecture", "qwen2")
                .putU32("qwen2.block_count", 2)
                .addTensor("token_embd.weight", new long[] {32, 2}, GgmlType.Q8_0, Quantizer.quantize(GgmlType.Q8_0, x))
                .write(good);
        bytes = Files.readAllBytes(good);
    }

    private Path variant(byte[] content) throws Exception {
        Path p = dir.resolve("bad-" + System.nanoTime() + ".gguf");
        Files.write(p, content);
        return p;
    }

    @Test
    void notAGgufFile() throws Exception {
        Path p = variant("{\"hello\": \"this is JSON, not a model\"}".getBytes());
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class).hasMessageContaining("not a GGUF file");
    }

    @Test
    void anUnsupportedVersion() throws Exception {
        byte[] b = bytes.clone();
        b[4] = 9;
        assertThatThrownBy(() -> GgufFile.open(variant(b))).hasMessageContaining("GGUF version 9 is not supported");
    }

    @Test
    void truncationAnywhereIsReportedAsSuch() throws Exception {
        // The tensor's 68 bytes are padded to 96 at the end of the file: cutting 29 bytes loses one of its bytes.
        for (int cut : new int[] {3, 10, 30, 60, 100, bytes.length - 40, bytes.length - 29}) {
            Path p = variant(Arrays.copyOf(bytes, cut));
            assertThatThrownBy(() -> GgufFile.open(p)).as("cut at " + cut).isInstanceOf(GgufException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void cuttingOnlyTheFinalPaddingLosesNothing() throws Exception {
        float[] whole;
        try (GgufFile g = GgufFile.open(good)) {
            whole = Dequantizer.dequantize(g.tensor("token_embd.weight"));
        }
        try (GgufFile g = GgufFile.open(variant(Arrays.copyOf(bytes, bytes.length - 28)))) {
            org.assertj.core.api.Assertions.assertThat(Dequantizer.dequantize(g.tensor("token_embd.weight"))).containsExactly(whole);
        }
    }

    @Test
    void anUnknownOrUnsupportedTensorTypeIsNamed() throws Exception {
        int typeAt = indexOfTensorType();
        byte[] unknown = bytes.clone();
        ByteBuffer.wrap(unknown).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 99);
        assertThatThrownBy(() -> GgufFile.open(variant(unknown))).hasMessageContaining("unknown tensor type 99");
        byte[] q5k = bytes.clone();
        ByteBuffer.wrap(q5k).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, GgmlType.Q5_K.id);
        assertThatThrownBy(() -> GgufFile.open(variant(q5k))).hasMessageContaining("tensor type Q5_K, which is not supported");
    }

    @Test
    void aMisalignedOffsetIsCorrupt() throws Exception {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(indexOfTensorType() + 4, 3);
        assertThatThrownBy(() -> GgufFile.open(variant(b))).hasMessageContaining("is not a multiple of 32");
    }

    @Test
    void anAbsurdCountIsCorruptNotAnOutOfMemory() throws Exception {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2); // metadata count
        assertThatThrownBy(() -> GgufFile.open(variant(b))).hasMessageContaining("cannot fit in the rest of the file");
    }

    @Test
    void missingMetadataAndTensorsAreNamed() throws Exception {
        try (GgufFile g = GgufFile.open(good)) {
            assertThatThrownBy(() -> g.integer("qwen2.embedding_length")).hasMessageContaining("'qwen2.embedding_length' is missing");
            assertThatThrownBy(() -> g.tensor("output.weight")).hasMessageContaining("tensor 'output.weight' is missing");
            assertThatThrownBy(() -> g.string("qwen2.block_count")).hasMessageContaining("is not String");
        }
    }

    /** Where the type field of the only tensor info sits: after its name, n_dims and two dims. */
    private int indexOfTensorType() {
        byte[] name = "token_embd.weight".getBytes();
        for (int i = 0; i < bytes.length - name.length; i++) {
            if (Arrays.equals(bytes, i, i + name.length, name, 0, name.length)) {
                return i + name.length + 4 + 16;
            }
        }
        throw new IllegalStateException("tensor name not found");
    }
}
