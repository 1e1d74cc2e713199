package io.chainrule.optim;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.List;
import java.util.function.Consumer;

/**
 * A first-order optimizer whose step updates each parameter from its own gradient: the loop (unrecorded, skipping
 * parameters without a gradient, as PyTorch) lives here once; subclasses write the per-parameter rule.
 */
abstract class ElementwiseOptimizer extends Optimizer {
    ElementwiseOptimizer(String name, List<Tensor> params, double lr) {
        super(name, params, lr);
    }

    @Override
    public final void step() {
        checkSettings();
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                if (p.grad() != null) update(i, p, p.grad());
            }
        }
    }

    /** Rejects setting combinations that only make sense together (checked at each step, as PyTorch). */
    void checkSettings() {}

    /** Updates parameter {@code i} in place from its gradient. */
    abstract void update(int i, Tensor p, Tensor grad);

    /**
     * Applies a fused in-place update to {@code p}; the fused kernels need contiguous memory, so a parameter that is
     * a non-contiguous view is updated through a contiguous copy that is written back.
     */
    static void inPlace(Tensor p, Consumer<Tensor> update) {
        if (p.isContiguous()) {
            update.accept(p);
            return;
        }
        Tensor copy = p.detach().contiguous();
        update.accept(copy);
        p.copyFrom(copy);
    }
}
