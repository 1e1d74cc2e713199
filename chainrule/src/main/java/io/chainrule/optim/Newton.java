package io.chainrule.optim;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Damped Newton's method with the exact Hessian, computed by double backward: the gradient g is taken with
 * {@code createGraph}, and row i of the Hessian H is the gradient of gᵢ (one backward pass per parameter
 * element, so the cost grows as n passes and n² memory: meant for models with up to a few thousand parameters;
 * {@link #maxParameters(int)} sets the limit, 5000 by default). Each iteration:
 * <pre>
 *   solve (H + λI)·δ = −g by Cholesky           (λ = 0 unless H is not positive definite)
 *   θ ← θ + t·δ,  t = lr, lr/2, lr/4, ... until f(θ + tδ) ≤ f(θ) + 1e-4·t·g·δ   (Armijo backtracking)
 * </pre>
 * The damping λ follows Levenberg–Marquardt: it grows tenfold while H + λI is not positive definite or the line
 * search fails, and shrinks tenfold after each full step, down to 0. Each {@link #step(Supplier)} runs
 * {@code maxIter} iterations (default 1) and stops when the largest gradient entry is at most
 * {@code toleranceGrad} (default 1e-10).
 *
 * <p>The closure returns the loss; it may call {@code backward()} itself or not (gradients are taken from the
 * returned loss with {@link Autograd#grad}, and the closure runs inside {@link Autograd#retainGraphs()} so its
 * own backward leaves the graph in place).
 *
 * <pre>{@code
 * Newton opt = new Newton(List.of(w, b));
 * for (int i = 0; i < 10; i++) opt.step(() -> loss(w, b));
 * }</pre>
 */
public final class Newton extends ClosureOptimizer<Newton> {
    private static final double ARMIJO_C1 = 1e-4;
    private static final int MAX_HALVINGS = 20;
    private static final int MAX_DAMPING_TRIES = 12;

    private int maxParameters = 5000;
    private double damping;

    /** One iteration per step, stopping at a largest gradient entry of 1e-10 (see the setters). */
    public Newton(List<Tensor> params) {
        super("Newton", params, 1, 1, 1e-10);
    }

    /** The largest number of parameter elements accepted (default 5000); more fail at {@link #step(Supplier)}. */
    public Newton maxParameters(int maxParameters) {
        this.maxParameters = checkPositive("Newton.maxParameters", "max parameters", maxParameters);
        return this;
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        int n = numel();
        if (n > maxParameters) {
            throw new IllegalArgumentException("Newton.step: the parameters hold " + n + " elements, more than "
                    + "maxParameters " + maxParameters + " (the exact Hessian costs n backward passes and n² doubles; "
                    + "raise the limit with maxParameters(int) or use LBFGS)");
        }
        if ((long) n * n + n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Newton.step: the parameters hold " + n + " elements; an n×n Hessian "
                    + "does not fit in one Java array (at most 46340 elements)");
        }
        for (int i = 0; i < params.size(); i++) {
            if (!params.get(i).requiresGrad()) {
                throw new IllegalArgumentException("Newton.step: parameter " + i + " (shape "
                        + java.util.Arrays.toString(params.get(i).shape()) + ") does not require grad");
            }
        }
        Tensor origLoss = null;
        for (int iter = 0, maxIter = maxIter(); iter < maxIter; iter++) {
            Tensor loss;
            try (var keep = Autograd.retainGraphs()) {
                loss = evaluate(closure);
            }
            countEvaluations(1);
            double f = value(loss);
            if (origLoss == null) origLoss = loss;
            if (!loss.requiresGrad()) {
                throw new IllegalStateException("Newton.step: the closure's loss does not require grad (was it "
                        + "computed under Autograd.noGrad(), or from parameters that don't require grad?)");
            }
            List<Tensor> grads;
            double[] g;
            double[] h;
            try (var on = Autograd.enableGrad()) {
                Tensor anchor = zeroAnchor();
                grads = Autograd.grad(List.of(loss.add(anchor)), params, null, true, true);
                g = flatten(grads);
                if (maxAbs(g) <= toleranceGrad()) break;
                h = hessian(grads, anchor, n);
            }
            countIteration();
            if (!newtonStep(closure, f, g, h, n)) break;
        }
        return origLoss;
    }

    /** 0·Σθ: added to each differentiated output so every parameter is reached, even one the output ignores. */
    private Tensor zeroAnchor() {
        Tensor anchor = null;
        for (Tensor p : params) {
            Tensor term = p.sum().mul(0.0);
            anchor = anchor == null ? term : anchor.add(term);
        }
        return anchor;
    }

    private double[] flatten(List<Tensor> parts) {
        double[] out = new double[numel()];
        int off = 0;
        for (Tensor t : parts) {
            double[] v = t.toDoubleArray();
            System.arraycopy(v, 0, out, off, v.length);
            off += v.length;
        }
        return out;
    }

    /**
     * The symmetrized Hessian, n×n row-major: its strict upper triangle in place and its diagonal in the returned
     * array's last n entries; the lower triangle is scratch for {@link Cholesky}.
     */
    private double[] hessian(List<Tensor> grads, Tensor anchor, int n) {
        double[] h = new double[n * n + n];
        int row = 0;
        for (Tensor gp : grads) {
            Tensor flatG = gp.reshape(-1);
            for (int j = 0; j < flatG.numel(); j++, row++) {
                Tensor out = flatG.select(0, j).add(anchor);
                double[] r = flatten(Autograd.grad(List.of(out), params, null, true, false));
                System.arraycopy(r, 0, h, row * n, n);
            }
        }
        for (int i = 0; i < n; i++) {
            h[n * n + i] = h[i * n + i];
            for (int j = i + 1; j < n; j++) h[i * n + j] = 0.5 * (h[i * n + j] + h[j * n + i]);
        }
        return h;
    }

    /** One damped Newton iteration from loss f and gradient g; false when no acceptable step was found. */
    private boolean newtonStep(Supplier<Tensor> closure, double f, double[] g, double[] h, int n) {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(h[n * n + i]));
        double lambda = damping;
        List<Tensor> x = snapshot();
        for (int attempt = 0; attempt < MAX_DAMPING_TRIES; attempt++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) h[i * n + j] = h[j * n + i];
                h[i * n + i] = h[n * n + i] + lambda;
            }
            double[] delta = null;
            if (Cholesky.factor(h, n)) {
                delta = new double[n];
                for (int i = 0; i < n; i++) delta[i] = -g[i];
                Cholesky.solve(h, n, delta);
            }
            double gtd = delta == null ? 0 : dot(g, delta);
            if (delta != null && gtd < 0) {
                double t = lr;
                for (int k = 0; k <= MAX_HALVINGS; k++, t *= 0.5) {
                    addScaled(t, delta);
                    double fTry = value(evaluate(closure));
                    countEvaluations(1);
                    // A few ulps of slack: near the minimum the decrease is below the rounding of f.
                    if (fTry <= f + ARMIJO_C1 * t * gtd + 4 * Math.ulp(f)) {
                        damping = t == lr ? (lambda * 0.1 < 1e-12 * Math.max(1, maxDiag) ? 0 : lambda * 0.1) : lambda;
                        return true;
                    }
                    restore(x);
                }
            }
            lambda = lambda == 0 ? 1e-6 * Math.max(1, maxDiag) : lambda * 10;
        }
        damping = lambda;
        return false;
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        super.writeState(out);
        if (evaluations() > 0) out.put(key(0, "damping"), StateReader.scalar(damping));
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        super.writeHyper(out);
        out.put("param_groups.max_parameters", StateReader.scalar(maxParameters));
    }

    @Override
    protected Runnable read(StateReader r) {
        Runnable base = super.read(r);
        int mp = (int) r.integer("param_groups.max_parameters", 1, Integer.MAX_VALUE);
        double damp = !r.has(key(0, "func_evals")) ? 0 : checkRange("Newton.loadStateDict", "damping",
                r.number(key(0, "damping")), 0, false, Double.MAX_VALUE, false);
        return () -> {
            base.run();
            maxParameters = mp;
            damping = damp;
        };
    }
}
