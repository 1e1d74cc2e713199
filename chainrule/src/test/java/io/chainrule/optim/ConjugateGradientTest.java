package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConjugateGradientTest {
    private static final int N = 10;

    /** A = MᵀM + I for a fixed random M: symmetric positive definite. */
    static double[][] spdMatrix(long seed) {
        double[] m = Tensor.randn(new Generator(seed), N, N).to(DType.FLOAT64).toDoubleArray();
        double[][] a = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double s = i == j ? 1 : 0;
                for (int k = 0; k < N; k++) s += m[k * N + i] * m[k * N + j];
                a[i][j] = s;
            }
        }
        return a;
    }

    /** Solves A·x = b by Gaussian elimination with partial pivoting (independent of the optimizer's Cholesky). */
    static double[] solve(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = a0[i].clone();
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
            double[] tr = a[c]; a[c] = a[piv]; a[piv] = tr;
            double tb = b[c]; b[c] = b[piv]; b[piv] = tb;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) a[r][k] -= f * a[c][k];
                b[r] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) s -= a[r][k] * x[k];
            x[r] = s / a[r][r];
        }
        return x;
    }

    /** Iterations (one per step) until |x − x*|max ≤ 1e-8, at most 10; returns {iterations, error}. */
    private static double[] solveQuadratic(long seed, boolean print) {
        double[][] a = spdMatrix(seed);
        double[] b = new double[N];
        for (int i = 0; i < N; i++) b[i] = Math.sin(i + 1);
        double[] expected = solve(a, b);
        Tensor aT = Tensor.of(a), bT = Tensor.of(b);
        Tensor x = Tensor.zeros(DType.FLOAT64, N).requiresGrad(true);
        ConjugateGradient cg = new ConjugateGradient(List.of(x)).maxIter(1);
        Supplier<Tensor> closure = () -> {
            cg.zeroGrad();
            Tensor loss = x.matmul(aT.matmul(x)).mul(0.5).sub(bT.matmul(x));
            loss.backward();
            return loss;
        };
        int iterations = 0;
        double err = Double.POSITIVE_INFINITY;
        while (iterations < N && err > 1e-8) {
            cg.step(closure);
            iterations++;
            err = 0;
            for (int i = 0; i < N; i++) err = Math.max(err, Math.abs(x.get(i) - expected[i]));
        }
        assertEquals(iterations, cg.stateDict().get("state.0.n_iter").item());
        if (print) {
            System.out.println("ConjugateGradient on a 10-d SPD quadratic (seed " + seed + "): |x - x*|max = " + err
                    + " after " + iterations + " iterations, " + (long) cg.stateDict().get("state.0.func_evals").item()
                    + " evaluations");
        }
        return new double[] {iterations, err};
    }

    @Test
    void solvesA10DimensionalConvexQuadraticInAtMost10Iterations() {
        for (long seed = 1; seed <= 8; seed++) {
            double[] r = solveQuadratic(seed, seed == 1);
            assertTrue(r[1] <= 1e-8, "seed " + seed + ": error " + r[1] + " after " + (int) r[0] + " iterations");
        }
    }

    @Test
    void prPlusRestartsAndConvergesOnRosenbrock() {
        Tensor p = Tensor.of(new double[] {-1.2, 1}).requiresGrad(true);
        ConjugateGradient cg = new ConjugateGradient(List.of(p)).maxIter(50).toleranceChange(1e-14);
        for (int i = 0; i < 10; i++) cg.step(LBFGSTest.closure(cg, p));
        assertEquals(1, p.get(0), 1e-5);
        assertEquals(1, p.get(1), 1e-5);
    }

    @Test
    void needsAClosure() {
        Tensor p = Tensor.of(new double[] {1, 1}).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> new ConjugateGradient(List.of(p)).step());
        assertThrows(IllegalArgumentException.class, () -> new ConjugateGradient(List.of(p)).maxIter(0));
    }
}
