package io.cervella.inference.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GgufRoundTripTest {
    @TempDir Path dir;

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 0.5);
        }
        return x;
    }

    /** Relative RMS error of the decoded values against the originals, computed in float64. */
    private static double relativeRms(float[] original, float[] decoded) {
        double err = 0;
        double ref = 0;
        for (int i = 0; i < original.length; i++) {
            double e = (double) original[i] - decoded[i];
            err += e * e;
            ref += (double) original[i] * original[i];
        }
        return Math.sqrt(err / ref);
    }

    @Test
    void metadataOfEveryTypeRoundTrips() throws Exception {
        Path file = dir.resolve("meta.gguf");
        new GgufWriter()
                .putString("general.architecture", "qwen3")
                .putString("general.name", "Cervella Baby è 🐣")
                .putU32("qwen3.block_count", 4)
                .putI32("some.signed", -7)
                .putU64("some.big", 1L << 40)
                .putF32("qwen3.rope.freq_base", 1_000_000f)
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putStrings("tokenizer.ggml.tokens", new String[] {"a", "Ġb", "<|im_end|>"})
                .putI32s("tokenizer.ggml.token_type", new int[] {1, 1, 3})
                .putF32s("tokenizer.ggml.scores", new float[] {0f, -1.5f, 2f})
                .addTensor("t", new long[] {32}, GgmlType.F32, Quantizer.quantize(GgmlType.F32, gaussian(32, 1)))
                .write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.architecture()).isEqualTo("qwen3");
            assertThat(g.string("general.name")).isEqualTo("Cervella Baby è 🐣");
            assertThat(g.integer("qwen3.block_count")).isEqualTo(4);
            assertThat(g.integer("some.signed")).isEqualTo(-7);
            assertThat(g.integer("some.big")).isEqualTo(1L << 40);
            assertThat(g.real("qwen3.rope.freq_base")).isEqualTo(1_000_000f);
            assertThat(g.metadata().get("tokenizer.ggml.add_bos_token")).isEqualTo(false);
            assertThat(g.require("tokenizer.ggml.tokens", String[].class)).containsExactly("a", "Ġb", "<|im_end|>");
            assertThat(g.require("tokenizer.ggml.token_type", int[].class)).containsExactly(1, 1, 3);
            assertThat(g.require("tokenizer.ggml.scores", float[].class)).containsExactly(0f, -1.5f, 2f);
            assertThat(g.integer("missing.key", 9)).isEqualTo(9);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void tensorsOfEverySupportedTypeRoundTripWithinTheTypesPrecision(GgmlType type) throws Exception {
        float[] x = gaussian(512 * 3, type.ordinal());
        Path file = dir.resolve(type + ".gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .addTensor("small", new long[] {256}, GgmlType.F32, Quantizer.quantize(GgmlType.F32, gaussian(256, 5)))
                .addTensor("w", new long[] {512, 3}, type, Quantizer.quantize(type, x))
                .write(file);
        try (GgufFile g = GgufFile.open(file)) {
            GgufTensor t = g.tensor("w");
            assertThat(t.type()).isEqualTo(type);
            assertThat(t.rowLength()).isEqualTo(512);
            assertThat(t.rows()).isEqualTo(3);
            assertThat(t.offset() % g.alignment()).isZero();
            float[] back = Dequantizer.dequantize(t);
            double limit = switch (type) {
                case F32 -> 0;
                case F16 -> 1e-3;
                case BF16 -> 5e-3;
                case Q8_0 -> 0.01;
                case Q6_K -> 0.03;
                case Q4_0, Q4_K -> 0.12;
                default -> throw new IllegalStateException();
            };
            assertThat(relativeRms(x, back)).isLessThanOrEqualTo(limit);
            // Decoding one row alone gives the same values as decoding the whole tensor.
            float[] row = new float[512];
            Dequantizer.dequantize(type, t.data(), 512, row, 0, 512);
            assertThat(row).containsExactly(java.util.Arrays.copyOfRange(back, 512, 1024));
        }
    }

    @Test
    void aLargerAlignmentIsHonoured() throws Exception {
        Path file = dir.resolve("aligned.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putU32("general.alignment", 64)
                .addTensor("a", new long[] {32}, GgmlType.Q8_0, Quantizer.quantize(GgmlType.Q8_0, gaussian(32, 1)))
                .addTensor("b", new long[] {32}, GgmlType.Q8_0, Quantizer.quantize(GgmlType.Q8_0, gaussian(32, 2)))
                .write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertThat(g.alignment()).isEqualTo(64);
            assertThat(g.tensor("b").offset()).isEqualTo(64);
            assertThat(g.tensor("b").data().address() - g.tensor("a").data().address()).isEqualTo(64);
        }
        assertThat(Files.size(file) % 64).isZero();
    }

    /** Preloading reports its progress in rising fractions that end at 1, and leaves the tensors readable. */
    @Test
    void preloadReportsProgressToTheEnd() throws Exception {
        Path file = dir.resolve("preload.gguf");
        float[] values = new float[(70 << 20) / 4]; // 70 MiB: two steps of 64 MiB
        values[values.length - 1] = 42f;
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        new GgufWriter().putString("general.architecture", "llama")
                .addTensor("big", new long[] {values.length}, GgmlType.F32, bytes.array()).write(file);
        try (GgufFile g = GgufFile.open(file)) {
            java.util.List<Double> seen = new java.util.ArrayList<>();
            g.preload(seen::add);
            assertThat(seen).hasSize(2).isSorted();
            assertThat(seen.getLast()).isEqualTo(1.0);
            assertThat(Dequantizer.dequantize(g.tensor("big"))[values.length - 1]).isEqualTo(42f);
        }
    }
}
