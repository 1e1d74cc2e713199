package io.chainrule.data;

import io.chainrule.Tensor;

/**
 * A mini-batch from a {@link DataLoader}: inputs {@code x} and targets {@code y}, both with the batch along
 * dimension 0 ({@code y} is null when the dataset's examples have no targets).
 */
public record Batch(Tensor x, Tensor y) {
    /** The number of examples in the batch ({@code x.size(0)}). */
    public int size() {
        return x.size(0);
    }
}
