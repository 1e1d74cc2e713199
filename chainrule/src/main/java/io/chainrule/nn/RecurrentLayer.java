package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;
import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share: a stack of {@code numLayers} recurrences over a sequence,
 * with PyTorch's parameter names, shapes, gate order and init, so state dicts map one to one.
 *
 * <p>Parameters, per layer {@code k}: {@code weight_ih_lk} {@code [gates·hidden, in]} (in = inputSize for layer 0,
 * hiddenSize above), {@code weight_hh_lk} {@code [gates·hidden, hidden]}, {@code bias_ih_lk} and {@code bias_hh_lk}
 * {@code [gates·hidden]}; gates is 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n). Each starts
 * U(−1/√hidden, 1/√hidden).
 *
 * <p>Input {@code [seq, batch, inputSize]} ({@code [batch, seq, inputSize]} with batchFirst), or unbatched
 * {@code [seq, inputSize]}. The state's h and c are {@code [numLayers, batch, hidden]} whether or not batchFirst
 * ({@code [numLayers, hidden]} unbatched).
 */
public abstract sealed class RecurrentLayer extends Module permits RNN, LSTM, GRU {
    private final RecurrentCellKind kind;
    private final int inputSize, hiddenSize, numLayers;
    private final boolean batchFirst;

    RecurrentLayer(RecurrentCellKind kind, int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        Recurrence.checkSizes(kind.layerName(), inputSize, hiddenSize);
        if (numLayers <= 0) throw new IllegalArgumentException(kind.layerName() + ": numLayers must be positive, got " + numLayers);
        this.kind = kind;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.batchFirst = batchFirst;
        int rows = kind.gates() * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            registerParameter("weight_ih_l" + l, Recurrence.uniformInit(hiddenSize, rows, l == 0 ? inputSize : hiddenSize));
            registerParameter("weight_hh_l" + l, Recurrence.uniformInit(hiddenSize, rows, hiddenSize));
            registerParameter("bias_ih_l" + l, Recurrence.uniformInit(hiddenSize, rows));
            registerParameter("bias_hh_l" + l, Recurrence.uniformInit(hiddenSize, rows));
        }
    }

    /** The top layer's hidden state at every step, from a zero initial state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).output();
    }

    /**
     * Runs the sequence from {@code state} ({@code new RecurrentOutput(null, h0, c0)}; null, or a null h or c,
     * means zeros) and returns the output sequence with the final h (and c) of every layer.
     *
     * @throws IllegalArgumentException when the input or state shapes do not fit this layer
     */
    public RecurrentOutput forward(Tensor x, RecurrentOutput state) {
        List<Recurrence.Weights> layers = new ArrayList<>(numLayers);
        for (int l = 0; l < numLayers; l++) {
            layers.add(new Recurrence.Weights(param("weight_ih_l" + l), param("weight_hh_l" + l), param("bias_ih_l" + l),
                    param("bias_hh_l" + l)));
        }
        return Recurrence.run(kind, layers, inputSize, hiddenSize, batchFirst, x, state);
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    /** As PyTorch prints it: {@code LSTM(28, 128, num_layers=2, batch_first=True)}. */
    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) sb.append(", num_layers=").append(numLayers);
        if (batchFirst) sb.append(", batch_first=True");
        return sb.toString();
    }
}
