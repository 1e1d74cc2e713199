package io.chainrule.tensor;

/**
 * Plain-Java GEMM used when the Vector API is unavailable (and for tiny problems): {@link DoubleScalarGemm} and its
 * generated float twin, named as {@link Gemm} calls them.
 */
final class ScalarGemm {
    private ScalarGemm() {}

    /** Same contract as {@link Gemm#sgemm}; uses threads when {@code parallel}. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        FloatScalarGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, parallel);
    }

    /** Same contract as {@link Gemm#dgemm}; uses threads when {@code parallel}. */
    static void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        DoubleScalarGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, parallel);
    }
}
