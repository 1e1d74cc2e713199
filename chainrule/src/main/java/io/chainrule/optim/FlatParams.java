package io.chainrule.optim;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.ArrayList;
import java.util.List;

/**
 * All parameters seen as one flat vector, in order: what the quasi-Newton and second-order optimizers work on
 * (PyTorch's {@code _gather_flat_grad}, {@code _add_grad}, {@code _clone_param}, {@code _set_param}). The
 * vectors are {@code double[]}, whatever the parameters' dtype.
 */
final class FlatParams {
    private final List<Tensor> params;
    private final int[] offsets;
    final int numel;

    FlatParams(List<Tensor> params) {
        this.params = params;
        this.offsets = new int[params.size()];
        long n = 0;
        for (int i = 0; i < params.size(); i++) {
            offsets[i] = (int) n;
            n += params.get(i).numel();
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("optimizer: the parameters hold more than 2^31 elements in all");
            }
        }
        this.numel = (int) n;
    }

    /** The gradients, concatenated; zeros for parameters whose {@code grad()} is null. */
    double[] gradient() {
        double[] out = new double[numel];
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            if (g != null) System.arraycopy(g.toDoubleArray(), 0, out, offsets[i], g.numel());
        }
        return out;
    }

    /** The parameter values, concatenated. */
    double[] values() {
        double[] out = new double[numel];
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            System.arraycopy(p.toDoubleArray(), 0, out, offsets[i], p.numel());
        }
        return out;
    }

    /** θ ← θ + t·d, in each parameter's dtype. */
    void addScaled(double t, double[] d) {
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                double[] step = new double[p.numel()];
                for (int j = 0; j < step.length; j++) step[j] = t * d[offsets[i] + j];
                p.addi(Tensor.of(step).reshape(p.shape()));
            }
        }
    }

    /** Copies of the parameters (to restore after a trial step). */
    List<Tensor> snapshot() {
        List<Tensor> out = new ArrayList<>(params.size());
        for (Tensor p : params) out.add(StateReader.snapshot(p));
        return out;
    }

    /** Puts back values taken by {@link #snapshot()}. */
    void restore(List<Tensor> saved) {
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) params.get(i).copyFrom(saved.get(i));
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            double x = Math.abs(v);
            if (x > m || Double.isNaN(x)) m = x;
        }
        return m;
    }

    static double sumAbs(double[] a) {
        double s = 0;
        for (double v : a) s += Math.abs(v);
        return s;
    }
}
