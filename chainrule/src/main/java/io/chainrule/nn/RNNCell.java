package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;

/**
 * One Elman step, h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); PyTorch's {@code nn.RNNCell}.
 *
 * <pre>{@code Tensor h1 = new RNNCell(3, 4).forward(Tensor.randn(2, 3));   // [2, 4]}</pre>
 */
public final class RNNCell extends RecurrentCell {
    public RNNCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, "tanh");
    }

    /** @param nonlinearity "tanh" or "relu" */
    public RNNCell(int inputSize, int hiddenSize, String nonlinearity) {
        super("RNNCell", RecurrentCellKind.rnn("RNNCell", nonlinearity), inputSize, hiddenSize);
    }
}
