package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.List;

/**
 * AdamW, exactly as {@code torch.optim.AdamW}: {@link Adam} with decoupled weight decay. Before the Adam update
 * each parameter shrinks by {@code θ ← θ(1 − γλ)}; the gradient itself carries no L2 term. Default weight decay
 * 0.01, as in PyTorch; the other defaults are Adam's.
 *
 * <pre>{@code
 * AdamW opt = new AdamW(params, 1e-3).weightDecay(0.05);
 * }</pre>
 */
public final class AdamW extends Adam {
    public AdamW(List<Tensor> params, double lr) {
        super("AdamW", params, lr, true, 0.01);
    }

    @Override
    public AdamW betas(double beta1, double beta2) {
        super.betas(beta1, beta2);
        return this;
    }

    @Override
    public AdamW eps(double eps) {
        super.eps(eps);
        return this;
    }

    /** Decoupled weight decay λ ≥ 0 (default 0.01): θ ← θ(1 − γλ) at each step. */
    @Override
    public AdamW weightDecay(double weightDecay) {
        super.weightDecay(weightDecay);
        return this;
    }

    @Override
    public AdamW amsgrad(boolean amsgrad) {
        super.amsgrad(amsgrad);
        return this;
    }
}
