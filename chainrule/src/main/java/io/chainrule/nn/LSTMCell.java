package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;

/**
 * One LSTM step (gates i, f, g, o); PyTorch's {@code nn.LSTMCell}. The result carries both h and c.
 *
 * <pre>{@code RecurrentOutput s = new LSTMCell(3, 4).forward(Tensor.randn(2, 3), null);   // s.h(), s.c() [2, 4]}</pre>
 */
public final class LSTMCell extends RecurrentCell {
    public LSTMCell(int inputSize, int hiddenSize) {
        super("LSTMCell", RecurrentCellKind.LSTM, inputSize, hiddenSize);
    }
}
