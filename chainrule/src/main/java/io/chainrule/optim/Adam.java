package io.chainrule.optim;

import io.chainrule.FusedUpdates;
import io.chainrule.Tensor;
import io.chainrule.tensor.Updates;

import java.util.List;
import java.util.Map;

/**
 * Adam, exactly as {@code torch.optim.Adam}. With gradient g, step t, learning rate γ, betas β₁ β₂:
 * <pre>
 *   g ← g + λθ                                  (L2 weight decay λ, if λ ≠ 0)
 *   m ← m + (1 − β₁)(g − m)                      (= β₁m + (1 − β₁)g, computed as PyTorch's lerp)
 *   v ← β₂v + (1 − β₂)g²
 *   v̂max ← max(v̂max, v)                          (amsgrad only; the denominator then uses v̂max)
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Defaults as PyTorch: betas (0.9, 0.999), eps 1e-8, weight decay 0, amsgrad off.
 *
 * <pre>{@code
 * Adam opt = new Adam(params, 1e-3).betas(0.9, 0.99).amsgrad(true);
 * }</pre>
 */
public class Adam extends ElementwiseOptimizer {
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private boolean amsgrad;
    /** AdamW: weight decay shrinks θ directly (θ ← θ(1 − γλ)) instead of joining the gradient. */
    private final boolean decoupled;

    private long[] steps;
    private Tensor[] expAvg;
    private Tensor[] expAvgSq;
    private Tensor[] maxExpAvgSq;

    public Adam(List<Tensor> params, double lr) {
        this("Adam", params, lr, false, 0);
    }

    Adam(String name, List<Tensor> params, double lr, boolean decoupled, double weightDecay) {
        super(name, params, lr);
        this.decoupled = decoupled;
        this.weightDecay = weightDecay;
        int n = this.params.size();
        steps = new long[n];
        expAvg = new Tensor[n];
        expAvgSq = new Tensor[n];
        maxExpAvgSq = new Tensor[n];
    }

    /** Decay rates of the first and second moment averages, each in [0, 1) (default 0.9, 0.999). */
    public Adam betas(double beta1, double beta2) {
        this.beta1 = checkRange(name + ".betas", "beta1", beta1, 0, false, 1, true);
        this.beta2 = checkRange(name + ".betas", "beta2", beta2, 0, false, 1, true);
        return this;
    }

    /** Term added to the denominator for numerical stability (default 1e-8). */
    public Adam eps(double eps) {
        this.eps = checkRange(name + ".eps", "eps", eps, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Weight decay λ ≥ 0: an L2 term λθ added to the gradient for Adam; decoupled for AdamW. */
    public Adam weightDecay(double weightDecay) {
        this.weightDecay = checkRange(name + ".weightDecay", "weight decay", weightDecay, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** The AMSGrad variant: divide by the running maximum of the second moment (default false). */
    public Adam amsgrad(boolean amsgrad) {
        this.amsgrad = amsgrad;
        return this;
    }

    @Override
    void update(int i, Tensor p, Tensor grad) {
        if (expAvg[i] == null) {
            expAvg[i] = p.detach().zerosLike();
            expAvgSq[i] = p.detach().zerosLike();
        }
        if (amsgrad && maxExpAvgSq[i] == null) maxExpAvgSq[i] = p.detach().zerosLike();
        long t = ++steps[i];
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        var settings = new Updates.Adam(decoupled ? 1 - lr * weightDecay : 1, decoupled ? 0 : weightDecay,
                1 - beta1, beta2, 1 - beta2, biasCorrection2Sqrt, eps, lr / biasCorrection1);
        inPlace(p, target -> FusedUpdates.adam(target, grad, expAvg[i], expAvgSq[i], amsgrad ? maxExpAvgSq[i] : null, settings));
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        for (int i = 0; i < params.size(); i++) {
            if (expAvg[i] == null) continue;
            out.put(key(i, "step"), StateReader.scalar(steps[i]));
            out.put(key(i, "exp_avg"), StateReader.snapshot(expAvg[i]));
            out.put(key(i, "exp_avg_sq"), StateReader.snapshot(expAvgSq[i]));
            if (maxExpAvgSq[i] != null) out.put(key(i, "max_exp_avg_sq"), StateReader.snapshot(maxExpAvgSq[i]));
        }
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        out.put("param_groups.betas.0", StateReader.scalar(beta1));
        out.put("param_groups.betas.1", StateReader.scalar(beta2));
        out.put("param_groups.eps", StateReader.scalar(eps));
        out.put("param_groups.weight_decay", StateReader.scalar(weightDecay));
        out.put("param_groups.amsgrad", StateReader.scalar(amsgrad));
    }

    @Override
    protected Runnable read(StateReader r) {
        String op = name + ".loadStateDict";
        double b1 = checkRange(op, "beta1", r.number("param_groups.betas.0"), 0, false, 1, true);
        double b2 = checkRange(op, "beta2", r.number("param_groups.betas.1"), 0, false, 1, true);
        double e = checkRange(op, "eps", r.number("param_groups.eps"), 0, false, Double.MAX_VALUE, false);
        double wd = checkRange(op, "weight decay", r.number("param_groups.weight_decay"), 0, false, Double.MAX_VALUE, false);
        boolean ams = r.flag("param_groups.amsgrad");
        int n = params.size();
        long[] st = new long[n];
        Tensor[] m = new Tensor[n], v = new Tensor[n], vmax = new Tensor[n];
        for (int i = 0; i < n; i++) {
            if (!r.has(key(i, "step"))) continue;
            Tensor p = params.get(i);
            st[i] = r.integer(key(i, "step"), 0, Long.MAX_VALUE >> 11);
            m[i] = r.tensorLike(key(i, "exp_avg"), p);
            v[i] = r.tensorLike(key(i, "exp_avg_sq"), p);
            if (r.has(key(i, "max_exp_avg_sq"))) vmax[i] = r.tensorLike(key(i, "max_exp_avg_sq"), p);
        }
        return () -> {
            beta1 = b1;
            beta2 = b2;
            eps = e;
            weightDecay = wd;
            amsgrad = ams;
            steps = st;
            expAvg = m;
            expAvgSq = v;
            maxExpAvgSq = vmax;
        };
    }
}
