package io.chainrule.tensor;

/**
 * The B operand of {@link Gemm} packed once for many products with it, such as a recurrent layer's hidden-to-hidden
 * weight, used at every step of a sequence: {@code PackedB w = PackedB.of(false, n, k, b, 0, n);} then
 * {@code Gemm.sgemm(false, m, a, 0, k, w, c, 0, n, false)} at each step. The products give the same numbers as
 * {@link Gemm#sgemm} with B's array. It is a snapshot: writes to the array after packing are not seen.
 */
public final class PackedB {
    final boolean transB;
    final int n, k, off, ld;
    /** B itself (float[] or double[]), for products too small for the SIMD kernels. */
    final Object data;
    /** The SIMD kernels' panels (each a float[] or double[]), or null without SIMD. */
    final Object panels;

    private PackedB(boolean transB, int n, int k, Object data, int off, int ld, Object panels) {
        this.transB = transB;
        this.n = n;
        this.k = k;
        this.data = data;
        this.off = off;
        this.ld = ld;
        this.panels = panels;
    }

    /** B is {@code k × n} at {@code b[off + p*ldb + j]}, or {@code b[off + j*ldb + p]} when {@code transB}. */
    public static PackedB of(boolean transB, int n, int k, float[] b, int off, int ldb) {
        check(transB, n, k, b.length, off, ldb);
        return new PackedB(transB, n, k, b, off, ldb, Simd.ENABLED && n > 0 && k > 0
                ? SimdGemm.pack(GemmTile.FLOAT, transB, n, k, b, off, ldb) : null);
    }

    /** The float64 twin of {@link #of(boolean, int, int, float[], int, int)}. */
    public static PackedB of(boolean transB, int n, int k, double[] b, int off, int ldb) {
        check(transB, n, k, b.length, off, ldb);
        return new PackedB(transB, n, k, b, off, ldb, Simd.ENABLED && n > 0 && k > 0
                ? SimdGemm.pack(GemmTile.DOUBLE, transB, n, k, b, off, ldb) : null);
    }

    /** Columns of B (and of C). */
    public int n() {
        return n;
    }

    /** Rows of B (the inner dimension). */
    public int k() {
        return k;
    }

    private static void check(boolean transB, int n, int k, int length, int off, int ldb) {
        int rows = transB ? n : k, cols = transB ? k : n;
        if (n < 0 || k < 0 || off < 0 || ldb < Math.max(cols, 1)
                || (rows > 0 && cols > 0 && off + (long) (rows - 1) * ldb + cols > length)) {
            throw new IllegalArgumentException("PackedB.of: a " + (transB ? "transposed " : "") + k + " x " + n
                    + " operand at offset " + off + " with leading dimension " + ldb + " does not fit an array of "
                    + length + " elements");
        }
    }
}
