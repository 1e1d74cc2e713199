// twin: float -> FloatScalarGemm
package io.chainrule.tensor;

/**
 * Plain-Java float64 GEMM, used when the Vector API is unavailable (and for tiny problems). B is packed, transposed if needed, into a contiguous k-block; then, for blocks of four C rows, an i-k-j loop accumulates into four
 * distinct row arrays. Distinct arrays let C2's auto-vectorizer prove the four updates independent, which it
 * cannot do for four rows of the same {@code c} array.
 *
 * <p>Each C element is {@code C (or 0) + a(i,0)*b(0,j) + a(i,1)*b(1,j) + ...} in ascending {@code p}, whatever
 * the blocking or thread count.
 */
final class DoubleScalarGemm {
    /** k-block depth of the packed B block. */
    private static final int KC = 128;
    /** Columns per packed B block and per row accumulator. */
    private static final int NB = 1024;
    private static final int ROWS = 4;
    /** Up to this many multiply-adds, plain dot products beat packing (a batch-1 layer of a small MLP). */
    private static final long TINY = 4096;

    private DoubleScalarGemm() {}

    /** Same contract as {@link Gemm}'s multiply for this element type; uses threads when {@code parallel}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     double[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        if (m <= 0 || n <= 0) return;
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0d);
        }
        if (k <= 0) return;
        if ((long) m * n * k <= TINY) {
            tiny(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        double[] bp = new double[Math.min(KC, k) * Math.min(NB, n)];
        for (int j0 = 0; j0 < n; j0 += NB) {
            int nb = Math.min(NB, n - j0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                for (int p = 0; p < kc; p++) {
                    int dst = p * nb;
                    if (transB) {
                        for (int j = 0; j < nb; j++) bp[dst + j] = b[bOff + (j0 + j) * ldb + p0 + p];
                    } else {
                        System.arraycopy(b, bOff + (p0 + p) * ldb + j0, bp, dst, nb);
                    }
                }
                int blocks = (m + ROWS - 1) / ROWS, jj0 = j0, pp0 = p0;
                Parallel.RangeBody body = (s0, s1) -> {
                    double[][] acc = new double[ROWS][nb];
                    for (int blk = s0; blk < s1; blk++) {
                        int i0 = blk * ROWS, rows = Math.min(ROWS, m - i0);
                        for (int r = 0; r < rows; r++) System.arraycopy(c, cOff + (i0 + r) * ldc + jj0, acc[r], 0, nb);
                        rowBlock(transA, a, aOff, lda, i0, rows, pp0, kc, bp, nb, acc);
                        for (int r = 0; r < rows; r++) System.arraycopy(acc[r], 0, c, cOff + (i0 + r) * ldc + jj0, nb);
                    }
                };
                if (parallel && blocks > 1) Parallel.forChunks(blocks, 4, body);
                else body.run(0, blocks);
            }
        }
    }

    private static void rowBlock(boolean transA, double[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
                                 double[] bp, int nb, double[][] acc) {
        double[] c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
        for (int p = 0; p < kc; p++) {
            int bRow = p * nb;
            if (rows == ROWS) {
                double a0 = aAt(transA, a, aOff, lda, i0, p0 + p), a1 = aAt(transA, a, aOff, lda, i0 + 1, p0 + p);
                double a2 = aAt(transA, a, aOff, lda, i0 + 2, p0 + p), a3 = aAt(transA, a, aOff, lda, i0 + 3, p0 + p);
                for (int j = 0; j < nb; j++) {
                    double bj = bp[bRow + j];
                    c0[j] += a0 * bj;
                    c1[j] += a1 * bj;
                    c2[j] += a2 * bj;
                    c3[j] += a3 * bj;
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    double ar = aAt(transA, a, aOff, lda, i0 + r, p0 + p);
                    double[] cr = acc[r];
                    for (int j = 0; j < nb; j++) cr[j] += ar * bp[bRow + j];
                }
            }
        }
    }

    /**
     * Products too small to pay for packing, adding to C in ascending p like the blocked loop, with no buffers to
     * set up. With B's rows contiguous, a row of C gains {@code A(i,p)·B(p,:)} for each p in turn: the same
     * additions per element as a dot product, a vector at a time. Otherwise one dot product
     * per element.
     */
    private static void tiny(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, int lda,
                             double[] b, int bOff, int ldb, double[] c, int cOff, int ldc) {
        int ai = transA ? 1 : lda, ap = transA ? lda : 1, bj = transB ? ldb : 1, bp = transB ? 1 : ldb;
        if (!transB) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    double x = a[aOff + i * ai + p * ap];
                    int bi = bOff + p * ldb;
                    DoublePointwise.axpyRow(x, b, bi, c, ci, n);
                }
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            int ia = aOff + i * ai, ci = cOff + i * ldc, j = 0;
            for (; j + 3 < n; j += 4) { // four independent chains hide the add latency
                double s0 = c[ci + j], s1 = c[ci + j + 1], s2 = c[ci + j + 2], s3 = c[ci + j + 3];
                int ib = bOff + j * bj;
                for (int p = 0; p < k; p++) {
                    double x = a[ia + p * ap];
                    int q = ib + p * bp;
                    s0 += x * b[q];
                    s1 += x * b[q + bj];
                    s2 += x * b[q + 2 * bj];
                    s3 += x * b[q + 3 * bj];
                }
                c[ci + j] = s0;
                c[ci + j + 1] = s1;
                c[ci + j + 2] = s2;
                c[ci + j + 3] = s3;
            }
            for (; j < n; j++) {
                double s = c[ci + j];
                int ib = bOff + j * bj;
                for (int p = 0; p < k; p++) s += a[ia + p * ap] * b[ib + p * bp];
                c[ci + j] = s;
            }
        }
    }

    private static double aAt(boolean transA, double[] a, int aOff, int lda, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }
}
