package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.Quantizer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Is llama.cpp's route for Q4_K (activations rounded to 8 bits, integer products) faster in Java? A
 * prototype of the nearest thing the Vector API allows (nibbles widened to 16 bits, multiplied with
 * 16-bit activations, products widened to 32 bits, one conversion to float per sub-block) against the
 * engine's own float kernel ({@link VectorDot}), on one 3584×1280 matrix, one thread, same run.
 * AVX-512 only (16 float lanes). Run (docs/benchmarks.md):
 * MAVEN_OPTS="--add-modules jdk.incubator.vector" ./mvnw -q -pl inference test-compile exec:java
 * -Dexec.mainClass=io.cervella.inference.engine.model.Q4kIntegerRouteBenchmark -Dexec.classpathScope=test
 */
public final class Q4kIntegerRouteBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static void main(String[] args) {
        if (VectorDot.LANES != 16) {
            System.out.println("this prototype needs 16 float lanes (AVX-512); this machine has " + VectorDot.LANES);
            return;
        }
        int rows = 3584;
        int n = 1280;
        Random r = new Random(1);
        float[] weights = new float[rows * n];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (r.nextGaussian() / Math.sqrt(n));
        }
        MemorySegment w = MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q4_K, weights));
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        // 8-bit activations per block of 32, as llama.cpp rounds them (kept as shorts for 16-bit products)
        short[] qx = new short[n];
        float[] dx = new float[n / 32];
        int[] sx = new int[n / 32];
        for (int blk = 0; blk < n / 32; blk++) {
            float max = 0;
            for (int i = 0; i < 32; i++) {
                max = Math.max(max, Math.abs(x[blk * 32 + i]));
            }
            dx[blk] = max / 127;
            for (int i = 0; i < 32; i++) {
                qx[blk * 32 + i] = (short) Math.round(x[blk * 32 + i] / dx[blk]);
                sx[blk] += qx[blk * 32 + i];
            }
        }
        float[] out = new float[rows];
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 15; round++) {
            for (int route = 0; route < 2; route++) {
                long t0 = System.nanoTime();
                for (int repeat = 0; repeat < 20; repeat++) {
                    for (int row = 0; row < rows; row++) {
                        out[row] = route == 0 ? VectorDot.dot(GgmlType.Q4_K, w, row, x, n)
                                : integerRoute(w, row * (n / 256) * 144L, qx, dx, sx, n);
                    }
                }
                best[route] = Math.min(best[route], (System.nanoTime() - t0) / 20 / 1e6);
            }
        }
        System.out.printf("float kernel (VectorDot): %.3f ms per product%n", best[0]);
        System.out.printf("16-bit integer route:     %.3f ms per product (%.2fx the float kernel's time)%n", best[1],
                best[1] / best[0]);
    }

    private static float integerRoute(MemorySegment w, long at, short[] qx, float[] dx, int[] sx, int n) {
        FloatVector acc = FloatVector.zero(F);
        float minimums = 0;
        for (int sb = 0; sb < n / 256; sb++) {
            long b = at + sb * 144L;
            float d = Float.float16ToFloat(w.get(I16, b));
            float dmin = Float.float16ToFloat(w.get(I16, b + 2));
            // scales and minimums unpacked four at a time, as the float kernel does
            long packed = w.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), b + 4);
            int packedHigh = w.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), b + 12);
            int first4 = (int) packed;
            int second4 = (int) (packed >>> 32);
            int scalesLow = first4 & 0x3f3f3f3f;
            int scalesHigh = (packedHigh & 0x0f0f0f0f) | ((first4 & 0xc0c0c0c0) >>> 2);
            int minsLow = second4 & 0x3f3f3f3f;
            int minsHigh = ((packedHigh >>> 4) & 0x0f0f0f0f) | ((second4 & 0xc0c0c0c0) >>> 2);
            for (int pair = 0; pair < 4; pair++) {
                ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, b + 16 + pair * 32L, ByteOrder.LITTLE_ENDIAN);
                for (int half = 0; half < 2; half++) {
                    int j = 2 * pair + half;
                    ByteVector nibbles = (half == 0 ? q : q.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes())
                            .and((byte) 15);
                    ShortVector products = ((ShortVector) nibbles.convertShape(VectorOperators.B2S, S, 0))
                            .mul(ShortVector.fromArray(S, qx, sb * 256 + j * 32));
                    IntVector sums = ((IntVector) products.convertShape(VectorOperators.S2I, I, 0))
                            .add((IntVector) products.convertShape(VectorOperators.S2I, I, 1));
                    int block = sb * 8 + j;
                    float scale = d * (((j < 4 ? scalesLow : scalesHigh) >>> (8 * (j & 3))) & 0xff);
                    float min = dmin * (((j < 4 ? minsLow : minsHigh) >>> (8 * (j & 3))) & 0xff);
                    acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale * dx[block]), acc);
                    minimums += min * dx[block] * sx[block];
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - minimums;
    }
}
