package io.chainrule.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One recorded operation in the graph: it knows the nodes that produced its inputs and how to turn the gradient
 * of its output into gradients of its inputs. The engine, not the node, sums each input gradient back to the
 * input's shape and dtype (broadcasting is undone in one place). Two kinds: an op's {@link FunctionNode} and a
 * leaf's {@link AccumulateGrad}.
 *
 * @param <T> the values that flow through the graph ({@code io.chainrule.Tensor})
 */
public abstract sealed class Node<T extends Differentiable<T>> permits FunctionNode, AccumulateGrad {
    private String name;
    private final List<Node<T>> next;
    private final int[][] inputShapes;
    private final Object[] inputTypes;
    private final Throwable forwardTrace;
    private List<Consumer<T>> gradHooks;
    private List<Consumer<T[]>> inputGradHooks;

    /**
     * @param next        for each input, the node its gradient flows to, or null where no gradient is needed
     * @param inputShapes each input's shape, to which its gradient is summed
     * @param inputTypes  each input's dtype, to which its gradient is cast
     */
    Node(String name, List<Node<T>> next, int[][] inputShapes, Object[] inputTypes) {
        this.name = name;
        this.next = next;
        this.inputShapes = inputShapes;
        this.inputTypes = inputTypes;
        this.forwardTrace = Autograd.isDetectAnomaly() ? new ForwardCall(this) : null;
    }

    /** The stack of the forward call; its message reads the node's name when shown, so a renamed node shows its new one. */
    private static final class ForwardCall extends Throwable {
        private static final long serialVersionUID = 1L;
        private final transient Node<?> node;

        ForwardCall(Node<?> node) {
            this.node = node;
        }

        @Override
        public String getMessage() {
            return "forward call of " + (node == null ? "an op" : node.name);
        }
    }

    /** The op's name as PyTorch prints it, e.g. {@code MulBackward0}. */
    public final String name() {
        return name;
    }

    /**
     * Renames this node: an op composed of other ops (mean = sum ÷ n) gives its last node the whole op's name, as
     * PyTorch shows it ({@code MeanBackward0}).
     */
    final void rename(String name) {
        this.name = name;
    }

    /** Number of inputs. */
    public final int inputCount() {
        return next.size();
    }

    /** The node input {@code i}'s gradient flows to, or null. */
    public final Node<T> next(int i) {
        return next.get(i);
    }

    final int[] inputShape(int i) {
        return inputShapes[i];
    }

    final Object inputType(int i) {
        return inputTypes[i];
    }

    /** Where this node's op was called from, recorded only while anomaly detection is on. */
    public final Throwable forwardTrace() {
        return forwardTrace;
    }

    /** Calls {@code hook} with the total gradient of this node's output each time backward reaches it. */
    public final void addGradHook(Consumer<T> hook) {
        if (gradHooks == null) gradHooks = new ArrayList<>(1);
        gradHooks.add(hook);
    }

    /** Removes a hook added by {@link #addGradHook}. */
    public final void removeGradHook(Consumer<T> hook) {
        if (gradHooks != null) gradHooks.remove(hook);
    }

    /**
     * Calls {@code hook} each time backward passes through this node with the gradients it sends on: one per input
     * (index i for {@link #next(int) next(i)}), summed to that input's shape and dtype, null where none flows. Where an
     * input feeds several ops, these are the shares that backward sums; tools that draw the graph show them on its
     * edges. The hook must not modify the tensors.
     */
    public final void addInputGradHook(Consumer<T[]> hook) {
        if (inputGradHooks == null) inputGradHooks = new ArrayList<>(1);
        inputGradHooks.add(hook);
    }

    final boolean hasInputGradHooks() {
        return inputGradHooks != null && !inputGradHooks.isEmpty();
    }

    final void runInputGradHooks(T[] sent) {
        for (Consumer<T[]> h : inputGradHooks) h.accept(sent.clone());
    }

    final boolean hasGradHooks() {
        return gradHooks != null && !gradHooks.isEmpty();
    }

    final void runGradHooks(T grad) {
        if (gradHooks != null) for (Consumer<T> h : gradHooks) h.accept(grad);
    }

    /**
     * Gradients of the inputs given the gradient of the output, one per input (null where none is needed). They
     * may have the output's broadcast shape: the engine reduces them.
     */
    abstract T[] apply(T gradOutput);

    /** Drops saved tensors after a backward pass that does not retain the graph. */
    void release() {}

    /** True for the node that accumulates into a leaf's {@code grad()}. */
    boolean isLeafAccumulator() {
        return false;
    }

    /**
     * For leaf accumulators: adds {@code grad} into the leaf's {@code grad()}. {@code exclusive} says nothing else
     * holds {@code grad} (the engine made it in this pass and handed it to no one else), so it may be kept as the
     * leaf's gradient without a copy.
     */
    void accumulate(T grad, boolean createGraph, boolean exclusive) {
        throw new UnsupportedOperationException(name + " is not a leaf accumulator");
    }

    @Override
    public String toString() {
        return name;
    }
}
