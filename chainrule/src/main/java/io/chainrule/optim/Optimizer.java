package io.chainrule.optim;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Updates a fixed list of parameters from their gradients, following PyTorch's {@code torch.optim} algorithms
 * step for step.
 *
 * <pre>{@code
 * Optimizer opt = new Adam(List.of(w, b), 1e-3);
 * for (...) { opt.zeroGrad(); loss(w, b).backward(); opt.step(); }
 * }</pre>
 *
 * <p>Parameters whose {@code grad()} is null are skipped, as in PyTorch. A step runs without recording a graph and
 * updates parameters and state in place: first-order optimizers allocate their state and scratch tensors once, at
 * a parameter's first step. {@link #stateDict()} is a flat map of tensors ({@code state.0.exp_avg},
 * {@code state.0.step}, {@code param_groups.lr}, ...), so a checkpoint saves to safetensors; loading it into a
 * fresh optimizer over the same parameters continues bit for bit as the original would have.
 *
 * <p>All parameters form one group (PyTorch's {@code param_groups[0]}).
 *
 * <p><b>Writing your own.</b> Subclass it (or {@link ClosureOptimizer} for a method that re-evaluates the loss
 * within a step), pass a name for messages to the constructor and implement {@link #step()}. An optimizer with
 * state overrides {@link #writeState}, {@link #writeHyper} and {@link #read} so that checkpoints carry it;
 * {@link #checkRange} and {@link #checkPositive} give the library's messages for bad settings. A sign-SGD:
 * <pre>{@code
 * public final class SignSgd extends Optimizer {
 *     public SignSgd(List<Tensor> params, double lr) { super("SignSgd", params, lr); }
 *
 *     @Override
 *     public void step() {
 *         try (var off = Autograd.noGrad()) {   // an update is not part of any graph
 *             for (Tensor p : params()) if (p.grad() != null) p.subi(p.grad().sign().mul(lr()));
 *         }
 *     }
 * }
 * }</pre>
 */
public abstract class Optimizer {
    final String name;
    final List<Tensor> params;
    double lr;

    /**
     * @param name   the optimizer's name, as error messages start ({@code "SGD: invalid learning rate -1.0"})
     * @param params the parameters to update: floating-point leaf tensors, each once
     * @throws IllegalArgumentException when the list is empty, holds null, a non-leaf, a non-float tensor or the
     *                                  same tensor twice, or lr is negative or not finite
     */
    protected Optimizer(String name, List<Tensor> params, double lr) {
        this.name = name;
        this.params = checkParams(name, params);
        this.lr = checkLr(name, lr);
    }

    private static List<Tensor> checkParams(String name, List<Tensor> params) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException(name + ": got an empty parameter list");
        }
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        List<Tensor> copy = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) throw new IllegalArgumentException(name + ": parameter " + i + " is null");
            if (!p.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(name + ": parameter " + i + " has dtype " + p.dtype()
                        + "; only floating-point tensors can be optimized");
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException(name + ": parameter " + i + " (shape " + Arrays.toString(p.shape())
                        + ") is not a leaf (it was created by " + p.gradFn() + "); can't optimize a non-leaf tensor");
            }
            Integer before = seen.put(p, i);
            if (before != null) {
                throw new IllegalArgumentException(name + ": parameters " + before + " and " + i + " are the same tensor");
            }
            copy.add(p);
        }
        return Collections.unmodifiableList(copy);
    }

    protected static double checkLr(String name, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(name + ": invalid learning rate " + lr + " (must be finite and >= 0)");
        }
        return lr;
    }

    /**
     * Checks that a hyperparameter is finite and in {@code [min, max]} (inclusive unless the bound is exclusive);
     * returns it, or throws an {@link IllegalArgumentException} naming {@code op} and {@code what}.
     */
    protected static double checkRange(String op, String what, double v, double min, boolean minOpen, double max, boolean maxOpen) {
        boolean ok = Double.isFinite(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
        if (!ok) {
            throw new IllegalArgumentException(op + ": invalid " + what + " " + v + " (must be in " + (minOpen ? "(" : "[")
                    + min + ", " + max + (maxOpen ? ")" : "]") + ")");
        }
        return v;
    }

    /** Returns {@code v}, or throws an {@link IllegalArgumentException} naming {@code op} when it is below 1. */
    protected static int checkPositive(String op, String what, int v) {
        if (v < 1) throw new IllegalArgumentException(op + ": " + what + " must be >= 1, got " + v);
        return v;
    }

    /** Performs one update from the parameters' current gradients. */
    public abstract void step();

    /**
     * Calls {@code closure} (which recomputes the loss and, for first-order optimizers, its gradients via
     * {@code backward()}) with grad mode on, then performs one update; returns the closure's loss. LBFGS,
     * ConjugateGradient and Newton need this form: they evaluate the closure several times per step.
     */
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        step();
        return loss;
    }

    /** Runs the closure with grad mode on (a step itself records nothing) and checks what it returned. */
    protected final Tensor evaluate(Supplier<Tensor> closure) {
        if (closure == null) throw new IllegalArgumentException(name + ".step: the closure is null");
        Tensor loss;
        try (var g = Autograd.enableGrad()) {
            loss = closure.get();
        }
        if (loss == null) throw new IllegalArgumentException(name + ".step: the closure returned null instead of the loss");
        return loss;
    }

    /** The closure's loss as a number (it must have one element). */
    protected final double value(Tensor loss) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException(name + ".step: the closure must return a one-element loss, got shape "
                    + Arrays.toString(loss.shape()));
        }
        return loss.item();
    }

    /** The name given to the constructor, which error messages start with. */
    protected final String name() {
        return name;
    }

    /** Sets every parameter's {@code grad()} to null. */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /** The parameters this optimizer updates, in order (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    /** The learning rate (schedulers change it through {@link #setLr(double)}). */
    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = checkLr(name + ".setLr", lr);
    }

    /**
     * The optimizer's state and hyperparameters as a flat, ordered map of tensors: {@code state.<i>.<name>} for
     * parameter i's state (PyTorch's names: {@code step}, {@code exp_avg}, {@code momentum_buffer}, ...) and
     * {@code param_groups.<name>} for hyperparameters (flags as 0/1). Values are copies, numbers are 0-d float64.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        writeState(out);
        out.put("param_groups.lr", StateReader.scalar(lr));
        writeHyper(out);
        return out;
    }

    /**
     * Restores state and hyperparameters saved by {@link #stateDict()} of the same kind of optimizer over
     * parameters of the same shapes. Checked in full before anything changes: a bad map throws
     * {@link IllegalArgumentException} and leaves this optimizer as it was.
     */
    public final void loadStateDict(Map<String, Tensor> stateDict) {
        StateReader r = new StateReader(name, stateDict);
        double newLr = checkLr(name + ".loadStateDict", r.number("param_groups.lr"));
        Runnable commit = read(r);
        r.finish();
        commit.run();
        lr = newLr;
    }

    /**
     * Adds {@code state.<i>.*} entries ({@link #key}; numbers as {@link StateReader#scalar}, tensors as copies).
     * None by default: a stateless optimizer.
     */
    protected void writeState(Map<String, Tensor> out) {}

    /** Adds {@code param_groups.*} entries other than lr. None by default. */
    protected void writeHyper(Map<String, Tensor> out) {}

    /**
     * Reads and validates everything {@link #writeState} and {@link #writeHyper} wrote; returns the action that
     * installs it, run only once the whole map is known to be valid. Reads nothing by default. Entries nobody read
     * make {@link #loadStateDict} fail.
     */
    protected Runnable read(StateReader r) {
        return () -> {};
    }

    /** The state-dict key of parameter {@code i}'s state {@code name}: {@code state.<i>.<name>}. */
    protected static String key(int i, String name) {
        return "state." + i + "." + name;
    }
}
