package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;

/**
 * An Elman recurrent layer, h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu), stacked {@code numLayers} deep;
 * PyTorch's {@code nn.RNN}. See {@link RecurrentLayer} for shapes and parameter names.
 *
 * <pre>{@code
 * RNN rnn = new RNN(10, 20, 2, false);
 * RecurrentOutput out = rnn.forward(Tensor.randn(5, 3, 10), null);   // out.output() [5, 3, 20], out.h() [2, 3, 20]
 * }</pre>
 */
public final class RNN extends RecurrentLayer {
    /** One layer, tanh, input {@code [seq, batch, inputSize]}. */
    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, "tanh");
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        this(inputSize, hiddenSize, numLayers, batchFirst, "tanh");
    }

    /** @param nonlinearity "tanh" or "relu" */
    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, String nonlinearity) {
        super(RecurrentCellKind.rnn("RNN", nonlinearity), inputSize, hiddenSize, numLayers, batchFirst);
    }
}
