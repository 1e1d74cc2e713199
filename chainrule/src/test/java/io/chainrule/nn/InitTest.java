package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Initialisers: the statistics PyTorch's formulas give, fans, reproducibility, in-place on parameters. */
class InitTest {
    /** Mean and standard deviation of a tensor's values. */
    private static double[] stats(Tensor t) {
        double[] v = t.toDoubleArray();
        double mean = 0, sq = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        for (double x : v) sq += (x - mean) * (x - mean);
        return new double[] {mean, Math.sqrt(sq / v.length)};
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double x : t.toDoubleArray()) m = Math.max(m, Math.abs(x));
        return m;
    }

    @Test
    void fansFollowPyTorch() {
        assertEquals(new Init.Fans(784, 128), Init.fans(Tensor.zeros(128, 784)));
        assertEquals(new Init.Fans(3 * 25, 16 * 25), Init.fans(Tensor.zeros(16, 3, 5, 5)));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(5)));
    }

    @Test
    void kaimingStatistics() {
        // fan_in = 250: uniform bound √2·√(3/250), normal std √2/√250.
        Tensor w = Tensor.zeros(400, 250);
        Init.kaimingUniform(w, new Generator(1));
        double bound = Math.sqrt(2) * Math.sqrt(3.0 / 250);
        double[] s = stats(w);
        assertEquals(0, s[0], 0.002);
        assertEquals(bound / Math.sqrt(3), s[1], 0.01 * bound);
        assertTrue(maxAbs(w) <= bound && maxAbs(w) > 0.99 * bound);

        Init.kaimingNormal(w, new Generator(2));
        s = stats(w);
        assertEquals(0, s[0], 0.002);
        assertEquals(Math.sqrt(2.0 / 250), s[1], 0.01 * Math.sqrt(2.0 / 250));

        // a = √5 (Linear's default) gives the bound 1/√fan_in.
        Init.kaimingUniform(w, Math.sqrt(5), new Generator(3));
        assertTrue(maxAbs(w) <= 1 / Math.sqrt(250) && maxAbs(w) > 0.99 / Math.sqrt(250));
    }

    @Test
    void xavierStatistics() {
        Tensor w = Tensor.zeros(DType.FLOAT64, 300, 200);
        double bound = Math.sqrt(6.0 / 500);
        Init.xavierUniform(w, new Generator(4));
        assertEquals(bound / Math.sqrt(3), stats(w)[1], 0.01 * bound);
        assertTrue(maxAbs(w) <= bound);
        Init.xavierNormal(w, new Generator(5));
        assertEquals(0, stats(w)[0], 0.002);
        assertEquals(Math.sqrt(2.0 / 500), stats(w)[1], 0.01 * Math.sqrt(2.0 / 500));
    }

    @Test
    void uniformNormalZerosOnes() {
        Tensor t = Tensor.zeros(DType.FLOAT64, 100000);
        Init.uniform(t, 2, 5, new Generator(6));
        double[] s = stats(t);
        assertEquals(3.5, s[0], 0.01);
        assertEquals(3 / Math.sqrt(12), s[1], 0.01);
        for (double v : t.toDoubleArray()) assertTrue(v >= 2 && v < 5);
        Init.normal(t, -1, 0.5, new Generator(7));
        s = stats(t);
        assertEquals(-1, s[0], 0.01);
        assertEquals(0.5, s[1], 0.01);
        assertSame(t, Init.zeros(t));
        assertEquals(0, maxAbs(t), 0);
        Init.ones(t);
        assertEquals(100000, t.sum().item(), 0);
    }

    @Test
    void sameSeedSameValuesAndManualSeedAppliesToTheDefault() {
        Tensor a = Init.kaimingNormal(Tensor.zeros(30, 20), new Generator(42));
        Tensor b = Init.kaimingNormal(Tensor.zeros(30, 20), new Generator(42));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        Tensor c = Init.kaimingNormal(Tensor.zeros(30, 20), new Generator(43));
        assertTrue(Math.abs(a.get(0, 0) - c.get(0, 0)) > 0);

        Tensor.manualSeed(9);
        float[] first = Init.xavierUniform(Tensor.zeros(4, 4)).toFloatArray();
        Tensor.manualSeed(9);
        assertArrayEquals(first, Init.xavierUniform(Tensor.zeros(4, 4)).toFloatArray());
    }

    @Test
    void fillsParametersInPlaceWithoutRecording() {
        Tensor p = Tensor.zeros(3, 4).requiresGrad(true);
        assertSame(p, Init.xavierUniform(p, new Generator(1)));
        assertTrue(p.isLeaf() && p.requiresGrad());
        assertTrue(maxAbs(p) > 0);
        Init.zeros(p);
        assertEquals(0, maxAbs(p), 0);
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(DType.INT64, 3), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(3), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(3), 0, -1));
        assertEquals(0, Init.kaimingUniform(Tensor.zeros(0, 5)).numel()); // empty: a no-op, as in PyTorch
    }
}
