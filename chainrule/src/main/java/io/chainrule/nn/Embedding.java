package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * A lookup table of {@code num} vectors of size {@code dim} ({@code weight} [num, dim], standard normal as in PyTorch).
 * {@code forward} takes INT64 indices of any shape and appends a dimension of size {@code dim}; only the rows used
 * receive gradient.
 *
 * <pre>{@code new Embedding(1000, 64).forward(Tensor.of(new long[] {3, 14, 15}));   // [3, 64]}</pre>
 */
public class Embedding extends Module {
    private final int num, dim;

    /** {@code num} embeddings of size {@code dim}. */
    public Embedding(int num, int dim) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: num and dim must be positive, got " + num + " and " + dim);
        }
        this.num = num;
        this.dim = dim;
        registerParameter("weight", Tensor.randn(num, dim));
    }

    @Override
    public Tensor forward(Tensor indices) {
        return Convolutions.embedding(indices, param("weight"));
    }

    @Override
    protected String extraRepr() {
        return num + ", " + dim;
    }
}
