package io.chainrule.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry points of the autograd engine that are not methods of {@code Tensor}: gradients without touching
 * {@code grad()}, grad-mode scopes, and anomaly detection.
 *
 * <pre>{@code
 * try (var g = Autograd.noGrad()) { w.subi(w.grad().mul(0.1)); }   // an SGD step, not recorded
 * }</pre>
 */
public final class Autograd {
    private static volatile boolean detectAnomaly;

    private Autograd() {}

    /** A grad-mode scope; closing it restores the mode that was in force when it opened. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Scope(boolean enabled) {
            this.previous = GradMode.set(enabled);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                GradMode.set(previous);
            }
        }
    }

    /** Opens a scope in which nothing is recorded on this thread: {@code try (var g = Autograd.noGrad()) {...}}. */
    public static Scope noGrad() {
        return new Scope(false);
    }

    /** Opens a scope in which recording is on again (inside a {@link #noGrad()} scope, say). */
    public static Scope enableGrad() {
        return new Scope(true);
    }

    /** A scope in which every {@code backward} on this thread keeps its graph; see {@link #retainGraphs()}. */
    public static final class RetainGraphScope implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private RetainGraphScope() {
            this.previous = RETAIN_GRAPHS.get()[0];
            RETAIN_GRAPHS.get()[0] = true;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                RETAIN_GRAPHS.get()[0] = previous;
            }
        }
    }

    private static final ThreadLocal<boolean[]> RETAIN_GRAPHS = ThreadLocal.withInitial(() -> new boolean[1]);

    /**
     * Opens a scope in which every {@code backward()} on this thread keeps its graph, as if called with
     * {@code retainGraph = true}. Second-order optimizers (Newton) call user closures inside it: a closure that
     * calls {@code loss.backward()} itself still leaves the graph of the loss it returns differentiable.
     */
    public static RetainGraphScope retainGraphs() {
        return new RetainGraphScope();
    }

    /** Whether ops record the graph on this thread. */
    public static boolean isGradEnabled() {
        return GradMode.isEnabled();
    }

    /**
     * While on, each recorded op keeps the stack trace of its forward call, and a NaN produced in backward fails
     * with the op's name and that trace as the cause. Costs a stack trace per op: for debugging only.
     */
    public static void setDetectAnomaly(boolean on) {
        detectAnomaly = on;
    }

    public static boolean isDetectAnomaly() {
        return detectAnomaly;
    }

    /**
     * The gradients of {@code outputs} with respect to {@code inputs}, without touching any {@code grad()} (like
     * {@code torch.autograd.grad}). {@code gradOutputs} may be null when every output is a scalar. With
     * {@code createGraph} the results are themselves differentiable.
     *
     * @throws IllegalStateException if an output or input does not require grad, or an input was not used to
     *                               compute the outputs
     */
    public static <T extends Differentiable<T>> List<T> grad(List<T> outputs, List<T> inputs, List<T> gradOutputs,
                                                             boolean retainGraph, boolean createGraph) {
        if (outputs.isEmpty()) throw new IllegalArgumentException("Autograd.grad: outputs is empty");
        if (gradOutputs != null && gradOutputs.size() != outputs.size()) {
            throw new IllegalArgumentException("Autograd.grad: " + outputs.size() + " outputs but "
                    + gradOutputs.size() + " gradOutputs");
        }
        List<Node<T>> roots = new ArrayList<>();
        List<T> seeds = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            T out = outputs.get(i);
            T seed = gradOutputs == null ? null : gradOutputs.get(i);
            roots.add(rootNode(out, "Autograd.grad: output " + i));
            seeds.add(seedFor(out, seed, "Autograd.grad"));
        }
        List<Node<T>> targets = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            T in = inputs.get(i);
            if (!in.requiresGrad()) {
                throw new IllegalStateException("Autograd.grad: input " + i + " (shape " + Arrays.toString(in.shape())
                        + ") does not require grad");
            }
            targets.add(in.gradNode());
        }
        List<T> grads = Engine.run(roots, seeds, retainGraph, createGraph, targets);
        for (int i = 0; i < grads.size(); i++) {
            if (grads.get(i) == null) {
                throw new IllegalStateException("Autograd.grad: input " + i + " (shape "
                        + Arrays.toString(inputs.get(i).shape()) + ") was not used to compute the outputs");
            }
        }
        return grads;
    }

    /**
     * Runs backward from {@code output} into the leaves' {@code grad()}: what {@code Tensor.backward(gradOutput,
     * retainGraph, createGraph)} calls.
     */
    public static <T extends Differentiable<T>> void backward(T output, T gradOutput, boolean retainGraph,
                                                              boolean createGraph) {
        Node<T> root = rootNode(output, "backward");
        T seed = seedFor(output, gradOutput, "backward");
        Engine.run(List.of(root), List.of(seed), retainGraph || RETAIN_GRAPHS.get()[0], createGraph, null);
    }

    private static <T extends Differentiable<T>> Node<T> rootNode(T out, String what) {
        if (!out.requiresGrad()) {
            throw new IllegalStateException(what + ": the tensor (shape " + Arrays.toString(out.shape())
                    + ") does not require grad and has no grad_fn; nothing to differentiate");
        }
        return out.gradNode();
    }

    private static <T extends Differentiable<T>> T seedFor(T out, T seed, String op) {
        if (seed == null) {
            if (out.numel() != 1) {
                throw new IllegalStateException(op + ": grad can be implicitly created only for scalar outputs, "
                        + "but the output has shape " + Arrays.toString(out.shape())
                        + "; pass a gradOutput of that shape");
            }
            return out.withValues(ones(out.numel()));
        }
        if (!java.util.Arrays.equals(seed.shape(), out.shape())) {
            throw new IllegalArgumentException(op + ": gradOutput has shape " + Arrays.toString(seed.shape())
                    + " but the output has shape " + Arrays.toString(out.shape()));
        }
        return seed.dtype() == out.dtype() ? seed : seed.fitTo(seed.shape(), out.dtype());
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        Arrays.fill(a, 1);
        return a;
    }
}
