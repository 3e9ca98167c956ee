package io.cervella.inference.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    @Test
    void expIsWithinTwoUlpOfTheExactValue() {
        Random r = new Random(3);
        float[] x = new float[10_001];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 170 - 85); // the range that matters: softmax and SiLU arguments
        }
        x[0] = 0;
        x[1] = -87f;
        x[2] = 88f;
        float[] e = x.clone();
        VectorMath.expInPlace(e, e.length);
        for (int i = 0; i < x.length; i++) {
            double exact = Math.exp(x[i]);
            assertThat(Math.abs(e[i] - exact)).as("exp(%s) = %s", x[i], e[i]).isLessThanOrEqualTo(2 * Math.ulp((float) exact));
        }
        assertThat(e[0]).isEqualTo(1f);
    }

    @Test
    void siluTimesUpMatchesItsDefinition() {
        float[] gate = {-20f, -1.5f, 0f, 0.5f, 3f, 30f, 7f};
        float[] up = {1f, 2f, 3f, -4f, 0.25f, 1f, -1f};
        float[] out = gate.clone();
        VectorMath.swiGlu(out, up);
        for (int i = 0; i < gate.length; i++) {
            double exact = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            assertThat(out[i]).as("element %d", i).isCloseTo((float) exact, org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs((float) exact))));
        }
    }
}
