package io.chainrule;

import io.chainrule.tensor.Updates;

import java.util.Arrays;

/**
 * The in-place parameter updates behind {@code io.chainrule.optim}, each fused into one pass over memory (see
 * {@link Updates} for the per-element formulas). Like the optimizers' steps they are not recorded by autograd; each
 * bumps the version of every tensor it writes, so a backward that saved one of them fails loudly.
 *
 * <p>All tensors must be float32 or float64 of one dtype and one shape; the parameter and the states must be
 * contiguous (a non-contiguous gradient is copied first).
 * <pre>{@code FusedUpdates.sgd(p, p.grad(), null, new Updates.Sgd(0.01, 0, 0, 1, false, false));}</pre>
 */
@SuppressWarnings("exports") // the settings are the kernels' own type, not exported: only the library calls these
public final class FusedUpdates {
    private FusedUpdates() {}

    /** One SGD step on {@code p}; {@code momentumBuffer} is null without momentum. */
    public static void sgd(Tensor p, Tensor grad, Tensor momentumBuffer, Updates.Sgd settings) {
        Tensor g = check("sgd", p, grad, momentumBuffer);
        int n = p.numel();
        if (p.dtype == DType.FLOAT32) {
            Updates.sgd(settings, (float[]) p.data(), p.offset, (float[]) g.data(), g.offset,
                    momentumBuffer == null ? null : (float[]) momentumBuffer.data(), offset(momentumBuffer), n);
        } else {
            Updates.sgd(settings, (double[]) p.data(), p.offset, (double[]) g.data(), g.offset,
                    momentumBuffer == null ? null : (double[]) momentumBuffer.data(), offset(momentumBuffer), n);
        }
        bump(p, momentumBuffer);
    }

    /** One Adam step on {@code p} with first and second moments {@code m} and {@code v}; {@code vmax} for AMSGrad or null. */
    public static void adam(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor vmax, Updates.Adam settings) {
        Tensor g = check("adam", p, grad, m, v, vmax);
        int n = p.numel();
        if (p.dtype == DType.FLOAT32) {
            Updates.adam(settings, (float[]) p.data(), p.offset, (float[]) g.data(), g.offset, (float[]) m.data(), m.offset,
                    (float[]) v.data(), v.offset, vmax == null ? null : (float[]) vmax.data(), offset(vmax), n);
        } else {
            Updates.adam(settings, (double[]) p.data(), p.offset, (double[]) g.data(), g.offset, (double[]) m.data(), m.offset,
                    (double[]) v.data(), v.offset, vmax == null ? null : (double[]) vmax.data(), offset(vmax), n);
        }
        bump(p, m, v, vmax);
    }

    /** Validates the operands and returns the gradient as a contiguous tensor of the parameter's dtype. */
    private static Tensor check(String op, Tensor p, Tensor grad, Tensor... states) {
        if (!p.dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": the parameter must be float32 or float64, got " + p.dtype);
        }
        if (!p.isContiguous()) {
            throw new IllegalArgumentException(op + ": the parameter of shape " + Arrays.toString(p.shape) + " must be contiguous");
        }
        requireShape(op, "gradient", p, grad);
        for (Tensor s : states) {
            if (s == null) continue;
            requireShape(op, "state", p, s);
            if (s.dtype != p.dtype || !s.isContiguous() || s.storage == p.storage) {
                throw new IllegalArgumentException(op + ": a state tensor must be a contiguous " + p.dtype
                        + " tensor with its own storage, got " + s.dtype + (s.isContiguous() ? "" : " (non-contiguous)"));
            }
        }
        Tensor g = grad.castRaw(p.dtype);
        return g.isContiguous() && g.storage != p.storage ? g : g.copyRaw(p.dtype);
    }

    private static void requireShape(String op, String what, Tensor p, Tensor t) {
        if (!Arrays.equals(t.shape, p.shape)) {
            throw new IllegalArgumentException(op + ": the " + what + " of shape " + Arrays.toString(t.shape)
                    + " does not match the parameter of shape " + Arrays.toString(p.shape));
        }
    }

    private static int offset(Tensor t) {
        return t == null ? 0 : t.offset;
    }

    private static void bump(Tensor... written) {
        for (Tensor t : written) if (t != null) t.storage.bumpVersion();
    }
}
