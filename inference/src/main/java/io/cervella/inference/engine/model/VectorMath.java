package io.cervella.inference.engine.model;

import static io.cervella.inference.engine.model.VectorDot.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x on float vectors from lane-wise additions and multiplications only, so that compiled and
 * interpreted code give the same bits (the Vector API's own EXP calls a native library once compiled
 * and {@code Math.exp} before, and the two differ in the last bit). Range reduction x = n·ln2 + r with
 * |r| ≤ ln2/2, a degree-6 polynomial for e^r (the classic single-precision coefficients), and 2^n built in
 * the exponent bits. Relative error within about 2 ulp; arguments are clamped to [−87.3, 88.3], so the
 * result stays between e^−87.3 (near the smallest normal float) and e^88.3 (below the largest).
 */
final class VectorMath {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUNDER = 12582912f;

    private VectorMath() {}

    static FloatVector exp(FloatVector x) {
        x = x.max(-87.3f).min(88.3f);
        FloatVector n = x.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = x.sub(n.mul(LN2_HIGH)).sub(n.mul(LN2_LOW));
        FloatVector p = FloatVector.broadcast(F, 1.9875691500e-4f);
        p = p.mul(r).add(1.3981999507e-3f);
        p = p.mul(r).add(8.3334519073e-3f);
        p = p.mul(r).add(4.1665795894e-2f);
        p = p.mul(r).add(1.6666665459e-1f);
        p = p.mul(r).add(5.0000001201e-1f);
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector exponent = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(exponent.reinterpretAsFloats());
    }

    /** a[i] = e^a[i] for i in [0, count); the tail goes through the same vector code. */
    static void expInPlace(float[] a, int count) {
        int i = 0;
        for (; i + VectorDot.LANES <= count; i += VectorDot.LANES) {
            exp(FloatVector.fromArray(F, a, i)).intoArray(a, i);
        }
        if (i < count) {
            float[] tail = new float[VectorDot.LANES];
            System.arraycopy(a, i, tail, 0, count - i);
            exp(FloatVector.fromArray(F, tail, 0)).intoArray(tail, 0);
            System.arraycopy(tail, 0, a, i, count - i);
        }
    }

    /** gate[i] = SiLU(gate[i]) · up[i], SiLU(g) = g / (1 + e^−g). */
    static void swiGlu(float[] gate, float[] up) {
        int n = gate.length;
        int i = 0;
        for (; i + VectorDot.LANES <= n; i += VectorDot.LANES) {
            silu(FloatVector.fromArray(F, gate, i)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        if (i < n) {
            float[] g = new float[VectorDot.LANES];
            float[] u = new float[VectorDot.LANES];
            System.arraycopy(gate, i, g, 0, n - i);
            System.arraycopy(up, i, u, 0, n - i);
            silu(FloatVector.fromArray(F, g, 0)).mul(FloatVector.fromArray(F, u, 0)).intoArray(g, 0);
            System.arraycopy(g, 0, gate, i, n - i);
        }
    }

    private static FloatVector silu(FloatVector g) {
        return g.div(exp(g.neg()).add(1f));
    }
}
