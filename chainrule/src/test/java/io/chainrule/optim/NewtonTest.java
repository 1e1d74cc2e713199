package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NewtonTest {
    private static final int N = 50;

    /** 50 points with 3 features and labels drawn from a logistic model (not separable). */
    private static final class Logistic {
        final double[] x;
        final double[] y;
        final Tensor xT;
        final Tensor yT;
        final Tensor w = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
        final Tensor b = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);

        Logistic() {
            Generator gen = new Generator(42);
            x = Tensor.randn(gen, N, 3).to(DType.FLOAT64).toDoubleArray();
            double[] u = Tensor.rand(gen, N).to(DType.FLOAT64).toDoubleArray();
            y = new double[N];
            double[] wTrue = {1.0, -2.0, 0.5};
            for (int i = 0; i < N; i++) {
                double z = 0.3;
                for (int k = 0; k < 3; k++) z += x[i * 3 + k] * wTrue[k];
                y[i] = u[i] < 1 / (1 + Math.exp(-z)) ? 1 : 0;
            }
            xT = Tensor.of(x, N, 3);
            yT = Tensor.of(y);
        }

        /** Mean binary cross-entropy, log(1 + e^z) − y·z. */
        Tensor loss() {
            Tensor z = xT.matmul(w).add(b);
            return z.exp().add(1).log().sub(yT.mul(z)).mean();
        }

        Supplier<Tensor> closure(Optimizer opt, boolean callsBackward) {
            return () -> {
                opt.zeroGrad();
                Tensor l = loss();
                if (callsBackward) l.backward();
                return l;
            };
        }

        /** The gradient in closed form: (σ(z) − y) averaged against [x, 1]. */
        double[] gradient(double[] theta) {
            double[] g = new double[4];
            for (int i = 0; i < N; i++) {
                double z = theta[3];
                for (int k = 0; k < 3; k++) z += x[i * 3 + k] * theta[k];
                double r = 1 / (1 + Math.exp(-z)) - y[i];
                for (int k = 0; k < 3; k++) g[k] += r * x[i * 3 + k] / N;
                g[3] += r / N;
            }
            return g;
        }

        /** The Hessian in closed form: σ(z)(1 − σ(z)) [x, 1][x, 1]ᵀ averaged. */
        double[][] hessian(double[] theta) {
            double[][] h = new double[4][4];
            for (int i = 0; i < N; i++) {
                double z = theta[3];
                for (int k = 0; k < 3; k++) z += x[i * 3 + k] * theta[k];
                double s = 1 / (1 + Math.exp(-z));
                double[] f = {x[i * 3], x[i * 3 + 1], x[i * 3 + 2], 1};
                for (int a = 0; a < 4; a++) for (int c = 0; c < 4; c++) h[a][c] += s * (1 - s) * f[a] * f[c] / N;
            }
            return h;
        }

        double[] theta() {
            double[] wv = w.toDoubleArray();
            return new double[] {wv[0], wv[1], wv[2], b.get(0)};
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    private static int fit(Logistic m, boolean callsBackward) {
        Newton opt = new Newton(List.of(m.w, m.b));
        int steps = 0;
        while (steps < 10 && norm(m.gradient(m.theta())) >= 1e-8) {
            opt.step(m.closure(opt, callsBackward));
            steps++;
        }
        return steps;
    }

    @Test
    void fitsLogisticRegressionToMachinePrecisionInAFewSteps() {
        Logistic m = new Logistic();
        int steps = fit(m, false);
        double gradNorm = norm(m.gradient(m.theta()));
        System.out.println("Newton on logistic regression (50 points, 3 features + bias): |grad| = " + gradNorm
                + " after " + steps + " steps");
        assertTrue(gradNorm < 1e-8, "gradient norm " + gradNorm + " after " + steps + " steps");
        assertTrue(steps <= 10);
    }

    @Test
    void aClosureThatCallsBackwardItselfGivesTheSameFit() {
        Logistic plain = new Logistic(), withBackward = new Logistic();
        int s1 = fit(plain, false);
        int s2 = fit(withBackward, true);
        assertEquals(s1, s2);
        assertArrayEquals(plain.theta(), withBackward.theta(), 0.0);
    }

    @Test
    void firstStepIsTheExactNewtonStep() {
        Logistic m = new Logistic();
        double[] theta0 = m.theta();
        double[] g = m.gradient(theta0);
        double[] negG = new double[4];
        for (int i = 0; i < 4; i++) negG[i] = -g[i];
        double[] delta = ConjugateGradientTest.solve(m.hessian(theta0), negG);
        Newton opt = new Newton(List.of(m.w, m.b));
        opt.step(m.closure(opt, false));
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) expected[i] = theta0[i] + delta[i];
        assertArrayEquals(expected, m.theta(), 1e-12);
    }

    @Test
    void dampingHandlesAnIndefiniteHessian() {
        // f = x⁴ − x² + y²: at x = 0.1 the Hessian's x entry is 12x² − 2 < 0, so a pure Newton step would head for
        // the saddle at x = 0. Damping makes it a descent step; the iterates reach the minimum at x = 1/√2.
        Tensor p = Tensor.of(new double[] {0.1, 1}).requiresGrad(true);
        Tensor unused = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true); // Hessian rows of zeros: still solvable
        Newton opt = new Newton(List.of(p, unused));
        Supplier<Tensor> f = () -> {
            Tensor x = p.select(0, 0), y = p.select(0, 1);
            return x.pow(4).sub(x.square()).add(y.square());
        };
        double f0 = f.get().item();
        opt.step(f);
        assertTrue(f.get().item() < f0, "the first step did not decrease f");
        for (int i = 0; i < 30; i++) opt.step(f);
        assertEquals(1 / Math.sqrt(2), p.get(0), 1e-9);
        assertEquals(0, p.get(1), 1e-9);
        assertArrayEquals(new double[] {0, 0}, unused.toDoubleArray(), 0.0);
    }

    @Test
    void refusesMoreParametersThanTheLimit() {
        Tensor w = Tensor.zeros(DType.FLOAT64, 10).requiresGrad(true);
        Newton opt = new Newton(List.of(w)).maxParameters(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.step(() -> w.square().sum()));
        assertTrue(e.getMessage().contains("maxParameters 5") && e.getMessage().contains("10"), e.getMessage());
        Tensor big = Tensor.zeros(DType.FLOAT64, 5001).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> new Newton(List.of(big)).step(() -> big.square().sum()));
        opt.maxParameters(10);
        opt.step(() -> w.square().sum());
    }

    @Test
    void misuseIsReported() {
        Tensor w = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> new Newton(List.of(w)).step());
        assertThrows(IllegalStateException.class, () -> new Newton(List.of(w)).step(() -> Tensor.scalar(1, DType.FLOAT64)));
        Tensor frozen = Tensor.zeros(DType.FLOAT64, 2);
        assertThrows(IllegalArgumentException.class, () -> new Newton(List.of(w, frozen)).step(() -> w.square().sum()));
    }
}
