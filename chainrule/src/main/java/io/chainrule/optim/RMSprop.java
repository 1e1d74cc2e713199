package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.List;
import java.util.Map;

/**
 * RMSprop, exactly as {@code torch.optim.RMSprop}. With gradient g, smoothing constant α, learning rate γ:
 * <pre>
 *   g ← g + λθ                                  (weight decay λ, if λ ≠ 0)
 *   v ← αv + (1 − α)g²
 *   ḡ ← ḡ + (1 − α)(g − ḡ)                       (centered only; then the denominator uses v − ḡ²)
 *   d ← √v + ε   (or √(v − ḡ²) + ε when centered)
 *   b ← μb + g/d;  θ ← θ − γb                    (with momentum μ &gt; 0)
 *   θ ← θ − γ·g/d                                (without)
 * </pre>
 * Defaults as PyTorch: alpha 0.99, eps 1e-8, momentum 0, not centered, weight decay 0. Note that ε is added
 * outside the square root, unlike some other RMSprop implementations.
 */
public final class RMSprop extends ElementwiseOptimizer {
    private double alpha = 0.99;
    private double eps = 1e-8;
    private double momentum;
    private boolean centered;
    private double weightDecay;

    private long[] steps;
    private Tensor[] squareAvg;
    private Tensor[] momentumBuffer;
    private Tensor[] gradAvg;
    private final Tensor[] scratchA;
    private final Tensor[] scratchB;
    private final Scalars scalars = new Scalars();

    public RMSprop(List<Tensor> params, double lr) {
        super("RMSprop", params, lr);
        int n = this.params.size();
        steps = new long[n];
        squareAvg = new Tensor[n];
        momentumBuffer = new Tensor[n];
        gradAvg = new Tensor[n];
        scratchA = new Tensor[n];
        scratchB = new Tensor[n];
    }

    /** Smoothing constant α in [0, 1] of the squared-gradient average (default 0.99). */
    public RMSprop alpha(double alpha) {
        this.alpha = checkRange("RMSprop.alpha", "alpha", alpha, 0, false, 1, false);
        return this;
    }

    /** Term added to the denominator (default 1e-8). */
    public RMSprop eps(double eps) {
        this.eps = checkRange("RMSprop.eps", "eps", eps, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Momentum factor μ ≥ 0 (default 0). */
    public RMSprop momentum(double momentum) {
        this.momentum = checkRange("RMSprop.momentum", "momentum", momentum, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Centered RMSprop: normalize by an estimate of the gradient's variance (default false). */
    public RMSprop centered(boolean centered) {
        this.centered = centered;
        return this;
    }

    /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
    public RMSprop weightDecay(double weightDecay) {
        this.weightDecay = checkRange("RMSprop.weightDecay", "weight decay", weightDecay, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    private static Tensor zerosIfNull(Tensor t, Tensor p) {
        return t != null ? t : p.detach().zerosLike();
    }

    @Override
    void update(int i, Tensor p, Tensor grad) {
        Tensor v = squareAvg[i] = zerosIfNull(squareAvg[i], p);
        Tensor a = scratchA[i] = zerosIfNull(scratchA[i], p);
        Tensor b = scratchB[i] = zerosIfNull(scratchB[i], p);
        steps[i]++;
        Tensor g = grad;
        if (weightDecay != 0) g = a.copyFrom(p).muli(scalars.of(weightDecay, p)).addi(grad);
        v.muli(scalars.of(alpha, p)).addi(b.copyFrom(g).muli(g).muli(scalars.of(1 - alpha, p)));
        if (centered) {
            Tensor gAvg = gradAvg[i] = zerosIfNull(gradAvg[i], p);
            gAvg.addi(b.copyFrom(g).subi(gAvg).muli(scalars.of(1 - alpha, p)));
            // v − ḡ², written as −ḡ² + v: the same rounding, without a third scratch tensor.
            b.copyFrom(gAvg).muli(gAvg).muli(scalars.of(-1, p)).addi(v).sqrti();
        } else {
            b.copyFrom(v).sqrti();
        }
        b.addi(scalars.of(eps, p));
        Tensor ratio = (g == a ? a : a.copyFrom(g)).divi(b);
        if (momentum > 0) {
            Tensor buf = momentumBuffer[i] = zerosIfNull(momentumBuffer[i], p);
            buf.muli(scalars.of(momentum, p)).addi(ratio);
            p.subi(a.copyFrom(buf).muli(scalars.of(lr, p)));
        } else {
            p.subi(ratio.muli(scalars.of(lr, p)));
        }
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        for (int i = 0; i < params.size(); i++) {
            if (squareAvg[i] == null) continue;
            out.put(key(i, "step"), StateReader.scalar(steps[i]));
            out.put(key(i, "square_avg"), StateReader.snapshot(squareAvg[i]));
            if (momentumBuffer[i] != null) out.put(key(i, "momentum_buffer"), StateReader.snapshot(momentumBuffer[i]));
            if (gradAvg[i] != null) out.put(key(i, "grad_avg"), StateReader.snapshot(gradAvg[i]));
        }
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        out.put("param_groups.alpha", StateReader.scalar(alpha));
        out.put("param_groups.eps", StateReader.scalar(eps));
        out.put("param_groups.momentum", StateReader.scalar(momentum));
        out.put("param_groups.centered", StateReader.scalar(centered));
        out.put("param_groups.weight_decay", StateReader.scalar(weightDecay));
    }

    @Override
    protected Runnable read(StateReader r) {
        String op = "RMSprop.loadStateDict";
        double al = checkRange(op, "alpha", r.number("param_groups.alpha"), 0, false, 1, false);
        double e = checkRange(op, "eps", r.number("param_groups.eps"), 0, false, Double.MAX_VALUE, false);
        double mu = checkRange(op, "momentum", r.number("param_groups.momentum"), 0, false, Double.MAX_VALUE, false);
        boolean c = r.flag("param_groups.centered");
        double wd = checkRange(op, "weight decay", r.number("param_groups.weight_decay"), 0, false, Double.MAX_VALUE, false);
        int n = params.size();
        long[] st = new long[n];
        Tensor[] sq = new Tensor[n], buf = new Tensor[n], ga = new Tensor[n];
        for (int i = 0; i < n; i++) {
            if (!r.has(key(i, "step"))) continue;
            Tensor p = params.get(i);
            st[i] = r.integer(key(i, "step"), 0, Long.MAX_VALUE >> 11);
            sq[i] = r.tensorLike(key(i, "square_avg"), p);
            if (r.has(key(i, "momentum_buffer"))) buf[i] = r.tensorLike(key(i, "momentum_buffer"), p);
            if (r.has(key(i, "grad_avg"))) ga[i] = r.tensorLike(key(i, "grad_avg"), p);
        }
        return () -> {
            alpha = al;
            eps = e;
            momentum = mu;
            centered = c;
            weightDecay = wd;
            steps = st;
            squareAvg = sq;
            momentumBuffer = buf;
            gradAvg = ga;
        };
    }
}
