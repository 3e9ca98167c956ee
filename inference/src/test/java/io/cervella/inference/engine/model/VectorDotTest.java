package io.cervella.inference.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufTensor;
import io.cervella.inference.engine.gguf.Quantizer;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The vector kernels, the row decoder and the matrix product against the scalar reference and float64. */
class VectorDotTest {
    private static final int N = 512;
    private static final int ROWS = 7;

    /** A quantized matrix, its reference decoding and one of its inputs. */
    private record Case(MemorySegment seg, float[] decoded, float[] x) {
        static Case of(GgmlType type, long seed) {
            Random r = new Random(seed);
            float[] w = new float[N * ROWS];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            MemorySegment seg = MemorySegment.ofArray(Quantizer.quantize(type, w));
            float[] decoded = new float[N * ROWS];
            Dequantizer.dequantize(type, seg, 0, decoded, 0, N * ROWS);
            return new Case(seg, decoded, input(r));
        }

        static float[] input(Random r) {
            float[] x = new float[N];
            for (int i = 0; i < N; i++) {
                x[i] = (float) r.nextGaussian();
            }
            return x;
        }

        /** The exact dot product in float64, and Σ|w·x| to scale the error by. */
        double[] expected(int row, float[] x) {
            double sum = 0;
            double scale = 0;
            for (int i = 0; i < N; i++) {
                sum += (double) decoded[row * N + i] * x[i];
                scale += Math.abs((double) decoded[row * N + i] * x[i]);
            }
            return new double[] {sum, scale};
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void fusedKernelsMatchAFloat64Reference(GgmlType type) {
        assertThat(VectorDot.supports(type)).as("vector kernel available on this machine").isTrue();
        Case c = Case.of(type, type.ordinal());
        for (int row = 0; row < ROWS; row++) {
            double[] e = c.expected(row, c.x());
            float actual = VectorDot.dot(type, c.seg(), row, c.x(), N);
            assertThat(Math.abs(actual - e[0]) / e[1]).as("row %d", row).isLessThan(1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void rowDecoderEqualsTheScalarReferenceToTheBit(GgmlType type) {
        Case c = Case.of(type, 100 + type.ordinal());
        float[] row = new float[N];
        for (int r = 0; r < ROWS; r++) {
            RowDecoder.decode(type, c.seg(), r, row, N);
            for (int i = 0; i < N; i++) {
                assertThat(Float.floatToRawIntBits(row[i])).as("row %d element %d", r, i)
                        .isEqualTo(Float.floatToRawIntBits(c.decoded()[r * N + i]));
            }
        }
    }

    /** Batches of 1 (fused kernels), 2-3 (leftover inputs), 4 and 9 (two-by-four tiles plus leftovers), on two threads. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void matrixProductOfSeveralMatricesMatchesFloat64(GgmlType type) {
        Case a = Case.of(type, 200 + type.ordinal());
        Case b = Case.of(type, 300 + type.ordinal());
        GgufTensor ta = new GgufTensor("a", new long[] {N, ROWS}, type, 0, a.seg());
        GgufTensor tb = new GgufTensor("b", new long[] {N, ROWS}, type, 0, b.seg());
        Random r = new Random(type.ordinal());
        try (ThreadTeam team = new ThreadTeam(2)) {
            MatMul matmul = new MatMul(team);
            for (int batch : new int[] {1, 2, 3, 4, 9}) {
                float[][] x = new float[batch][];
                for (int i = 0; i < batch; i++) {
                    x[i] = Case.input(r);
                }
                float[][] outA = new float[batch][ROWS];
                float[][] outB = new float[batch][ROWS];
                matmul.apply(x, batch, new GgufTensor[] {ta, tb}, new float[][][] {outA, outB});
                for (int i = 0; i < batch; i++) {
                    for (int row = 0; row < ROWS; row++) {
                        double[] ea = a.expected(row, x[i]);
                        double[] eb = b.expected(row, x[i]);
                        assertThat(Math.abs(outA[i][row] - ea[0]) / ea[1]).as("batch %d input %d row %d of a", batch, i, row)
                                .isLessThan(1e-5);
                        assertThat(Math.abs(outB[i][row] - eb[0]) / eb[1]).as("batch %d input %d row %d of b", batch, i, row)
                                .isLessThan(1e-5);
                    }
                }
            }
        }
    }

    /**
     * A token's products are the same to the bit whatever else is in the batch: alone (fused kernel),
     * first of four (tile), or among leftovers (plain dot), on one thread or two.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void resultsDoNotDependOnTheBatch(GgmlType type) {
        Case a = Case.of(type, 400 + type.ordinal());
        GgufTensor t = new GgufTensor("a", new long[] {N, ROWS}, type, 0, a.seg());
        Random r = new Random(type.ordinal());
        float[][] x = new float[7][];
        for (int i = 0; i < x.length; i++) {
            x[i] = Case.input(r);
        }
        try (ThreadTeam team = new ThreadTeam(2)) {
            MatMul matmul = new MatMul(team);
            float[][] together = new float[7][ROWS];
            matmul.apply(t, x, together, 7);
            for (int i = 0; i < x.length; i++) {
                float[][] alone = new float[1][ROWS];
                matmul.apply(t, new float[][] {x[i]}, alone, 1);
                for (int row = 0; row < ROWS; row++) {
                    assertThat(Float.floatToRawIntBits(together[i][row])).as("input %d row %d", i, row)
                            .isEqualTo(Float.floatToRawIntBits(alone[0][row]));
                }
            }
        }
    }
}
