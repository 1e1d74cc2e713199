package io.chainrule.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generated GEMM tiles: every shape gives the chosen shape's bits, on every path; the self-check's rule. */
class GemmTileTest {
    /** {transA, transB, m, n, k, accumulate}: packed, A rows in place, B in place, transposed form, ragged edges. */
    private static final int[][] CASES = {{0, 0, 67, 131, 300, 0}, {0, 0, 13, 40, 70, 1}, {0, 0, 30, 300, 513, 0},
        {1, 1, 45, 77, 290, 1}, {0, 1, 32, 256, 100, 0}, {1, 0, 100, 9, 257, 0}};

    @Test
    void everyTileGivesTheSameBits() {
        assertTrue(Simd.ENABLED, "Vector API kernels should be enabled under the Maven build");
        Random r = new Random(21);
        for (int[] t : CASES) {
            boolean ta = t[0] == 1, tb = t[1] == 1, acc = t[5] == 1;
            int m = t[2], n = t[3], k = t[4];
            float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
            double[] da = new double[m * k], db = new double[k * n], dc0 = new double[m * n];
            for (int i = 0; i < a.length; i++) da[i] = a[i] = r.nextFloat() * 2 - 1;
            for (int i = 0; i < b.length; i++) db[i] = b[i] = r.nextFloat() * 2 - 1;
            for (int i = 0; i < c0.length; i++) dc0[i] = c0[i] = r.nextFloat();
            int lda = ta ? m : k, ldb = tb ? k : n;
            float[] want = c0.clone();
            Gemm.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, want, 0, n, acc);
            double[] dWant = dc0.clone();
            Gemm.dgemm(ta, tb, m, n, k, da, 0, lda, db, 0, ldb, dWant, 0, n, acc);
            for (String shape : GemmKernels.SHAPES) {
                for (boolean parallel : new boolean[] {false, true}) {
                    String what = shape + (parallel ? " parallel " : " ") + java.util.Arrays.toString(t);
                    float[] c = c0.clone();
                    SimdGemm.gemm(GemmKernels.of(true, shape), ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, acc,
                            parallel);
                    assertArrayEquals(want, c, "sgemm, tile " + what);
                    double[] dc = dc0.clone();
                    SimdGemm.gemm(GemmKernels.of(false, shape), ta, tb, m, n, k, da, 0, lda, db, 0, ldb, dc, 0, n,
                            acc, parallel);
                    assertArrayEquals(dWant, dc, "dgemm, tile " + what);
                }
            }
        }
    }

    @Test
    void kernelsByName() {
        for (String shape : GemmKernels.SHAPES) {
            GemmKernel f = GemmKernels.of(true, shape), d = GemmKernels.of(false, shape);
            assertNotNull(f, shape);
            assertEquals(shape, f.shape());
            assertEquals(shape, f.mr + "x" + f.vectors);
            assertEquals(2 * d.nr, f.nr, "a float vector holds twice the lanes of a double one, " + shape);
        }
        assertEquals(null, GemmKernels.of(true, "5x5"));
        assertTrue(Gemm.kernelInfo().contains("tile " + GemmTile.FLOAT_LARGE.shape()), Gemm.kernelInfo());
    }

    /** Fast samples never report; three slow ones in a row do, once. */
    @Test
    void watchReportsOnlyARunOfSlowSamples() {
        long work = GemmWatch.MIN_WORK;
        long fast = (long) (2.0 * work / 50.0), slow = (long) (2.0 * work / (GemmWatch.FLOOR / 10));
        GemmWatch.record(GemmTile.FLOAT, true, work, slow);
        GemmWatch.record(GemmTile.FLOAT, true, work, slow);
        GemmWatch.record(GemmTile.FLOAT, true, work, fast);
        GemmWatch.record(GemmTile.FLOAT, true, work, slow);
        assertFalse(GemmWatch.reported(), "one fast sample in between starts the count again");
        GemmWatch.record(GemmTile.FLOAT, true, work, slow);
        GemmWatch.record(GemmTile.FLOAT, true, work, slow);
        assertTrue(GemmWatch.reported(), "three slow samples in a row");
        assertFalse(GemmWatch.sample(work), "no more sampling once reported");
    }
}
