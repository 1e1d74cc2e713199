package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class StandardizerTest {
    @Test
    void exactStatistics() {
        Tensor x = Tensor.of(new float[][] {{1, 10, 5}, {3, 30, 5}, {5, 20, 5}});
        Standardizer st = Standardizer.fit(x);
        assertArrayEquals(new float[] {3, 20, 5}, st.mean().toFloatArray());
        // Population std: feature 0 has deviations -2, 0, 2 -> sqrt(8/3); a constant feature gets 1.
        assertArrayEquals(new float[] {(float) Math.sqrt(8.0 / 3), (float) Math.sqrt(200.0 / 3), 1f},
                st.std().toFloatArray(), 1e-6f);
        Tensor z = st.apply(x);
        assertArrayEquals(new float[] {(float) (-2 / Math.sqrt(8.0 / 3)), (float) (-10 / Math.sqrt(200.0 / 3)), 0},
                Tensor.of(z.toFloatArray()).narrow(0, 0, 3).toFloatArray(), 1e-6f);
        assertArrayEquals(x.toFloatArray(), st.inverse(z).toFloatArray(), 1e-5f);
    }

    @Test
    void trainStandardizedTestUsesTrainStatistics() {
        Generator g = new Generator(17);
        Tensor train = Tensor.randn(g, 500, 4).mul(Tensor.of(new float[] {1, 10, 0.1f, 3})).add(Tensor.of(new float[] {5, -2, 100, 0}));
        Standardizer st = Standardizer.fit(train);
        Tensor z = st.apply(train);
        assertArrayEquals(new int[] {500, 4}, z.shape());
        float[] m = z.mean(0, false).toFloatArray();
        double[] v = z.to(DType.FLOAT64).var(0, false).mul(499.0 / 500).toDoubleArray(); // population variance
        for (int j = 0; j < 4; j++) {
            // The float32 mean of feature 2 (100 ± 0.1) is off by up to half an ulp of 100 = 3.8e-6, i.e. 3.8e-5 std.
            assertEquals(0, m[j], 1e-4);
            assertEquals(1, v[j], 1e-5);
        }
        Tensor test = Tensor.of(new float[] {5, -2, 100, 0}, 1, 4);
        float[] zt = st.apply(test).toFloatArray();
        float[] mean = st.mean().toFloatArray(), std = st.std().toFloatArray();
        for (int j = 0; j < 4; j++) assertEquals((test.toFloatArray()[j] - mean[j]) / std[j], zt[j], 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.apply(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void imagesAndDtypes() {
        Tensor x = Tensor.of(new double[] {0, 2, 4, 6, 8, 10, 12, 14}, 2, 1, 2, 2);
        Standardizer st = Standardizer.fit(x);
        assertEquals(DType.FLOAT64, st.mean().dtype());
        assertArrayEquals(new int[] {1, 2, 2}, st.mean().shape());
        assertArrayEquals(new double[] {4, 6, 8, 10}, st.mean().toDoubleArray());
        assertArrayEquals(new double[] {4, 4, 4, 4}, st.std().toDoubleArray());
        assertArrayEquals(new double[] {-1, -1, -1, -1, 1, 1, 1, 1}, st.apply(x).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(Tensor.zeros(0, 3)));
    }
}
