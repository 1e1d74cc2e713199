package io.chainrule.autograd;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Higher-order derivatives by value: createGraph makes gradients differentiable, checked against closed forms. */
class SecondDerivativeTest {

    private static Tensor grad(Tensor out, Tensor in) {
        return Autograd.grad(List.of(out), List.of(in), null, true, true).get(0);
    }

    private static Tensor param(double[] v, int... shape) {
        return Tensor.of(v, shape).requiresGrad(true);
    }

    @Test
    void secondDerivativeOfCubeAtTwoIsTwelve() {
        Tensor x = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
        Tensor y = x.pow(3);
        Tensor dy = grad(y, x);
        assertEquals(12.0, dy.item(), 1e-12); // 3x²
        assertTrue(dy.requiresGrad(), "createGraph must give a differentiable gradient");
        Tensor d2y = grad(dy, x);
        assertEquals(12.0, d2y.item(), 1e-12); // 6x
        assertEquals(6.0, grad(d2y, x).item(), 1e-12); // third derivative: 6
    }

    @Test
    void secondDerivativeThroughBackwardWithCreateGraph() {
        Tensor x = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
        x.mul(x).mul(x).backward(null, true, true); // the gradient's graph reaches into the forward graph: keep it
        Tensor dy = x.grad();
        assertEquals(12.0, dy.item(), 1e-12);
        assertTrue(dy.requiresGrad());
        x.zeroGrad();
        dy.backward();
        assertEquals(12.0, x.grad().item(), 1e-12);
    }

    @Test
    void hessianVectorProductOfQuadraticForm() {
        // f(x) = ½ xᵀAx + bᵀx with a non-symmetric A: H = (A + Aᵀ)/2, so Hv checks transposes too.
        double[][] a = {{2, 1, 0}, {3, 4, -1}, {0, 2, 5}};
        Tensor am = Tensor.of(a);
        Tensor bv = Tensor.of(new double[] {1, -2, 0.5});
        Tensor x = param(new double[] {0.3, -0.7, 1.1}, 3);
        Tensor f = x.matmul(am.matmul(x)).mul(0.5).add(bv.matmul(x));
        Tensor g = grad(f, x);
        double[] v = {1.0, 0.5, -2.0};
        Tensor hv = grad(g.matmul(Tensor.of(v)), x);
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) expected[i] += 0.5 * (a[i][j] + a[j][i]) * v[j];
        assertArrayEquals(expected, hv.toDoubleArray(), 1e-12);
        // and the gradient itself: ½(A + Aᵀ)x + b
        double[] xs = x.toDoubleArray();
        double[] expectedGrad = {1, -2, 0.5};
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) expectedGrad[i] += 0.5 * (a[i][j] + a[j][i]) * xs[j];
        assertArrayEquals(expectedGrad, g.toDoubleArray(), 1e-12);
    }

    @Test
    void fullHessianOfQuadraticFormRowByRow() {
        double[][] a = {{2, 1}, {1, 3}};
        Tensor x = param(new double[] {0.5, -1.5}, 2);
        Tensor f = x.matmul(Tensor.of(a).matmul(x)); // xᵀAx, Hessian 2A
        Tensor g = grad(f, x);
        for (int i = 0; i < 2; i++) {
            Tensor row = grad(g.select(0, i), x);
            assertArrayEquals(new double[] {2 * a[i][0], 2 * a[i][1]}, row.toDoubleArray(), 1e-12);
        }
    }

    private static final Tensor TARGETS = Tensor.of(new long[] {2, 0, 1}, 3, 1);

    /** Mean softmax cross-entropy composed from logSoftmax, gather and mean. */
    private static Tensor crossEntropy(Tensor logits) {
        return logits.logSoftmax(1).gather(1, TARGETS).mean().neg();
    }

    @Test
    void secondDerivativeOfSoftmaxCrossEntropy() {
        Generator gen = new Generator(7);
        double[] z0 = Tensor.randn(gen, 3, 4).to(DType.FLOAT64).toDoubleArray();
        double[] v = Tensor.randn(gen, 3, 4).to(DType.FLOAT64).toDoubleArray();
        Tensor z = param(z0, 3, 4);
        Tensor g = grad(crossEntropy(z), z);
        Tensor hv = grad(g.mul(Tensor.of(v, 3, 4)).sum(), z);

        // float64 central difference of the (first-order) gradient along v
        double eps = 1e-5;
        double[] plus = gradientAt(shift(z0, v, eps));
        double[] minus = gradientAt(shift(z0, v, -eps));
        double[] numeric = new double[z0.length];
        for (int i = 0; i < numeric.length; i++) numeric[i] = (plus[i] - minus[i]) / (2 * eps);
        assertArrayEquals(numeric, hv.toDoubleArray(), 1e-8);

        // closed form: per row, (diag(p) − ppᵀ)/N applied to v
        double[] expected = new double[12];
        for (int r = 0; r < 3; r++) {
            double[] p = new double[4];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < 4; k++) max = Math.max(max, z0[r * 4 + k]);
            for (int k = 0; k < 4; k++) sum += p[k] = Math.exp(z0[r * 4 + k] - max);
            double pv = 0;
            for (int k = 0; k < 4; k++) {
                p[k] /= sum;
                pv += p[k] * v[r * 4 + k];
            }
            for (int k = 0; k < 4; k++) expected[r * 4 + k] = p[k] * (v[r * 4 + k] - pv) / 3;
        }
        assertArrayEquals(expected, hv.toDoubleArray(), 1e-12);
    }

    private static double[] shift(double[] x, double[] v, double eps) {
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) out[i] += eps * v[i];
        return out;
    }

    private static double[] gradientAt(double[] z0) {
        Tensor z = param(z0, 3, 4);
        crossEntropy(z).backward();
        return z.grad().toDoubleArray();
    }

    @Test
    void secondDerivativeOfTanh() {
        double[] xs = {-2.0, -0.5, 0.0, 0.3, 1.7};
        Tensor x = param(xs, 5);
        Tensor dy = grad(x.tanh().sum(), x);
        Tensor d2y = grad(dy.sum(), x); // the Hessian is diagonal: this is d²/dx² elementwise
        for (int i = 0; i < xs.length; i++) {
            double t = Math.tanh(xs[i]);
            assertEquals(1 - t * t, dy.get(i), 1e-12);
            assertEquals(-2 * t * (1 - t * t), d2y.get(i), 1e-12);
        }
    }

    @Test
    void hessianVectorProductOfMatmulChain() {
        // L(W) = ½‖A·W·B‖²: ∇L = Aᵀ(AWB)Bᵀ and the Hessian applied to V is AᵀA·V·BBᵀ.
        Generator gen = new Generator(11);
        double[][] a = matrix(gen, 4, 3), w = matrix(gen, 3, 2), b = matrix(gen, 2, 5), v = matrix(gen, 3, 2);
        Tensor wt = Tensor.of(w).requiresGrad(true);
        Tensor awb = Tensor.of(a).matmul(wt).matmul(Tensor.of(b));
        Tensor loss = awb.square().sum().mul(0.5);
        Tensor g = grad(loss, wt);
        Tensor hv = grad(g.mul(Tensor.of(v)).sum(), wt);
        double[][] expectedGrad = mm(mm(transpose(a), mm(mm(a, w), b)), transpose(b));
        double[][] expectedHv = mm(mm(mm(transpose(a), a), v), mm(b, transpose(b)));
        assertArrayEquals(flat(expectedGrad), g.toDoubleArray(), 1e-12);
        assertArrayEquals(flat(expectedHv), hv.toDoubleArray(), 1e-12);
    }

    @Test
    void hessianVectorProductOfNonlinearMatmulChainMatchesFiniteDifferences() {
        // L(W1) = Σ tanh(X·W1)·W2 ... a two-layer net; HVP against central differences of the gradient.
        Generator gen = new Generator(5);
        Tensor x = Tensor.randn(gen, 4, 3).to(DType.FLOAT64);
        Tensor w2 = Tensor.randn(gen, 2, 1).to(DType.FLOAT64);
        double[] w1 = Tensor.randn(gen, 3, 2).to(DType.FLOAT64).toDoubleArray();
        double[] v = Tensor.randn(gen, 3, 2).to(DType.FLOAT64).toDoubleArray();
        Function<Tensor, Tensor> loss = w -> x.matmul(w).tanh().matmul(w2).square().sum();
        Tensor w = param(w1, 3, 2);
        Tensor g = grad(loss.apply(w), w);
        Tensor hv = grad(g.mul(Tensor.of(v, 3, 2)).sum(), w);
        double eps = 1e-5;
        double[] numeric = new double[w1.length];
        double[] plus = firstGradient(loss, shift(w1, v, eps));
        double[] minus = firstGradient(loss, shift(w1, v, -eps));
        for (int i = 0; i < numeric.length; i++) numeric[i] = (plus[i] - minus[i]) / (2 * eps);
        assertArrayEquals(numeric, hv.toDoubleArray(), 1e-7);
    }

    private static double[] firstGradient(Function<Tensor, Tensor> loss, double[] w0) {
        Tensor w = param(w0, 3, 2);
        loss.apply(w).backward();
        return w.grad().toDoubleArray();
    }

    @Test
    void gradientWithoutCreateGraphIsNotDifferentiable() {
        Tensor x = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
        Tensor dy = Autograd.grad(List.of(x.pow(3)), List.of(x), null, false, false).get(0);
        assertEquals(12.0, dy.item(), 1e-12);
        assertTrue(!dy.requiresGrad() && dy.gradFn() == null);
        assertNull(x.grad());
    }

    // ---------------------------------------------------------------------------------- small float64 helpers

    private static double[][] matrix(Generator g, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) for (int j = 0; j < cols; j++) row[j] = g.nextGaussian();
        return m;
    }

    private static double[][] mm(double[][] x, double[][] y) {
        double[][] out = new double[x.length][y[0].length];
        for (int i = 0; i < x.length; i++)
            for (int k = 0; k < y.length; k++)
                for (int j = 0; j < y[0].length; j++) out[i][j] += x[i][k] * y[k][j];
        return out;
    }

    private static double[][] transpose(double[][] x) {
        double[][] out = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < x[0].length; j++) out[j][i] = x[i][j];
        return out;
    }

    private static double[] flat(double[][] x) {
        double[] out = new double[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) System.arraycopy(x[i], 0, out, i * x[0].length, x[0].length);
        return out;
    }
}
