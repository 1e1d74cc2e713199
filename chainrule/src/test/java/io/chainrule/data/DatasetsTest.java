package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DatasetsTest {
    private static int[] counts(TensorDataset ds, int classes) {
        int[] c = new int[classes];
        for (long v : ds.y().toLongArray()) c[(int) v]++;
        return c;
    }

    private static void assertPlanar(TensorDataset ds, int n) {
        assertArrayEquals(new int[] {n, 2}, ds.x().shape());
        assertArrayEquals(new int[] {n}, ds.y().shape());
        assertEquals(DType.FLOAT32, ds.x().dtype());
        assertEquals(DType.INT64, ds.y().dtype());
    }

    @Test
    void spiralWithoutNoiseFollowsTheFormula() {
        TensorDataset ds = Datasets.spiral(5, 3, 0.0, new Generator(0));
        assertPlanar(ds, 15);
        assertArrayEquals(new int[] {5, 5, 5}, counts(ds, 3));
        // Class 1, point 2: r = 0.5, t = 4 + 2 = 6.
        assertEquals(0.5 * Math.sin(6), ds.x().get(7, 0), 1e-7);
        assertEquals(0.5 * Math.cos(6), ds.x().get(7, 1), 1e-7);
        // Class 2, last point: r = 1, t = 12.
        assertEquals(Math.sin(12), ds.x().get(14, 0), 1e-7);
        assertEquals(0.0, ds.x().get(0, 0));
        assertEquals(1, (int) ds.y().get(7));
    }

    @Test
    void spiralNoiseAndDeterminism() {
        TensorDataset a = Datasets.spiral(100, 4, 0.2, new Generator(3));
        TensorDataset b = Datasets.spiral(100, 4, 0.2, new Generator(3));
        TensorDataset c = Datasets.spiral(100, 4, 0.2, new Generator(4));
        assertPlanar(a, 400);
        assertArrayEquals(new int[] {100, 100, 100, 100}, counts(a, 4));
        assertArrayEquals(a.x().toFloatArray(), b.x().toFloatArray());
        assertFalse(java.util.Arrays.equals(a.x().toFloatArray(), c.x().toFloatArray()));
        // Noise moves the angle only: every point keeps its radius.
        float[] x = a.x().toFloatArray();
        for (int i = 0; i < 400; i++) {
            double r = (i % 100) / 99.0;
            assertEquals(r, Math.hypot(x[2 * i], x[2 * i + 1]), 1e-6);
        }
    }

    @Test
    void moonsMatchMakeMoons() {
        TensorDataset ds = Datasets.moons(7, 0.0, new Generator(0));
        assertPlanar(ds, 7);
        assertArrayEquals(new int[] {3, 4}, counts(ds, 2));
        // Outer moon: θ = 0, π/2, π; inner: θ = 0, π/3, 2π/3, π.
        assertArrayEquals(new float[] {1, 0, 0, 1, -1, 0}, java.util.Arrays.copyOf(ds.x().toFloatArray(), 6), 1e-7f);
        assertEquals(0.0, ds.x().get(3, 0), 1e-7);
        assertEquals(0.5, ds.x().get(3, 1), 1e-7);
        assertEquals(1 - Math.cos(Math.PI / 3), ds.x().get(4, 0), 1e-7);
        assertEquals(0.5 - Math.sin(Math.PI / 3), ds.x().get(4, 1), 1e-7);
        assertEquals(2.0, ds.x().get(6, 0), 1e-7);

        TensorDataset noisy = Datasets.moons(1000, 0.1, new Generator(9));
        assertArrayEquals(new int[] {500, 500}, counts(noisy, 2));
        assertArrayEquals(noisy.x().toFloatArray(), Datasets.moons(1000, 0.1, new Generator(9)).x().toFloatArray());
        // The noise is the difference from the clean set: standard deviation ~0.1.
        float[] clean = Datasets.moons(1000, 0.0, new Generator(9)).x().toFloatArray();
        float[] got = noisy.x().toFloatArray();
        double ss = 0;
        for (int i = 0; i < got.length; i++) ss += (got[i] - clean[i]) * (got[i] - clean[i]);
        assertEquals(0.1, Math.sqrt(ss / got.length), 0.01);
    }

    @Test
    void xorLabelsAndBalance() {
        TensorDataset clean = Datasets.xor(2000, 0.0, new Generator(5));
        assertPlanar(clean, 2000);
        float[] x = clean.x().toFloatArray();
        long[] y = clean.y().toLongArray();
        for (int i = 0; i < 2000; i++) {
            assertTrue(Math.abs(x[2 * i]) <= 1 && Math.abs(x[2 * i + 1]) <= 1);
            assertEquals(x[2 * i] * x[2 * i + 1] < 0 ? 1 : 0, y[i]);
        }
        int ones = counts(clean, 2)[1];
        assertTrue(ones > 1000 - 150 && ones < 1000 + 150, "ones: " + ones); // binomial sd ≈ 22
        TensorDataset noisy = Datasets.xor(2000, 0.3, new Generator(5));
        assertArrayEquals(y, noisy.y().toLongArray(), "labels come from the clean points");
        assertArrayEquals(noisy.x().toFloatArray(), Datasets.xor(2000, 0.3, new Generator(5)).x().toFloatArray());
    }

    @Test
    void badArguments() {
        Generator g = new Generator(0);
        assertThrows(IllegalArgumentException.class, () -> Datasets.spiral(0, 3, 0.1, g));
        assertThrows(IllegalArgumentException.class, () -> Datasets.moons(10, -1, g));
        assertThrows(IllegalArgumentException.class, () -> Datasets.xor(10, 0.1, null));
        assertThrows(IllegalArgumentException.class, () -> Datasets.xor(0, 0.1, g));
    }
}
