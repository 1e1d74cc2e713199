package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;

/**
 * A long short-term memory layer, stacked {@code numLayers} deep; PyTorch's {@code nn.LSTM}, gates i, f, g, o
 * ({@link RecurrentCellKind#LSTM} has the equations). See {@link RecurrentLayer} for shapes and parameter names.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(28, 128, 1, true);
 * RecurrentOutput out = lstm.forward(images, null);   // images [batch, 28, 28]; out.h(), out.c() [1, batch, 128]
 * }</pre>
 */
public final class LSTM extends RecurrentLayer {
    /** One layer, input {@code [seq, batch, inputSize]}. */
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        super(RecurrentCellKind.LSTM, inputSize, hiddenSize, numLayers, batchFirst);
    }
}
