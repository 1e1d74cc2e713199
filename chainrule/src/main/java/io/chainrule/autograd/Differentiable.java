package io.chainrule.autograd;

import io.chainrule.tensor.Storage;

import java.util.List;

/**
 * What the autograd engine needs of the values it differentiates: {@code io.chainrule.Tensor} is one. The engine,
 * the graph's nodes and {@link GradCheck} work on this type, so autograd sits below the tensor facade that uses it
 * rather than beside it (the facade records its ops into the graph; the graph does not call the facade).
 *
 * <p>The public methods are the tensor's own; the protected ones are the engine's hooks, for this package only.
 *
 * @param <T> the value type itself
 */
public abstract class Differentiable<T extends Differentiable<T>> {
    /** For subclasses: the value type. */
    protected Differentiable() {}

    /** Whether gradients flow to this value. */
    public abstract boolean requiresGrad();

    /** The node this value's gradient flows into, or null when it does not require grad. */
    public abstract Node<T> gradNode();

    /** The sizes of its dimensions. */
    public abstract int[] shape();

    /** Number of elements. */
    public abstract int numel();

    /** Its element type; the engine only compares it and hands it back to {@link #fitTo}. */
    public abstract Object dtype();

    /** {@code this + other}: the engine sums the gradients of a value that feeds several ops. */
    public abstract T add(T other);

    /** The elements as doubles, in row-major order. */
    public abstract double[] toDoubleArray();

    /** This gradient summed back to {@code shape} (undoing broadcasting) and cast to {@code dtype}. */
    protected abstract T fitTo(int[] shape, Object dtype);

    /** True when some element is NaN (anomaly detection); records nothing. */
    protected abstract boolean hasNaN();

    /** How often its storage has been written in place: a saved value whose version moved is stale. */
    protected abstract int version();

    /**
     * The storage its elements live in (views share their base's), for reusing the buffers of a backward pass's
     * dead gradients; null (the default) when it has none to give back.
     */
    protected Storage storage() {
        return null;
    }

    /**
     * Whether a backward pass that records no graph may give the buffers of its dead gradients back for reuse now:
     * false (the default) while something could keep the values the backward rules make.
     */
    protected boolean buffersReusable() {
        return false;
    }

    /**
     * For a leaf: adds {@code grad} into its accumulated gradient. {@code exclusive} says nothing else holds
     * {@code grad}, so it may be kept without a copy; with {@code createGraph} the sum stays differentiable.
     */
    protected abstract void accumulateGrad(T grad, boolean createGraph, boolean exclusive);

    // GradCheck's needs: float64 copies, values shaped like this one, one element at a time.

    /** A float64 contiguous leaf copy that requires grad as this does (this itself when not floating-point). */
    protected abstract T float64Copy();

    /** A new value of this shape and dtype holding {@code values} (row-major). */
    protected abstract T withValues(double[] values);

    /** Standard normal values of this shape and dtype, drawn from {@code seed}. */
    protected abstract T randomNormal(long seed);

    /** Element {@code i} in row-major order. */
    protected abstract double element(int i);

    /** Writes element {@code i} (row-major) in place, not recorded. */
    protected abstract void setElement(int i, double value);

    /** {@code parts} flattened and joined, as one 1-D value (this value only picks the implementation). */
    protected abstract T flatJoin(List<T> parts);
}
