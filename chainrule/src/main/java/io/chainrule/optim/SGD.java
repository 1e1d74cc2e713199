package io.chainrule.optim;

import io.chainrule.FusedUpdates;
import io.chainrule.Tensor;
import io.chainrule.tensor.Updates;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, exactly as
 * {@code torch.optim.SGD}. With gradient g, parameter θ, learning rate γ, momentum μ, dampening τ, weight decay λ:
 * <pre>
 *   g ← g + λθ                               (if λ ≠ 0)
 *   b ← g at the first step, else μ·b + (1 − τ)·g   (if μ ≠ 0)
 *   g ← g + μ·b if nesterov, else b           (if μ ≠ 0)
 *   θ ← θ − γ·g
 * </pre>
 * This is PyTorch's momentum convention: the buffer accumulates raw gradients ({@code b = μb + g} with the default
 * τ = 0) and the learning rate multiplies the buffer. It is not the "moving average" variant some courses teach
 * ({@code v = βv + (1 − β)g}, or {@code v = μv − γg; θ += v}); with a constant learning rate the two differ by a
 * rescaling of γ, but not when γ changes during training.
 *
 * <pre>{@code
 * SGD opt = new SGD(model.parameters(), 0.1).momentum(0.9).nesterov(true);
 * }</pre>
 */
public final class SGD extends ElementwiseOptimizer {
    private double momentum;
    private double dampening;
    private boolean nesterov;
    private double weightDecay;

    private Tensor[] momentumBuffer;

    public SGD(List<Tensor> params, double lr) {
        super("SGD", params, lr);
        momentumBuffer = new Tensor[this.params.size()];
    }

    /** Momentum factor μ ≥ 0 (default 0: plain SGD). */
    public SGD momentum(double momentum) {
        this.momentum = checkRange("SGD.momentum", "momentum", momentum, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Dampening τ of the gradient added to the momentum buffer (default 0). */
    public SGD dampening(double dampening) {
        this.dampening = checkRange("SGD.dampening", "dampening", dampening, -Double.MAX_VALUE, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Nesterov momentum (default false); needs momentum &gt; 0 and zero dampening. */
    public SGD nesterov(boolean nesterov) {
        this.nesterov = nesterov;
        return this;
    }

    /** L2 penalty λ ≥ 0 added to the gradient as λθ (default 0). */
    public SGD weightDecay(double weightDecay) {
        this.weightDecay = checkRange("SGD.weightDecay", "weight decay", weightDecay, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    @Override
    void checkSettings() {
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got "
                    + "momentum " + momentum + " and dampening " + dampening);
        }
    }

    @Override
    void update(int i, Tensor p, Tensor grad) {
        boolean first = momentum != 0 && momentumBuffer[i] == null;
        if (first) momentumBuffer[i] = p.detach().zerosLike();
        var settings = new Updates.Sgd(lr, weightDecay, momentum, 1 - dampening, nesterov, first);
        inPlace(p, target -> FusedUpdates.sgd(target, grad, momentum != 0 ? momentumBuffer[i] : null, settings));
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        for (int i = 0; i < params.size(); i++) {
            if (momentumBuffer[i] != null) out.put(key(i, "momentum_buffer"), StateReader.snapshot(momentumBuffer[i]));
        }
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        out.put("param_groups.momentum", StateReader.scalar(momentum));
        out.put("param_groups.dampening", StateReader.scalar(dampening));
        out.put("param_groups.nesterov", StateReader.scalar(nesterov));
        out.put("param_groups.weight_decay", StateReader.scalar(weightDecay));
    }

    @Override
    protected Runnable read(StateReader r) {
        double mu = checkRange("SGD.loadStateDict", "momentum", r.number("param_groups.momentum"), 0, false, Double.MAX_VALUE, false);
        double tau = checkRange("SGD.loadStateDict", "dampening", r.number("param_groups.dampening"), -Double.MAX_VALUE,
                false, Double.MAX_VALUE, false);
        boolean nest = r.flag("param_groups.nesterov");
        double wd = checkRange("SGD.loadStateDict", "weight decay", r.number("param_groups.weight_decay"), 0, false, Double.MAX_VALUE, false);
        Tensor[] buffers = new Tensor[params.size()];
        for (int i = 0; i < params.size(); i++) {
            String k = key(i, "momentum_buffer");
            if (r.has(k)) buffers[i] = r.tensorLike(k, params.get(i));
        }
        return () -> {
            momentum = mu;
            dampening = tau;
            nesterov = nest;
            weightDecay = wd;
            momentumBuffer = buffers;
        };
    }
}
