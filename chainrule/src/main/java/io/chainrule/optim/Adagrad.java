package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Adagrad, exactly as {@code torch.optim.Adagrad}. At step t, with gradient g and learning rate γ:
 * <pre>
 *   g ← g + λθ                         (weight decay λ, if λ ≠ 0)
 *   γ̃ ← γ / (1 + (t − 1)·η)             (learning-rate decay η)
 *   s ← s + g²                          (s starts at the initial accumulator value)
 *   θ ← θ − γ̃ · g / (√s + ε)
 * </pre>
 * Defaults as PyTorch: lr decay 0, weight decay 0, initial accumulator value 0, eps 1e-10.
 */
public final class Adagrad extends ElementwiseOptimizer {
    private double lrDecay;
    private double weightDecay;
    private double initialAccumulatorValue;
    private double eps = 1e-10;

    private long[] steps;
    private Tensor[] sums;
    private final Tensor[] scratchA;
    private final Tensor[] scratchB;
    private final Scalars scalars = new Scalars();

    public Adagrad(List<Tensor> params, double lr) {
        super("Adagrad", params, lr);
        int n = this.params.size();
        steps = new long[n];
        sums = new Tensor[n];
        scratchA = new Tensor[n];
        scratchB = new Tensor[n];
    }

    /** Learning-rate decay η ≥ 0 (default 0). */
    public Adagrad lrDecay(double lrDecay) {
        this.lrDecay = checkRange("Adagrad.lrDecay", "lr decay", lrDecay, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
    public Adagrad weightDecay(double weightDecay) {
        this.weightDecay = checkRange("Adagrad.weightDecay", "weight decay", weightDecay, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Starting value of the squared-gradient sum (default 0); applies to parameters not yet stepped. */
    public Adagrad initialAccumulatorValue(double value) {
        this.initialAccumulatorValue = checkRange("Adagrad.initialAccumulatorValue", "initial accumulator value", value,
                0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Term added to the denominator (default 1e-10). */
    public Adagrad eps(double eps) {
        this.eps = checkRange("Adagrad.eps", "eps", eps, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    @Override
    void update(int i, Tensor p, Tensor grad) {
        if (sums[i] == null) sums[i] = p.detach().zerosLike().fill(initialAccumulatorValue);
        if (scratchA[i] == null) {
            scratchA[i] = p.detach().zerosLike();
            scratchB[i] = p.detach().zerosLike();
        }
        Tensor a = scratchA[i], b = scratchB[i], s = sums[i];
        long t = ++steps[i];
        Tensor g = grad;
        if (weightDecay != 0) g = a.copyFrom(p).muli(scalars.of(weightDecay, p)).addi(grad);
        double clr = lr / (1 + (t - 1) * lrDecay);
        s.addi(b.copyFrom(g).muli(g));
        b.copyFrom(s).sqrti().addi(scalars.of(eps, p));
        p.subi((g == a ? a : a.copyFrom(g)).divi(b).muli(scalars.of(clr, p)));
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        for (int i = 0; i < params.size(); i++) {
            if (sums[i] == null) continue;
            out.put(key(i, "step"), StateReader.scalar(steps[i]));
            out.put(key(i, "sum"), StateReader.snapshot(sums[i]));
        }
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        out.put("param_groups.lr_decay", StateReader.scalar(lrDecay));
        out.put("param_groups.weight_decay", StateReader.scalar(weightDecay));
        out.put("param_groups.initial_accumulator_value", StateReader.scalar(initialAccumulatorValue));
        out.put("param_groups.eps", StateReader.scalar(eps));
    }

    @Override
    protected Runnable read(StateReader r) {
        String op = "Adagrad.loadStateDict";
        double decay = checkRange(op, "lr decay", r.number("param_groups.lr_decay"), 0, false, Double.MAX_VALUE, false);
        double wd = checkRange(op, "weight decay", r.number("param_groups.weight_decay"), 0, false, Double.MAX_VALUE, false);
        double init = checkRange(op, "initial accumulator value", r.number("param_groups.initial_accumulator_value"),
                0, false, Double.MAX_VALUE, false);
        double e = checkRange(op, "eps", r.number("param_groups.eps"), 0, false, Double.MAX_VALUE, false);
        int n = params.size();
        long[] st = new long[n];
        Tensor[] s = new Tensor[n];
        for (int i = 0; i < n; i++) {
            if (!r.has(key(i, "step"))) continue;
            st[i] = r.integer(key(i, "step"), 0, Long.MAX_VALUE >> 11);
            s[i] = r.tensorLike(key(i, "sum"), params.get(i));
        }
        return () -> {
            lrDecay = decay;
            weightDecay = wd;
            initialAccumulatorValue = init;
            eps = e;
            steps = st;
            sums = s;
        };
    }
}
