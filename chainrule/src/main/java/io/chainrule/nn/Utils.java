package io.chainrule.nn;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}: in place on
 * each parameter's {@code grad()}, between {@code backward()} and the optimizer step.
 *
 * <pre>{@code
 * loss.backward();
 * double norm = Utils.clipGradNorm(model.parameters(), 1.0);   // the norm before clipping
 * optimizer.step();
 * }</pre>
 */
public final class Utils {
    /** Keeps the scale finite when every gradient is zero (PyTorch's constant). */
    private static final double EPS = 1e-6;

    private Utils() {}

    /**
     * Scales all gradients together so their total L2 norm is at most {@code maxNorm}: each is multiplied by
     * {@code maxNorm / (total + 1e-6)} when that is below 1. Parameters without a gradient are skipped; a
     * parameter listed twice counts once.
     *
     * @return the total norm of all gradients before clipping (infinite or NaN if some gradient is)
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        List<Tensor> grads = grads("clipGradNorm", params);
        try (var g = Autograd.noGrad()) {
            double sumSquares = 0;
            for (Tensor grad : grads) {
                double n = grad.norm().item();
                sumSquares += n * n;
            }
            double total = Math.sqrt(sumSquares);
            double scale = maxNorm / (total + EPS);
            // !(scale >= 1) also scales by NaN for a NaN norm, as PyTorch does without error_if_nonfinite.
            if (!(scale >= 1)) for (Tensor grad : grads) grad.muli(scale);
            return total;
        }
    }

    /** Clamps every gradient element to {@code [-clip, clip]} in place; parameters without a gradient are skipped. */
    public static void clipGradValue(List<Tensor> params, double clip) {
        if (!(clip >= 0)) throw new IllegalArgumentException("clipGradValue: clip must be >= 0, got " + clip);
        try (var g = Autograd.noGrad()) {
            for (Tensor grad : grads("clipGradValue", params)) grad.copyFrom(grad.clamp(-clip, clip));
        }
    }

    /** The distinct non-null gradients: a parameter listed twice must not be scaled twice. */
    private static List<Tensor> grads(String op, List<Tensor> params) {
        if (params == null) throw new IllegalArgumentException(op + ": params is null");
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : params) {
            if (p == null) throw new IllegalArgumentException(op + ": params contains null");
            Tensor grad = p.grad();
            if (grad != null && seen.put(grad, Boolean.TRUE) == null) out.add(grad);
        }
        return out;
    }
}
