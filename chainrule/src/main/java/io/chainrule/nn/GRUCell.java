package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;

/**
 * One GRU step (gates r, z, n); PyTorch's {@code nn.GRUCell}.
 *
 * <pre>{@code Tensor h1 = new GRUCell(3, 4).forward(Tensor.randn(2, 3));   // [2, 4]}</pre>
 */
public final class GRUCell extends RecurrentCell {
    public GRUCell(int inputSize, int hiddenSize) {
        super("GRUCell", RecurrentCellKind.GRU, inputSize, hiddenSize);
    }
}
