package io.cervella.inference.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.Quantizer;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The vector kernels against dequantize-then-multiply in float64, row by row. */
class VectorDotTest {
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0", "Q4_K"})
    void kernelsMatchAFloat64Reference(GgmlType type) {
        assertThat(VectorDot.supports(type)).as("vector kernel available on this machine").isTrue();
        Random r = new Random(type.ordinal());
        int n = 512;
        int rows = 7;
        float[] w = new float[n * rows];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        MemorySegment seg = MemorySegment.ofArray(Quantizer.quantize(type, w));
        float[] decoded = new float[n * rows];
        Dequantizer.dequantize(type, seg, 0, decoded, 0, n * rows);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int row = 0; row < rows; row++) {
            double expected = 0;
            double scale = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) decoded[row * n + i] * x[i];
                scale += Math.abs((double) decoded[row * n + i] * x[i]);
            }
            float actual = VectorDot.dot(type, seg, row, x, n);
            assertThat(Math.abs(actual - expected) / scale).as("row %d", row).isLessThan(1e-5);
            if (type == GgmlType.Q4_K) {
                continue; // no four-input form for Q4_K yet
            }
            float[] four = new float[4];
            float[] z = new float[n];
            VectorDot.dot4(type, seg, row, z, x, z, x, n, four);
            assertThat(four[0]).isZero();
            assertThat(Math.abs(four[1] - expected) / scale).as("row %d, batched", row).isLessThan(1e-5);
            assertThat(four[3]).isEqualTo(four[1]);
        }
    }
}
