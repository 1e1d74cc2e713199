package io.chainrule.optim;

import io.chainrule.Tensor;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An optimizer that evaluates the loss several times within one step, through {@link #step(Supplier)}: line-search
 * and second-order methods ({@link LBFGS}, {@link ConjugateGradient}, {@link Newton}). What they share lives here:
 * the iteration budget ({@link #maxIter(int)}) and the gradient stop ({@link #toleranceGrad(double)}); the
 * parameters seen as one flat {@code double[]} vector ({@link #gradient()}, {@link #addScaled}); PyTorch's
 * strong-Wolfe line search ({@link #searchLine}); and the counters a checkpoint keeps ({@code state.0.func_evals},
 * {@code state.0.n_iter}). {@link #step()} without a closure fails.
 *
 * <p>{@code T} is the subclass itself, so the fluent setters return it. Steepest descent with a line search:
 * <pre>{@code
 * public final class SteepestDescent extends ClosureOptimizer<SteepestDescent> {
 *     public SteepestDescent(List<Tensor> params) { super("SteepestDescent", params, 1, 20, 1e-7); }
 *
 *     @Override
 *     public Tensor step(Supplier<Tensor> closure) {
 *         Tensor first = evaluate(closure);   // the closure zeroes the gradients and calls backward()
 *         countEvaluations(1);
 *         double loss = value(first);
 *         double[] g = gradient();
 *         for (int i = 0; i < maxIter() && maxAbs(g) > toleranceGrad(); i++) {
 *             countIteration();
 *             double[] d = new double[g.length];
 *             for (int j = 0; j < d.length; j++) d[j] = -g[j];
 *             LineSearchResult r = searchLine(closure, d, lr(), loss, g, 1e-4, 0.9, 1e-9);
 *             loss = r.loss();
 *             g = r.gradient();
 *         }
 *         return first;
 *     }
 * }
 * }</pre>
 *
 * @param <T> the subclass, returned by the fluent setters
 */
public abstract class ClosureOptimizer<T extends ClosureOptimizer<T>> extends Optimizer {
    /** Trial points per line search past the first (PyTorch's {@code max_ls}). */
    private static final int MAX_LINE_SEARCH = 25;

    private final FlatParams flat;
    private int maxIter;
    private double toleranceGrad;
    private long evaluations;
    private long iterations;

    /**
     * @param lr            the learning rate; what it means is the subclass's (the first step length tried, say)
     * @param maxIter       the default of {@link #maxIter(int)}
     * @param toleranceGrad the default of {@link #toleranceGrad(double)}
     */
    protected ClosureOptimizer(String name, List<Tensor> params, double lr, int maxIter, double toleranceGrad) {
        super(name, params, lr);
        this.flat = new FlatParams(this.params);
        this.maxIter = checkPositive(name, "max iterations", maxIter);
        this.toleranceGrad = checkTolerance(name, toleranceGrad);
    }

    private static double checkTolerance(String op, double tolerance) {
        return checkRange(op, "tolerance", tolerance, 0, false, Double.MAX_VALUE, false);
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** Iterations per {@link #step(Supplier)}. */
    public T maxIter(int maxIter) {
        this.maxIter = checkPositive(name + ".maxIter", "max iterations", maxIter);
        return self();
    }

    /** Stop when the largest gradient entry is at most this. */
    public T toleranceGrad(double tolerance) {
        this.toleranceGrad = checkTolerance(name + ".toleranceGrad", tolerance);
        return self();
    }

    public int maxIter() {
        return maxIter;
    }

    public double toleranceGrad() {
        return toleranceGrad;
    }

    /** Always fails: this optimizer evaluates the loss during a step. */
    @Override
    public final void step() {
        throw new IllegalStateException(name + ".step: evaluates the loss several times per step; call step(closure) "
                + "with a closure that recomputes the loss");
    }

    /** One step: evaluates the closure as often as the method needs; returns the loss of the first evaluation. */
    @Override
    public abstract Tensor step(Supplier<Tensor> closure);

    /** The number of parameter elements, the length of the flat vectors. */
    protected final int numel() {
        return flat.numel;
    }

    /** The parameters' gradients as one vector, in parameter order (zeros where {@code grad()} is null). */
    protected final double[] gradient() {
        return flat.gradient();
    }

    /** θ ← θ + t·d over the flat parameter vector, in each parameter's dtype, without recording a graph. */
    protected final void addScaled(double t, double[] d) {
        flat.addScaled(t, d);
    }

    /** Copies of the parameters, for {@link #restore} after a rejected trial step. */
    protected final List<Tensor> snapshot() {
        return flat.snapshot();
    }

    protected final void restore(List<Tensor> snapshot) {
        flat.restore(snapshot);
    }

    /** Closure evaluations over the optimizer's life ({@code state.0.func_evals}). */
    protected final long evaluations() {
        return evaluations;
    }

    protected final void countEvaluations(int n) {
        evaluations += n;
    }

    /** Iterations over the optimizer's life ({@code state.0.n_iter}). */
    protected final long iterations() {
        return iterations;
    }

    protected final void countIteration() {
        iterations++;
    }

    /** Σ aᵢ·bᵢ. */
    protected static double dot(double[] a, double[] b) {
        return FlatParams.dot(a, b);
    }

    /** The largest |aᵢ| (NaN if any is NaN). */
    protected static double maxAbs(double[] a) {
        return FlatParams.maxAbs(a);
    }

    /** Where a line search stopped: the loss and gradient there, the step length, the evaluations it took. */
    protected record LineSearchResult(double loss, double[] gradient, double step, int evaluations) {}

    /**
     * PyTorch's strong-Wolfe line search along descent direction {@code d} from the current parameters (loss
     * {@code loss}, gradient {@code g}), first trying step {@code t}: accepts a step with sufficient decrease
     * {@code f(t) ≤ loss + c1·t·g·d} and curvature {@code |∇f(t)·d| ≤ c2·|g·d|}, by bracketing and cubic
     * interpolation, with at most 26 evaluations of the closure (which must call {@code backward()}). Leaves the
     * parameters at the accepted point and counts the evaluations.
     */
    protected final LineSearchResult searchLine(Supplier<Tensor> closure, double[] d, double t, double loss, double[] g,
                                                double c1, double c2, double toleranceChange) {
        List<Tensor> start = flat.snapshot();
        LineSearch.Objective objective = trial -> {
            flat.addScaled(trial, d);
            double f = value(evaluate(closure));
            LineSearch.Point p = new LineSearch.Point(f, flat.gradient());
            flat.restore(start);
            return p;
        };
        LineSearchResult r = LineSearch.strongWolfe(objective, t, d, loss, g, FlatParams.dot(g, d), c1, c2,
                toleranceChange, MAX_LINE_SEARCH);
        flat.addScaled(r.step(), d);
        evaluations += r.evaluations();
        return r;
    }

    /** The counters, if any evaluation ran. Subclasses with more state add theirs after calling this. */
    @Override
    protected void writeState(Map<String, Tensor> out) {
        if (evaluations == 0) return;
        out.put(key(0, "func_evals"), StateReader.scalar(evaluations));
        out.put(key(0, "n_iter"), StateReader.scalar(iterations));
    }

    /** {@code max_iter} and {@code tolerance_grad}. Subclasses with more settings add theirs after calling this. */
    @Override
    protected void writeHyper(Map<String, Tensor> out) {
        out.put("param_groups.max_iter", StateReader.scalar(maxIter));
        out.put("param_groups.tolerance_grad", StateReader.scalar(toleranceGrad));
    }

    /** Reads what this class wrote; subclasses run the returned action within theirs. */
    @Override
    protected Runnable read(StateReader r) {
        int mi = (int) r.integer("param_groups.max_iter", 1, Integer.MAX_VALUE);
        double tg = checkTolerance(name + ".loadStateDict", r.number("param_groups.tolerance_grad"));
        boolean counted = r.has(key(0, "func_evals"));
        long fe = counted ? r.integer(key(0, "func_evals"), 0, Long.MAX_VALUE >> 11) : 0;
        long ni = counted ? r.integer(key(0, "n_iter"), 0, Long.MAX_VALUE >> 11) : 0;
        return () -> {
            maxIter = mi;
            toleranceGrad = tg;
            evaluations = fe;
            iterations = ni;
        };
    }
}
