package io.chainrule.optim;

/**
 * In-place Cholesky factorization A = L·Lᵀ of a symmetric matrix stored row-major in an n×n {@code double[]}:
 * only the lower triangle (diagonal included) is read and overwritten by L, so the strict upper triangle can
 * keep another matrix (Newton keeps its Hessian there while it tries several dampings).
 */
final class Cholesky {
    private Cholesky() {}

    /**
     * Factors the lower triangle of {@code a} in place. Returns false when the matrix is not positive definite
     * to working precision (a pivot at or below {@code n·ε·maxDiag}); {@code a}'s lower triangle is then garbage.
     */
    static boolean factor(double[] a, int n) {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
        double floor = n * Math.ulp(1.0) * maxDiag;
        for (int j = 0; j < n; j++) {
            int rj = j * n;
            double s = a[rj + j];
            for (int k = 0; k < j; k++) s -= a[rj + k] * a[rj + k];
            if (!(s > floor)) return false;
            double ljj = Math.sqrt(s);
            a[rj + j] = ljj;
            for (int i = j + 1; i < n; i++) {
                int ri = i * n;
                double v = a[ri + j];
                for (int k = 0; k < j; k++) v -= a[ri + k] * a[rj + k];
                a[ri + j] = v / ljj;
            }
        }
        return true;
    }

    /** Solves L·Lᵀ·x = b with the factor from {@link #factor}; b is overwritten by x. */
    static void solve(double[] l, int n, double[] b) {
        for (int i = 0; i < n; i++) {
            int ri = i * n;
            double v = b[i];
            for (int k = 0; k < i; k++) v -= l[ri + k] * b[k];
            b[i] = v / l[ri + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double v = b[i];
            for (int k = i + 1; k < n; k++) v -= l[k * n + i] * b[k];
            b[i] = v / l[i * n + i];
        }
    }
}
