package io.chainrule.autograd;

import java.util.List;

/**
 * The node that adds gradients into a leaf's accumulated gradient ({@code grad()}).
 *
 * @param <T> the values that flow through the graph ({@code io.chainrule.Tensor})
 */
public final class AccumulateGrad<T extends Differentiable<T>> extends Node<T> {
    private final T leaf;

    /** The accumulator of {@code leaf}. */
    public AccumulateGrad(T leaf) {
        super("AccumulateGrad", List.of(), new int[0][], new Object[0]);
        this.leaf = leaf;
    }

    @Override
    T[] apply(T gradOutput) {
        throw new IllegalStateException("AccumulateGrad has no inputs to send gradients to"); // the engine never asks
    }

    @Override
    boolean isLeafAccumulator() {
        return true;
    }

    @Override
    void accumulate(T grad, boolean createGraph, boolean exclusive) {
        leaf.accumulateGrad(grad, createGraph, exclusive);
    }
}
