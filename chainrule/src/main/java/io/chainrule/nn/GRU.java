package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;

/**
 * A gated recurrent unit layer, stacked {@code numLayers} deep; PyTorch's {@code nn.GRU}, gates r, z, n
 * ({@link RecurrentCellKind#GRU} has the equations). See {@link RecurrentLayer} for shapes and parameter names.
 *
 * <pre>{@code
 * GRU gru = new GRU(10, 20);
 * Tensor out = gru.forward(Tensor.randn(5, 3, 10));   // [5, 3, 20]
 * }</pre>
 */
public final class GRU extends RecurrentLayer {
    /** One layer, input {@code [seq, batch, inputSize]}. */
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        super(RecurrentCellKind.GRU, inputSize, hiddenSize, numLayers, batchFirst);
    }
}
