package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * L-BFGS, a port of {@code torch.optim.LBFGS}: the two-loop recursion over the last {@code historySize}
 * curvature pairs, and (by default here) PyTorch's strong-Wolfe line search with cubic interpolation. Each
 * {@link #step(Supplier)} runs up to {@code maxIter} iterations, evaluating the closure as often as needed (at most
 * {@code maxEval} times, default {@code maxIter·5/4}); it stops early when the largest gradient entry is at most
 * {@code toleranceGrad} (1e-7), or when the step or the loss change drops below {@code toleranceChange} (1e-9).
 *
 * <p>Differences from PyTorch: {@code strongWolfe} defaults to true (PyTorch's default is the fixed-step mode,
 * {@code line_search_fn=None}, which {@code strongWolfe(false)} gives); the direction and history vectors are kept
 * in double precision whatever the parameters' dtype. All state lives under parameter 0, as in PyTorch.
 *
 * <pre>{@code
 * LBFGS opt = new LBFGS(List.of(x), 1);
 * for (int i = 0; i < 10; i++) opt.step(() -> { opt.zeroGrad(); Tensor l = f(x); l.backward(); return l; });
 * }</pre>
 */
public final class LBFGS extends ClosureOptimizer<LBFGS> {
    private int maxEval = -1; // -1: maxIter * 5 / 4
    private double toleranceChange = 1e-9;
    private int historySize = 100;
    private boolean strongWolfe = true;

    private State state = new State();

    /** What PyTorch keeps in {@code state[params[0]]} besides the counters. */
    private static final class State {
        double[] d;
        double t;
        List<double[]> oldDirs = new ArrayList<>();
        List<double[]> oldStps = new ArrayList<>();
        List<Double> ro = new ArrayList<>();
        double hDiag = 1;
        double[] prevFlatGrad;
        double prevLoss;
    }

    /** @param lr the step length tried first in the line search (PyTorch's default is 1) */
    public LBFGS(List<Tensor> params, double lr) {
        super("LBFGS", params, lr, 20, 1e-7);
    }

    /** Number of curvature pairs kept (default 100). */
    public LBFGS historySize(int historySize) {
        this.historySize = checkPositive("LBFGS.historySize", "history size", historySize);
        return this;
    }

    /** Closure evaluations per step (default {@code maxIter * 5 / 4}). */
    public LBFGS maxEval(int maxEval) {
        this.maxEval = checkPositive("LBFGS.maxEval", "max evaluations", maxEval);
        return this;
    }

    /** Stop when the step or the loss changes by less than this (default 1e-9). */
    public LBFGS toleranceChange(double tolerance) {
        this.toleranceChange = checkRange("LBFGS.toleranceChange", "tolerance", tolerance, 0, false, Double.MAX_VALUE, false);
        return this;
    }

    /** Strong-Wolfe line search (default true); false: PyTorch's fixed step of length lr. */
    public LBFGS strongWolfe(boolean strongWolfe) {
        this.strongWolfe = strongWolfe;
        return this;
    }

    private int effectiveMaxEval() {
        return maxEval > 0 ? maxEval : maxIter() * 5 / 4;
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        int maxEvals = effectiveMaxEval(), maxIter = maxIter();
        double toleranceGrad = toleranceGrad();
        State s = state;
        Tensor origLoss = evaluate(closure);
        double loss = value(origLoss);
        int currentEvals = 1;
        countEvaluations(1);
        double[] flatGrad = gradient();
        if (maxAbs(flatGrad) <= toleranceGrad) return origLoss;

        double[] d = s.d;
        double t = s.t;
        int nIter = 0;
        while (nIter < maxIter) {
            nIter++;
            countIteration();

            // Direction: steepest descent at the very first iteration, else the L-BFGS two-loop recursion.
            if (iterations() == 1) {
                d = neg(flatGrad);
                s.oldDirs.clear();
                s.oldStps.clear();
                s.ro.clear();
                s.hDiag = 1;
            } else {
                double[] y = new double[flatGrad.length];
                double[] st = new double[flatGrad.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = flatGrad[i] - s.prevFlatGrad[i];
                    st[i] = d[i] * t;
                }
                double ys = dot(y, st);
                if (ys > 1e-10) {
                    if (s.oldDirs.size() == historySize) {
                        s.oldDirs.remove(0);
                        s.oldStps.remove(0);
                        s.ro.remove(0);
                    }
                    s.oldDirs.add(y);
                    s.oldStps.add(st);
                    s.ro.add(1.0 / ys);
                    s.hDiag = ys / dot(y, y);
                }
                d = twoLoop(s, flatGrad);
            }
            if (s.prevFlatGrad == null) s.prevFlatGrad = flatGrad.clone();
            else System.arraycopy(flatGrad, 0, s.prevFlatGrad, 0, flatGrad.length);
            s.prevLoss = loss;

            // Step length: the first ever is scaled down by the gradient's size, later ones start at lr.
            t = iterations() == 1 ? Math.min(1.0, 1.0 / FlatParams.sumAbs(flatGrad)) * lr : lr;
            double gtd = dot(flatGrad, d);
            if (gtd > -toleranceChange) break;

            int lsEvals = 0;
            boolean optCond = false;
            if (strongWolfe) {
                LineSearchResult r = searchLine(closure, d, t, loss, flatGrad, 1e-4, 0.9, toleranceChange);
                loss = r.loss();
                flatGrad = r.gradient();
                t = r.step();
                lsEvals = r.evaluations();
                optCond = maxAbs(flatGrad) <= toleranceGrad;
            } else {
                addScaled(t, d);
                if (nIter != maxIter) {
                    // Re-evaluate except after the last iteration: the next step() starts with an evaluation anyway.
                    loss = value(evaluate(closure));
                    flatGrad = gradient();
                    optCond = maxAbs(flatGrad) <= toleranceGrad;
                    lsEvals = 1;
                    countEvaluations(1);
                }
            }
            currentEvals += lsEvals;

            if (nIter == maxIter || currentEvals >= maxEvals || optCond) break;
            if (maxAbs(d) * Math.abs(t) <= toleranceChange) break;
            if (Math.abs(loss - s.prevLoss) < toleranceChange) break;
        }
        s.d = d;
        s.t = t;
        return origLoss;
    }

    private static double[] neg(double[] g) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) out[i] = -g[i];
        return out;
    }

    /** −H·g for the L-BFGS inverse-Hessian approximation H (Nocedal and Wright, algorithm 7.4). */
    private static double[] twoLoop(State s, double[] flatGrad) {
        int m = s.oldDirs.size();
        double[] al = new double[m];
        double[] q = neg(flatGrad);
        for (int i = m - 1; i >= 0; i--) {
            al[i] = FlatParams.dot(s.oldStps.get(i), q) * s.ro.get(i);
            double[] y = s.oldDirs.get(i);
            for (int j = 0; j < q.length; j++) q[j] += -al[i] * y[j];
        }
        double[] r = q;
        for (int j = 0; j < r.length; j++) r[j] *= s.hDiag;
        for (int i = 0; i < m; i++) {
            double be = FlatParams.dot(s.oldDirs.get(i), r) * s.ro.get(i);
            double[] st = s.oldStps.get(i);
            double c = al[i] - be;
            for (int j = 0; j < r.length; j++) r[j] += c * st[j];
        }
        return r;
    }

    @Override
    protected void writeState(Map<String, Tensor> out) {
        super.writeState(out);
        State s = state;
        if (s.d == null) return;
        out.put(key(0, "d"), Tensor.of(s.d.clone()));
        out.put(key(0, "t"), StateReader.scalar(s.t));
        for (int i = 0; i < s.oldDirs.size(); i++) {
            out.put(key(0, "old_dirs." + i), Tensor.of(s.oldDirs.get(i).clone()));
            out.put(key(0, "old_stps." + i), Tensor.of(s.oldStps.get(i).clone()));
            out.put(key(0, "ro." + i), StateReader.scalar(s.ro.get(i)));
        }
        out.put(key(0, "H_diag"), StateReader.scalar(s.hDiag));
        out.put(key(0, "prev_flat_grad"), Tensor.of(s.prevFlatGrad.clone()));
        out.put(key(0, "prev_loss"), StateReader.scalar(s.prevLoss));
    }

    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        super.writeHyper(out);
        out.put("param_groups.max_eval", StateReader.scalar(effectiveMaxEval()));
        out.put("param_groups.tolerance_change", StateReader.scalar(toleranceChange));
        out.put("param_groups.history_size", StateReader.scalar(historySize));
        out.put("param_groups.strong_wolfe", StateReader.scalar(strongWolfe));
    }

    @Override
    protected Runnable read(StateReader r) {
        String op = "LBFGS.loadStateDict";
        Runnable counters = super.read(r);
        int me = (int) r.integer("param_groups.max_eval", 1, Integer.MAX_VALUE);
        double tc = checkRange(op, "tolerance", r.number("param_groups.tolerance_change"), 0, false, Double.MAX_VALUE, false);
        int hs = (int) r.integer("param_groups.history_size", 1, Integer.MAX_VALUE);
        boolean sw = r.flag("param_groups.strong_wolfe");
        State s = new State();
        int n = numel();
        if (r.has(key(0, "func_evals")) && r.has(key(0, "d"))) {
            s.d = r.vector(key(0, "d"), n);
            s.t = r.number(key(0, "t"));
            for (int i = 0; r.has(key(0, "old_dirs." + i)); i++) {
                if (i >= hs) {
                    throw new IllegalArgumentException(op + ": more history pairs than history_size " + hs);
                }
                s.oldDirs.add(r.vector(key(0, "old_dirs." + i), n));
                s.oldStps.add(r.vector(key(0, "old_stps." + i), n));
                s.ro.add(r.number(key(0, "ro." + i)));
            }
            s.hDiag = r.number(key(0, "H_diag"));
            s.prevFlatGrad = r.vector(key(0, "prev_flat_grad"), n);
            s.prevLoss = r.number(key(0, "prev_loss"));
        }
        return () -> {
            counters.run();
            maxEval = me;
            toleranceChange = tc;
            historySize = hs;
            strongWolfe = sw;
            state = s;
        };
    }
}
