package io.chainrule.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 sigmoid and tanh of {@link MathFns} against the correctly rounded values (float64 functions rounded
 * once), on a sample of every 4099th float bit pattern (about a million values across the whole range, subnormals
 * and infinities included) plus the edge cases; and the vector rows against the scalar functions, bit for bit. (A
 * run over all 2^32 floats, by hand, found no error above 2 ulp.)
 */
class FloatMathTest {
    private static final int STEP = 4099;

    /** Distance in representable floats; both arguments finite or infinite. */
    private static long ulps(float a, float b) {
        int ia = Float.floatToRawIntBits(a), ib = Float.floatToRawIntBits(b);
        long la = ia < 0 ? (long) Integer.MIN_VALUE - ia : ia, lb = ib < 0 ? (long) Integer.MIN_VALUE - ib : ib;
        return Math.abs(la - lb);
    }

    private static float sigmoidReference(float x) {
        double e = Math.exp(-Math.abs((double) x));
        return (float) (x >= 0 ? 1 / (1 + e) : e / (1 + e));
    }

    @Test
    void withinTwoUlp() {
        long worstTanh = 0, worstSigmoid = 0;
        float atTanh = 0, atSigmoid = 0;
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += STEP) {
            float x = Float.intBitsToFloat((int) bits);
            if (Float.isNaN(x)) continue;
            long t = ulps(MathFns.tanh(x), (float) Math.tanh(x)), s = ulps(MathFns.sigmoid(x), sigmoidReference(x));
            if (t > worstTanh) {
                worstTanh = t;
                atTanh = x;
            }
            if (s > worstSigmoid) {
                worstSigmoid = s;
                atSigmoid = x;
            }
        }
        assertTrue(worstTanh <= 2, "tanh is " + worstTanh + " ulp off at " + atTanh);
        assertTrue(worstSigmoid <= 2, "sigmoid is " + worstSigmoid + " ulp off at " + atSigmoid);
    }

    @Test
    void edgeCases() {
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(MathFns.tanh(-0f)));
        assertEquals(0f, MathFns.tanh(0f));
        assertEquals(1f, MathFns.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, MathFns.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(1f, MathFns.tanh(10f));
        assertEquals(Float.MIN_VALUE, MathFns.tanh(Float.MIN_VALUE)); // tanh x = x below 2^-12
        assertTrue(Float.isNaN(MathFns.tanh(Float.NaN)));
        assertEquals(0.5f, MathFns.sigmoid(0f));
        assertEquals(0.5f, MathFns.sigmoid(-0f));
        assertEquals(1f, MathFns.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, MathFns.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(1f, MathFns.sigmoid(20f));
        assertEquals((float) Math.exp(-100), MathFns.sigmoid(-100f)); // subnormal: e^x, rounded once
        assertTrue(Float.isNaN(MathFns.sigmoid(Float.NaN)));
        // either side of the switch from the polynomial to the exponential form
        for (float x : new float[] {0.625f, Math.nextDown(0.625f), -0.625f, Math.nextUp(-0.625f)}) {
            assertTrue(ulps(MathFns.tanh(x), (float) Math.tanh(x)) <= 2, "tanh " + x);
        }
    }

    @Test
    void vectorRowsEqualTheScalarFunctions() {
        int n = 1003; // whole vectors and a scalar tail
        float[] x = new float[n];
        for (long bits = 0, i = 0; i < n; bits += 0xFFFFFFFFL / n, i++) x[(int) i] = Float.intBitsToFloat((int) bits);
        x[1] = -0f;
        x[2] = Float.NaN;
        x[3] = Float.NEGATIVE_INFINITY;
        for (int i = 4; i < 400; i++) x[i] = (i - 200) * 0.025f; // dense where both forms of tanh are used
        for (Pointwise.Unary op : new Pointwise.Unary[] {Pointwise.Unary.TANH, Pointwise.Unary.SIGMOID}) {
            float[] y = new float[n];
            Pointwise.unary(op, 0, 0, x, 0, y, 0, n);
            for (int i = 0; i < n; i++) {
                float e = op == Pointwise.Unary.TANH ? MathFns.tanh(x[i]) : MathFns.sigmoid(x[i]);
                if (Float.isNaN(e)) assertTrue(Float.isNaN(y[i]), op + " of NaN");
                else assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(y[i]), op + " of " + x[i]);
            }
        }
    }
}
