package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.List;

/**
 * A fixed least-squares problem over two float64 parameter tensors, W [3, 2] and b [2]:
 * L = ½·Σ (X·W + b − Y)². The test's reference implementations use its closed-form gradient, so they do not
 * depend on chainrule's autograd: dW = Xᵀ·R, db = Σᵢ Rᵢ with R = X·W + b − Y.
 */
final class QuadraticProblem {
    static final double[][] X = {{0.5, -1.0, 2.0}, {1.5, 0.3, -0.7}, {-0.2, 0.8, 0.4}, {1.0, 1.0, -1.5}};
    static final double[][] Y = {{1.0, -2.0}, {0.5, 0.25}, {-1.5, 2.0}, {0.75, -0.5}};
    static final double[] W0 = {0.1, -0.2, 0.3, 0.4, -0.5, 0.6};
    static final double[] B0 = {0.05, -0.15};

    final Tensor w = Tensor.of(W0.clone(), 3, 2).requiresGrad(true);
    final Tensor b = Tensor.of(B0.clone(), 2).requiresGrad(true);

    List<Tensor> params() {
        return List.of(w, b);
    }

    Tensor loss() {
        Tensor r = Tensor.of(X).matmul(w).add(b).sub(Tensor.of(Y));
        return r.square().sum().mul(0.5);
    }

    /** zeroGrad, loss, backward: one training step's gradient. */
    Tensor lossAndGrad() {
        w.zeroGrad();
        b.zeroGrad();
        Tensor l = loss();
        l.backward();
        return l;
    }

    /** The parameters flattened as W then b. */
    double[] values() {
        double[] out = new double[8];
        System.arraycopy(w.toDoubleArray(), 0, out, 0, 6);
        System.arraycopy(b.toDoubleArray(), 0, out, 6, 2);
        return out;
    }

    static double[] initial() {
        double[] out = new double[8];
        System.arraycopy(W0, 0, out, 0, 6);
        System.arraycopy(B0, 0, out, 6, 2);
        return out;
    }

    /** The closed-form gradient at θ = (W, b) flattened. */
    static double[] gradient(double[] theta) {
        double[] g = new double[8];
        for (int i = 0; i < X.length; i++) {
            for (int j = 0; j < 2; j++) {
                double r = theta[6 + j] - Y[i][j];
                for (int k = 0; k < 3; k++) r += X[i][k] * theta[k * 2 + j];
                for (int k = 0; k < 3; k++) g[k * 2 + j] += X[i][k] * r;
                g[6 + j] += r;
            }
        }
        return g;
    }
}
