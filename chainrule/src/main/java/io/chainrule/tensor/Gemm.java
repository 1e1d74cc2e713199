package io.chainrule.tensor;

/**
 * The one general matrix multiply every matmul, linear layer and convolution goes through.
 *
 * <p>Row-major operands with leading dimensions: {@code A(i,p) = a[aOff + i*lda + p]}, or
 * {@code a[aOff + p*lda + i]} when {@code transA}; likewise B. Computes {@code C = A·B}, or {@code C += A·B}
 * when {@code accumulate}, with {@code C(i,j) = c[cOff + i*ldc + j]}.
 *
 * <p>With {@code --add-modules jdk.incubator.vector} this runs packed, register-tiled SIMD kernels and, for
 * large problems, uses {@link Parallel#threads()} threads; otherwise a plain-Java fallback. Every product is
 * computed (zeros are not skipped), so NaN and infinity propagate as in a naive triple loop. Results are
 * bit-identical for any thread count.
 */
public final class Gemm {
    /** Below this many multiply-adds the packing overhead is not worth it. */
    private static final long SIMD_MIN = 4096;
    /**
     * Below this many multiply-adds a thread hand-off costs more than it saves (measured: 64³ float32 runs at
     * half speed on two threads, 128³ gains).
     */
    private static final long PARALLEL_MIN = 1L << 19;

    private Gemm() {}

    /**
     * One line on the matrix-multiply kernels this JVM runs: the SIMD micro-kernel's tile shape and the vector size
     * it was chosen for, or why the plain-Java fallback runs.
     */
    public static String kernelInfo() {
        return Simd.ENABLED ? "SIMD " + GemmTile.INFO
                : "plain-Java GEMM (no SIMD: start the JVM with --add-modules jdk.incubator.vector)";
    }

    /** float32 {@code C (+)= op(A)·op(B)}; see the class comment for the layout. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        long work = (long) m * n * k;
        boolean parallel = Parallel.threads() > 1 && work >= PARALLEL_MIN;
        if (k > 0 && Simd.ENABLED && work >= SIMD_MIN) {
            GemmKernel kern = GemmTile.floats(m, n);
            boolean timed = !parallel && GemmWatch.sample(work);
            long t0 = timed ? System.nanoTime() : 0;
            SimdGemm.gemm(kern, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                    parallel);
            if (timed) GemmWatch.record(kern, true, work, System.nanoTime() - t0);
        } else {
            ScalarGemm.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, parallel);
        }
    }

    /**
     * float32 {@code C (+)= op(A)·B} with B packed once ({@link PackedB}): C is {@code m × b.n()}, A is
     * {@code m × b.k()}. The same numbers as {@link #sgemm} given B's array, without packing B again on each call.
     */
    public static void sgemm(boolean transA, int m, float[] a, int aOff, int lda, PackedB b,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        int n = b.n, k = b.k;
        if (m <= 0 || n <= 0) return;
        long work = (long) m * n * k;
        if (k > 0 && b.panels != null && work >= SIMD_MIN) {
            SimdGemm.gemm(GemmTile.FLOAT, transA, m, n, k, a, aOff, lda, (Object[]) b.panels, c, cOff, ldc, accumulate,
                    Parallel.threads() > 1 && work >= PARALLEL_MIN);
        } else {
            sgemm(transA, b.transB, m, n, k, a, aOff, lda, (float[]) b.data, b.off, b.ld, c, cOff, ldc, accumulate);
        }
    }

    /** The float64 twin of {@link #sgemm(boolean, int, float[], int, int, PackedB, float[], int, int, boolean)}. */
    public static void dgemm(boolean transA, int m, double[] a, int aOff, int lda, PackedB b,
                             double[] c, int cOff, int ldc, boolean accumulate) {
        int n = b.n, k = b.k;
        if (m <= 0 || n <= 0) return;
        long work = (long) m * n * k;
        if (k > 0 && b.panels != null && work >= SIMD_MIN) {
            SimdGemm.gemm(GemmTile.DOUBLE, transA, m, n, k, a, aOff, lda, (Object[]) b.panels, c, cOff, ldc, accumulate,
                    Parallel.threads() > 1 && work >= PARALLEL_MIN);
        } else {
            dgemm(transA, b.transB, m, n, k, a, aOff, lda, (double[]) b.data, b.off, b.ld, c, cOff, ldc, accumulate);
        }
    }

    /** float64 {@code C (+)= op(A)·op(B)}; see the class comment for the layout. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        long work = (long) m * n * k;
        boolean parallel = Parallel.threads() > 1 && work >= PARALLEL_MIN;
        if (k > 0 && Simd.ENABLED && work >= SIMD_MIN) {
            GemmKernel kern = GemmTile.doubles(m, n);
            boolean timed = !parallel && GemmWatch.sample(work);
            long t0 = timed ? System.nanoTime() : 0;
            SimdGemm.gemm(kern, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                    parallel);
            if (timed) GemmWatch.record(kern, false, work, System.nanoTime() - t0);
        } else {
            ScalarGemm.dgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, parallel);
        }
    }
}
