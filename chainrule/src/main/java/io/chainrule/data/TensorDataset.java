package io.chainrule.data;

import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * A dataset over two tensors whose dimension 0 indexes the examples: example {@code i} is
 * {@code (x[i], y[i])}, as views (no copy).
 *
 * <pre>{@code var ds = new TensorDataset(Tensor.randn(100, 2), Tensor.randint(0, 2, 100));}</pre>
 *
 * <p>{@link DataLoader} recognises this class and gathers a whole batch with one {@code indexSelect} per tensor.
 */
public final class TensorDataset implements Dataset {
    private final Tensor x;
    private final Tensor y;

    /** Pairs {@code x[i]} with {@code y[i]}; both need at least one dimension and the same size along dimension 0. */
    public TensorDataset(Tensor x, Tensor y) {
        if (x == null || y == null) {
            throw new IllegalArgumentException("TensorDataset: x and y must not be null (x " + describe(x)
                    + ", y " + describe(y) + ")");
        }
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("TensorDataset: x and y must have the same size along dimension 0, got x "
                    + Arrays.toString(x.shape()) + " and y " + Arrays.toString(y.shape()));
        }
        this.x = x;
        this.y = y;
    }

    private static String describe(Tensor t) {
        return t == null ? "null" : Arrays.toString(t.shape());
    }

    /** All inputs, examples along dimension 0. */
    public Tensor x() {
        return x;
    }

    /** All targets, examples along dimension 0. */
    public Tensor y() {
        return y;
    }

    @Override
    public int size() {
        return x.size(0);
    }

    /** Example {@code index}: views of row {@code index} of x and y. */
    @Override
    public Example get(int index) {
        if (index < 0 || index >= size()) {
            throw new IllegalArgumentException("TensorDataset.get: index " + index + " is out of range for "
                    + size() + " examples (x " + Arrays.toString(x.shape()) + ")");
        }
        return new Example(x.select(0, index), y.select(0, index));
    }

    @Override
    public String toString() {
        return "TensorDataset(x " + Arrays.toString(x.shape()) + " " + x.dtype() + ", y " + Arrays.toString(y.shape())
                + " " + y.dtype() + ")";
    }
}
