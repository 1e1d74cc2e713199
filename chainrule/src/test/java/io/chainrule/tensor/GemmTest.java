package io.chainrule.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GemmTest {
    private static final int[] DIMS = {0, 1, 2, 3, 7, 17, 64, 65, 130, 257};
    private static final int[] SMALL_DIMS = {0, 1, 2, 3, 7, 17, 65, 130};
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** Which implementation a case runs through. */
    private enum Impl { PUBLIC, SCALAR }

    /**
     * One GEMM case with offsets and leading dimensions larger than the rows, filled with values in [-1, 1].
     * C starts non-zero so accumulate=false must overwrite it; the padding around the views must survive.
     */
    private static final class Case {
        final boolean ta, tb, acc;
        final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        final double[] a, b, c0;

        Case(boolean ta, boolean tb, int m, int n, int k, boolean acc, Random r) {
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
            this.acc = acc;
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
            aOff = r.nextInt(5);
            lda = aCols + r.nextInt(4);
            bOff = r.nextInt(5);
            ldb = bCols + r.nextInt(4);
            cOff = r.nextInt(5);
            ldc = n + r.nextInt(4);
            a = fill(aOff + aRows * lda + 3, r);
            b = fill(bOff + bRows * ldb + 3, r);
            c0 = fill(cOff + m * ldc + 3, r);
        }

        double aAt(int i, int p) {
            return ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        double bAt(int p, int j) {
            return tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** Checks {@code got} against a double-precision triple loop, with an error bound scaled by {@code eps}. */
        void check(double[] got, double eps, String what) {
            double[] want = c0.clone();
            boolean[] inView = new boolean[want.length];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int idx = cOff + i * ldc + j;
                    inView[idx] = true;
                    double s = acc ? c0[idx] : 0, mag = acc ? Math.abs(c0[idx]) : 0;
                    for (int p = 0; p < k; p++) {
                        s += aAt(i, p) * bAt(p, j);
                        mag += Math.abs(aAt(i, p) * bAt(p, j));
                    }
                    double tol = (k + 2) * eps * mag + 1e-30;
                    if (!(Math.abs(got[idx] - s) <= tol)) {
                        fail(what + " C(" + i + "," + j + ") = " + got[idx] + ", want " + s + " ± " + tol);
                    }
                }
            }
            for (int idx = 0; idx < want.length; idx++) {
                if (!inView[idx] && got[idx] != c0[idx]) fail(what + " wrote outside the C view at " + idx);
            }
        }

        String describe() {
            return "ta=" + ta + " tb=" + tb + " m=" + m + " n=" + n + " k=" + k + " acc=" + acc;
        }
    }

    private static double[] fill(int len, Random r) {
        double[] x = new double[len];
        // Values exactly representable in float so both precisions multiply the same numbers.
        for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    private static void runFloat(Case t, Impl impl) {
        float[] c = toFloat(t.c0);
        float[] a = toFloat(t.a), b = toFloat(t.b);
        if (impl == Impl.PUBLIC) {
            Gemm.sgemm(t.ta, t.tb, t.m, t.n, t.k, a, t.aOff, t.lda, b, t.bOff, t.ldb, c, t.cOff, t.ldc, t.acc);
        } else {
            ScalarGemm.sgemm(t.ta, t.tb, t.m, t.n, t.k, a, t.aOff, t.lda, b, t.bOff, t.ldb, c, t.cOff, t.ldc,
                    t.acc, Parallel.threads() > 1);
        }
        t.check(toDouble(c), 0x1p-24, impl + " sgemm " + t.describe());
    }

    private static void runDouble(Case t, Impl impl) {
        double[] c = t.c0.clone();
        if (impl == Impl.PUBLIC) {
            Gemm.dgemm(t.ta, t.tb, t.m, t.n, t.k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, c, t.cOff, t.ldc, t.acc);
        } else {
            ScalarGemm.dgemm(t.ta, t.tb, t.m, t.n, t.k, t.a, t.aOff, t.lda, t.b, t.bOff, t.ldb, c, t.cOff, t.ldc,
                    t.acc, Parallel.threads() > 1);
        }
        t.check(c, 0x1p-53, impl + " dgemm " + t.describe());
    }

    private static void sweep(int[] dims, Impl impl) {
        Random r = new Random(42);
        for (int tr = 0; tr < 4; tr++) {
            for (int m : dims) {
                for (int n : dims) {
                    for (int k : dims) {
                        // Alternate accumulate so both modes meet every size class without doubling the run time.
                        boolean acc = ((m + n + k + tr) & 1) == 0;
                        Case t = new Case((tr & 1) != 0, (tr & 2) != 0, m, n, k, acc, r);
                        runFloat(t, impl);
                        runDouble(t, impl);
                    }
                }
            }
        }
    }

    @Test
    void simdIsActiveInTheBuild() {
        // The build passes --add-modules jdk.incubator.vector; without it the sweep would only test the fallback.
        if (!"false".equals(System.getProperty("chainrule.simd"))) {
            assertTrue(Simd.ENABLED, "Vector API kernels should be enabled under the Maven build");
        }
    }

    @Test
    void matchesTripleLoopForAllShapesAndTransposes() {
        sweep(DIMS, Impl.PUBLIC);
    }

    @Test
    void scalarFallbackMatchesTripleLoop() {
        sweep(SMALL_DIMS, Impl.SCALAR);
    }

    @Test
    void bothAccumulateModesOnALargeCase() {
        Random r = new Random(7);
        for (boolean acc : new boolean[] {false, true}) {
            Case t = new Case(false, true, 130, 257, 300, acc, r);
            runFloat(t, Impl.PUBLIC);
            runDouble(t, Impl.PUBLIC);
            runFloat(t, Impl.SCALAR);
            runDouble(t, Impl.SCALAR);
        }
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        int m = 300, n = 200, k = 500;
        Random r = new Random(3);
        for (int tr = 0; tr < 4; tr++) {
            boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
            float[] a = new float[m * k], b = new float[k * n];
            double[] da = new double[m * k], db = new double[k * n];
            for (int i = 0; i < a.length; i++) da[i] = a[i] = r.nextFloat() * 2 - 1;
            for (int i = 0; i < b.length; i++) db[i] = b[i] = r.nextFloat() * 2 - 1;
            int lda = ta ? m : k, ldb = tb ? k : n;
            float[] ref = null;
            double[] dref = null;
            float[] sref = null;
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[] c = new float[m * n];
                double[] dc = new double[m * n];
                float[] sc = new float[m * n];
                Gemm.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
                Gemm.dgemm(ta, tb, m, n, k, da, 0, lda, db, 0, ldb, dc, 0, n, false);
                ScalarGemm.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, sc, 0, n, false, threads > 1);
                if (ref == null) {
                    ref = c;
                    dref = dc;
                    sref = sc;
                } else {
                    assertArrayEquals(ref, c, "sgemm differs at " + threads + " threads, tr=" + tr);
                    assertArrayEquals(dref, dc, "dgemm differs at " + threads + " threads, tr=" + tr);
                    assertArrayEquals(sref, sc, "scalar sgemm differs at " + threads + " threads, tr=" + tr);
                }
            }
        }
    }

    /**
     * Products large enough to run as independent column ranges (C wider than tall) or row ranges (taller than wide)
     * on several threads give the bits of the one-thread product, which does not split, under every transposition,
     * accumulating into C or not.
     */
    @Test
    void largeProductsSplitIntoRangesGiveTheSameBits() {
        Random r = new Random(8);
        for (int[] s : new int[][] {{70, 707, 700}, {903, 61, 650}}) {
            for (int tr = 0; tr < 8; tr++) {
                assertSameBitsOnAnyThreadCount(r, (tr & 1) != 0, (tr & 2) != 0, (tr & 4) != 0, s[0], s[1], s[2]);
            }
        }
    }

    @Test
    void nanAndInfinityPropagateThroughZeros() {
        for (int size : new int[] {8, 64, 130}) {
            for (Impl impl : Impl.values()) {
                int m = size, n = size, k = size;
                float[] a = new float[m * k], b = new float[k * n];
                java.util.Arrays.fill(b, 1f);
                b[5 * n + 1] = Float.NaN; // row p=5, column 1: 0 * NaN must still poison column 1
                b[7 * n + 2] = Float.POSITIVE_INFINITY; // 0 * inf = NaN poisons column 2
                float[] c = new float[m * n];
                java.util.Arrays.fill(c, Float.NaN); // overwritten, not read, when accumulate is false
                if (impl == Impl.PUBLIC) Gemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
                else ScalarGemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false, false);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float v = c[i * n + j];
                        String at = impl + " size " + size + " C(" + i + "," + j + ")";
                        if (j == 1 || j == 2) assertTrue(Float.isNaN(v), at + " = " + v + ", want NaN");
                        else assertEquals(0f, v, at);
                    }
                }
                double[] da = new double[m * k], db = new double[k * n], dc = new double[m * n];
                db[3 * n] = Double.NaN;
                if (impl == Impl.PUBLIC) Gemm.dgemm(true, false, m, n, k, da, 0, m, db, 0, n, dc, 0, n, true);
                else ScalarGemm.dgemm(true, false, m, n, k, da, 0, m, db, 0, n, dc, 0, n, true, false);
                for (int i = 0; i < m; i++) assertTrue(Double.isNaN(dc[i * n]), impl + " dgemm NaN row " + i);
            }
        }
    }

    /**
     * The calls a Linear layer makes for a 784-256-128-10 MLP (forward X·Wᵀ, input gradient dY·W, weight gradient
     * dYᵀ·X) at small batches, plus ragged neighbours: these take the transposed-product path (small m, Wᵀ), the
     * read-in-place paths for a skinny A or a narrow B, and their zero-padded edge strips.
     */
    @Test
    void linearLayerShapesMatchTripleLoop() {
        Random r = new Random(11);
        int[][] shapes = { // transA, transB, m, n, k
            {0, 1, 32, 256, 784}, {1, 0, 256, 784, 32}, {0, 1, 32, 128, 256}, {0, 0, 32, 256, 128},
            {1, 0, 128, 256, 32}, {0, 1, 32, 10, 128}, {0, 0, 32, 128, 10}, {1, 0, 10, 128, 32},
            {0, 1, 31, 253, 300}, {1, 1, 31, 253, 300}, {0, 1, 5, 130, 7}, {0, 0, 33, 250, 129},
            {1, 0, 47, 77, 260}, {0, 0, 130, 61, 33}, {0, 1, 130, 61, 33}, {1, 0, 9, 131, 513}
        };
        for (int[] s : shapes) {
            for (boolean acc : new boolean[] {false, true}) {
                Case t = new Case(s[0] == 1, s[1] == 1, s[2], s[3], s[4], acc, r);
                runFloat(t, Impl.PUBLIC);
                runDouble(t, Impl.PUBLIC);
            }
        }
    }

    /**
     * Many column blocks of B read in place (m small, n past the packing block), with a ragged last strip; and the
     * transposed form over a B so tall that its scratch Cᵀ is filled in several slices.
     */
    @Test
    void wideSkinnyProductMatchesTripleLoop() {
        Random r = new Random(12);
        for (boolean acc : new boolean[] {false, true}) {
            Case tall = new Case(false, true, 9, 20011, 5, acc, r);
            runFloat(tall, Impl.PUBLIC);
            runDouble(tall, Impl.PUBLIC);
            Case t = new Case(false, false, 7, 4099, 5, acc, r);
            runFloat(t, Impl.PUBLIC);
            runDouble(t, Impl.PUBLIC);
            Case tt = new Case(true, false, 3, 4099, 9, acc, r);
            runFloat(tt, Impl.PUBLIC);
            runDouble(tt, Impl.PUBLIC);
        }
    }

    /**
     * A C element's value must not depend on which path, tile or edge handling computed it: the rows of a skinny
     * product (B read in place, or the transposed form) equal, bit for bit, the same rows of a tall product
     * (everything packed), and op(B) passed transposed equals an explicitly transposed copy passed plainly.
     */
    @Test
    void sameBitsWhateverThePath() {
        Random r = new Random(13);
        for (int k : new int[] {10, 128, 300}) {
            int n = 256, tall = 400, rows = 32;
            float[] a = new float[tall * k], w = new float[n * k], wt = new float[k * n];
            double[] da = new double[tall * k], dw = new double[n * k], dwt = new double[k * n];
            for (int i = 0; i < a.length; i++) da[i] = a[i] = r.nextFloat() * 2 - 1;
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    dw[j * k + p] = w[j * k + p] = r.nextFloat() * 2 - 1;
                    dwt[p * n + j] = wt[p * n + j] = w[j * k + p];
                }
            }
            float[] cTall = new float[tall * n], cSkinnyT = new float[rows * n], cSkinny = new float[rows * n];
            Gemm.sgemm(false, true, tall, n, k, a, 0, k, w, 0, k, cTall, 0, n, false);
            Gemm.sgemm(false, true, rows, n, k, a, 0, k, w, 0, k, cSkinnyT, 0, n, false);
            Gemm.sgemm(false, false, rows, n, k, a, 0, k, wt, 0, n, cSkinny, 0, n, false);
            float[] head = java.util.Arrays.copyOf(cTall, rows * n);
            assertArrayEquals(head, cSkinnyT, "sgemm A·Wᵀ rows differ from the tall product, k=" + k);
            assertArrayEquals(head, cSkinny, "sgemm A·(Wᵀ copy) differs from A·Wᵀ, k=" + k);
            double[] dTall = new double[tall * n], dSkinnyT = new double[rows * n], dSkinny = new double[rows * n];
            Gemm.dgemm(false, true, tall, n, k, da, 0, k, dw, 0, k, dTall, 0, n, false);
            Gemm.dgemm(false, true, rows, n, k, da, 0, k, dw, 0, k, dSkinnyT, 0, n, false);
            Gemm.dgemm(false, false, rows, n, k, da, 0, k, dwt, 0, n, dSkinny, 0, n, false);
            double[] dHead = java.util.Arrays.copyOf(dTall, rows * n);
            assertArrayEquals(dHead, dSkinnyT, "dgemm A·Wᵀ rows differ from the tall product, k=" + k);
            assertArrayEquals(dHead, dSkinny, "dgemm A·(Wᵀ copy) differs from A·Wᵀ, k=" + k);
        }
    }

    /** The Linear-layer shapes give the same bits on 1, 2 and 3 threads (each takes its own path). */
    @Test
    void linearLayerShapesBitIdenticalForAnyThreadCount() {
        Random r = new Random(14);
        int[][] shapes = {{0, 1, 32, 256, 784}, {1, 0, 256, 784, 32}, {0, 0, 32, 256, 128}, {0, 1, 128, 256, 784},
            {0, 1, 512, 10, 128}, {1, 0, 10, 128, 512}};
        for (int[] s : shapes) assertSameBitsOnAnyThreadCount(r, s[0] == 1, s[1] == 1, true, s[2], s[3], s[4]);
    }

    /**
     * NaN and infinity reach every C element they feed, through zeros, on the transposed-product and
     * read-in-place paths: a poisoned row of W (forward X·Wᵀ) poisons its output column, a poisoned row of X
     * its output row.
     */
    @Test
    void nanPropagatesOnSkinnyPaths() {
        int[][] shapes = {{32, 256, 784}, {32, 10, 128}, {7, 130, 33}, {130, 61, 33}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] x = new float[m * k], w = new float[n * k];
            double[] dx = new double[m * k], dw = new double[n * k];
            w[3 * k + k - 1] = Float.NaN;
            dw[3 * k + k - 1] = Double.NaN;
            w[(n - 1) * k] = Float.POSITIVE_INFINITY; // times x = 0 gives NaN
            dw[(n - 1) * k] = Double.POSITIVE_INFINITY;
            x[(m - 1) * k + 1] = Float.NaN;
            dx[(m - 1) * k + 1] = Double.NaN;
            float[] c = new float[m * n];
            double[] dc = new double[m * n];
            Gemm.sgemm(false, true, m, n, k, x, 0, k, w, 0, k, c, 0, n, false);
            Gemm.dgemm(false, true, m, n, k, dx, 0, k, dw, 0, k, dc, 0, n, false);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    boolean poisoned = j == 3 || j == n - 1 || i == m - 1;
                    String at = "shape " + java.util.Arrays.toString(s) + " C(" + i + "," + j + ")";
                    if (poisoned) {
                        assertTrue(Float.isNaN(c[i * n + j]), "sgemm " + at + " = " + c[i * n + j] + ", want NaN");
                        assertTrue(Double.isNaN(dc[i * n + j]), "dgemm " + at + " = " + dc[i * n + j] + ", want NaN");
                    } else {
                        assertEquals(0f, c[i * n + j], "sgemm " + at);
                        assertEquals(0d, dc[i * n + j], "dgemm " + at);
                    }
                }
            }
        }
    }

    /**
     * A packed B gives the same bits as B's array, whatever path the array call takes (in place, packed, the
     * transposed form, dot products): shapes around the block sizes, both layouts of B, both accumulate modes, both
     * precisions, 1 and 2 threads; and a packed B can be reused.
     */
    @Test
    void packedBGivesTheSameBitsAsTheArray() {
        Random r = new Random(17);
        int[][] shapes = {{1, 16, 10}, {4, 512, 128}, {64, 512, 128}, {64, 128, 512}, {7, 130, 33}, {50, 300, 600},
                {130, 2100, 70}};
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                for (boolean transB : new boolean[] {false, true}) {
                    int ldb = transB ? k + 3 : n + 5;
                    float[] a = new float[m * k], b = new float[(transB ? n : k) * ldb + 2];
                    double[] da = new double[a.length], db = new double[b.length];
                    for (int i = 0; i < a.length; i++) da[i] = a[i] = r.nextFloat() * 2 - 1;
                    for (int i = 0; i < b.length; i++) db[i] = b[i] = r.nextFloat() * 2 - 1;
                    PackedB pf = PackedB.of(transB, n, k, b, 2, ldb), pd = PackedB.of(transB, n, k, db, 2, ldb);
                    for (boolean acc : new boolean[] {false, true}) {
                        String what = "m=" + m + " n=" + n + " k=" + k + " transB=" + transB + " accumulate=" + acc
                                + " threads=" + threads;
                        float[] want = new float[m * n], got = new float[m * n];
                        double[] dWant = new double[m * n], dGot = new double[m * n];
                        for (int i = 0; i < want.length; i++) dWant[i] = dGot[i] = want[i] = got[i] = i % 7 - 3;
                        Gemm.sgemm(false, transB, m, n, k, a, 0, k, b, 2, ldb, want, 0, n, acc);
                        Gemm.sgemm(false, m, a, 0, k, pf, got, 0, n, acc);
                        assertArrayEquals(want, got, "sgemm " + what);
                        Gemm.dgemm(false, transB, m, n, k, da, 0, k, db, 2, ldb, dWant, 0, n, acc);
                        Gemm.dgemm(false, m, da, 0, k, pd, dGot, 0, n, acc);
                        assertArrayEquals(dWant, dGot, "dgemm " + what);
                    }
                }
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PackedB.of(false, 8, 4, new float[31], 0, 8));
        assertTrue(e.getMessage().contains("does not fit an array of 31 elements"), e.getMessage());
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5};
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 2, true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, c);
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 2, false);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0}, c);
    }

    /**
     * {@code C (+)= op(A)·op(B)} on random operands gives the same bits on 1, 2 and 3 threads, in both precisions (each
     * thread count may take another path: the blocks' parallel tiles, or independent ranges of C for large products).
     */
    private static void assertSameBitsOnAnyThreadCount(Random r, boolean ta, boolean tb, boolean acc, int m, int n, int k) {
        int lda = ta ? m : k, ldb = tb ? k : n;
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
        double[] da = new double[m * k], db = new double[k * n], dc0 = new double[m * n];
        for (int i = 0; i < a.length; i++) da[i] = a[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) db[i] = b[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < c0.length; i++) dc0[i] = c0[i] = r.nextFloat() * 2 - 1;
        float[] ref = null;
        double[] dref = null;
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            float[] c = c0.clone();
            double[] dc = dc0.clone();
            Gemm.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, acc);
            Gemm.dgemm(ta, tb, m, n, k, da, 0, lda, db, 0, ldb, dc, 0, n, acc);
            if (ref == null) {
                ref = c;
                dref = dc;
            } else {
                String at = " at " + threads + " threads, " + m + "x" + n + "x" + k + (ta ? " transA" : "")
                        + (tb ? " transB" : "") + (acc ? " accumulating" : "");
                assertArrayEquals(ref, c, "sgemm differs" + at);
                assertArrayEquals(dref, dc, "dgemm differs" + at);
            }
        }
    }
}
