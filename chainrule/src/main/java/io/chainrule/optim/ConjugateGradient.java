package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Nonlinear conjugate gradient with the Polak–Ribière+ update and a strong-Wolfe line search (the one
 * {@link LBFGS} uses). From gradient gₖ and direction dₖ₋₁:
 * <pre>
 *   β = max(0, gₖ·(gₖ − gₖ₋₁) / (gₖ₋₁·gₖ₋₁))          (PR+, Nocedal and Wright eq. 5.45)
 *   dₖ = −gₖ + β·dₖ₋₁
 *   θ ← θ + t·dₖ,  t from the line search (c1 = 1e-4, c2 = 1e-3)
 * </pre>
 * The method restarts with steepest descent (β = 0) every {@code restartEvery} iterations (default: the number of
 * parameter elements) and whenever dₖ is not a descent direction. On a convex quadratic with exact line searches
 * this is linear CG, which finishes in at most n iterations. CG's conjugacy depends on accurate line searches,
 * hence the small default c2 (nearly exact searches; on a quadratic the cubic interpolation is exact, so they cost
 * about two evaluations); {@link #wolfeConditions(double, double)} trades accuracy for fewer evaluations.
 *
 * <p>Each {@link #step(Supplier)} runs up to {@code maxIter} iterations (default 20) and {@code maxEval} closure
 * evaluations (default {@code 3·maxIter}), stopping early when the largest gradient entry is at most
 * {@code toleranceGrad} (1e-7) or the step or loss change is below {@code toleranceChange} (1e-9). The learning
 * rate scales the first step length tried (default 1).
 *
 * <pre>{@code
 * ConjugateGradient cg = new ConjugateGradient(List.of(x));
 * cg.step(() -> { cg.zeroGrad(); Tensor l = f(x); l.backward(); return l; });
 * }</pre>
 */
public final class ConjugateGradient extends ClosureOptimizer<ConjugateGradient> {
    private int maxEval = -1; // -1: 3 * maxIter
    private double toleranceChange = 1e-9;
    private int restartEvery = -1; // -1: the number of parameter elements
    private double c1 = 1e-4;
    private double c2 = 1e-3;

    private State state = new State();

    private static final class State {
        long sinceRestart;
        double[] d;
        double t;
        double prevGtd;
        double[] prevFlatGrad;
        double prevLoss;
    }

    public ConjugateGradient(List<Tensor> params) {
        super("ConjugateGradient", params, 1, 20, 1e-7);
    }

    /** Closure evaluations per step (default {@code 3 * maxIter}); checked after each iteration. */
    public ConjugateGradient maxEval(int maxEval) {
        this.maxEval = checkPositive("ConjugateGradient.maxEval", "max evaluations", maxEval);
        return this;
    }

    /** Stop when the step or the loss changes by less than this (default 1e-9). */
    public ConjugateGradient toleranceChange(double tolerance) {
        this.toleranceChange = checkRange("ConjugateGradient.toleranceChange", "tolerance", tolerance, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Restart with steepest descent every this many iterations (default: the number of parameter elements). */
    public ConjugateGradient restartEvery(int iterations) {
        this.restartEvery = checkPositive("ConjugateGradient.restartEvery", "restart interval", iterations);
        return this;
    }

    /**
     * The line search's sufficient-decrease constant c1 and curvature constant c2, {@code 0 < c1 < c2 < 1}
     * (default 1e-4 and 1e-3).
     */
    public ConjugateGradient wolfeConditions(double c1, double c2) {
        checkRange("ConjugateGradient.wolfeConditions", "c1", c1, 0, true, 1, true);
        checkRange("ConjugateGradient.wolfeConditions", "c2", c2, c1, true, 1, true);
        this.c1 = c1;
        this.c2 = c2;
        return this;
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        int maxIter = maxIter(), maxEvals = maxEval > 0 ? maxEval : 3 * maxIter;
        double toleranceGrad = toleranceGrad();
        long restart = restartEvery > 0 ? restartEvery : Math.max(1, numel());
        State s = state;
        Tensor origLoss = evaluate(closure);
        double loss = value(origLoss);
        int currentEvals = 1;
        countEvaluations(1);
        double[] g = gradient();
        if (maxAbs(g) <= toleranceGrad) return origLoss;

        int nIter = 0;
        while (nIter < maxIter) {
            nIter++;
            countIteration();
            double[] d = direction(s, g, restart);
            double gtd = dot(g, d);
            if (gtd > -toleranceChange) break;

            // First step length: at the very first iteration scaled by the gradient's size (as LBFGS), later
            // Nocedal and Wright's eq. 3.60: the previous step's first-order change, t·g·d, carried over.
            double t = s.prevGtd == 0 ? Math.min(1.0, 1.0 / FlatParams.sumAbs(g)) * lr : s.t * s.prevGtd / gtd;
            if (!(t > 0) || Double.isInfinite(t)) t = lr;

            LineSearchResult r = searchLine(closure, d, t, loss, g, c1, c2, toleranceChange);
            s.prevFlatGrad = g;
            s.prevGtd = gtd;
            s.prevLoss = loss;
            s.d = d;
            s.t = r.step();
            loss = r.loss();
            g = r.gradient();
            currentEvals += r.evaluations();

            if (nIter == maxIter || currentEvals >= maxEvals || maxAbs(g) <= toleranceGrad) break;
            if (maxAbs(d) * Math.abs(r.step()) <= toleranceChange) break;
            if (Math.abs(loss - s.prevLoss) < toleranceChange) break;
        }
        return origLoss;
    }

    /** The PR+ direction at gradient {@code g}; steepest descent at a restart. */
    private static double[] direction(State s, double[] g, long restart) {
        double[] d = new double[g.length];
        double beta = 0;
        if (s.d != null && s.prevFlatGrad != null && s.sinceRestart + 1 < restart) {
            double num = 0, den = 0;
            for (int i = 0; i < g.length; i++) {
                num += g[i] * (g[i] - s.prevFlatGrad[i]);
                den += s.prevFlatGrad[i] * s.prevFlatGrad[i];
            }
            beta = den > 0 ? Math.max(0, num / den) : 0;
        }
        for (int i = 0; i < g.length; i++) d[i] = beta > 0 ? -g[i] + beta * s.d[i] : -g[i];
        if (beta > 0 && FlatParams.dot(g, d) >= 0) {
            // Not a descent direction (possible with an inexact line search): restart.
            beta = 0;
            for (int i = 0; i < g.length; i++) d[i] = -g[i];
        }
        s.sinceRestart = beta > 0 ? s.sinceRestart + 1 : 0;
        return d;
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        super.writeState(out);
        State s = state;
        if (s.d == null) return;
        out.put(key(0, "since_restart"), StateReader.scalar(s.sinceRestart));
        out.put(key(0, "d"), Tensor.of(s.d.clone()));
        out.put(key(0, "t"), StateReader.scalar(s.t));
        out.put(key(0, "prev_gtd"), StateReader.scalar(s.prevGtd));
        out.put(key(0, "prev_flat_grad"), Tensor.of(s.prevFlatGrad.clone()));
        out.put(key(0, "prev_loss"), StateReader.scalar(s.prevLoss));
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        super.writeHyper(out);
        out.put("param_groups.max_eval", StateReader.scalar(maxEval));
        out.put("param_groups.tolerance_change", StateReader.scalar(toleranceChange));
        out.put("param_groups.restart_every", StateReader.scalar(restartEvery));
        out.put("param_groups.c1", StateReader.scalar(c1));
        out.put("param_groups.c2", StateReader.scalar(c2));
    }

    @Override
    protected Runnable read(StateReader r) {
        String op = "ConjugateGradient.loadStateDict";
        Runnable counters = super.read(r);
        int me = (int) r.integer("param_groups.max_eval", -1, Integer.MAX_VALUE);
        double tc = checkRange(op, "tolerance", r.number("param_groups.tolerance_change"), 0, false, Double.MAX_VALUE, false);
        int re = (int) r.integer("param_groups.restart_every", -1, Integer.MAX_VALUE);
        double wc1 = checkRange(op, "c1", r.number("param_groups.c1"), 0, true, 1, true);
        double wc2 = checkRange(op, "c2", r.number("param_groups.c2"), wc1, true, 1, true);
        State s = new State();
        int n = numel();
        if (r.has(key(0, "func_evals")) && r.has(key(0, "d"))) {
            s.sinceRestart = r.integer(key(0, "since_restart"), 0, Long.MAX_VALUE >> 11);
            s.d = r.vector(key(0, "d"), n);
            s.t = r.number(key(0, "t"));
            s.prevGtd = r.number(key(0, "prev_gtd"));
            s.prevFlatGrad = r.vector(key(0, "prev_flat_grad"), n);
            s.prevLoss = r.number(key(0, "prev_loss"));
        }
        return () -> {
            counters.run();
            maxEval = me == 0 ? -1 : me;
            toleranceChange = tc;
            restartEvery = re == 0 ? -1 : re;
            c1 = wc1;
            c2 = wc2;
            state = s;
        };
    }
}
