package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;

/** Inputs and their class labels (INT64), example i in row i of each. */
public record Labeled(Tensor x, Tensor y) {
    /** The tensors behind a {@link TensorDataset}. */
    public static Labeled of(TensorDataset d) {
        return new Labeled(d.x(), d.y());
    }

    /** As a data set, for a {@link io.chainrule.data.DataLoader}. */
    public TensorDataset dataset() {
        return new TensorDataset(x, y);
    }

    public int size() {
        return x.shape()[0];
    }

    /** The first {@code k} examples (all when {@code k <= 0} or larger than the set). */
    public Labeled head(int k) {
        if (k <= 0 || k >= size()) return this;
        return new Labeled(x.narrow(0, 0, k), y.narrow(0, 0, k));
    }
}
