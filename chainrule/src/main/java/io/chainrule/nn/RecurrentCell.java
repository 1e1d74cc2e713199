package io.chainrule.nn;

import io.chainrule.RecurrentCellKind;
import io.chainrule.Tensor;

/**
 * What {@link RNNCell}, {@link LSTMCell} and {@link GRUCell} share: one step of the recurrence, for loops written
 * by hand. Parameters {@code weight_ih} {@code [gates·hidden, inputSize]}, {@code weight_hh}
 * {@code [gates·hidden, hidden]}, {@code bias_ih}, {@code bias_hh} {@code [gates·hidden]}, as in PyTorch.
 *
 * <p>Input {@code [batch, inputSize]} (or {@code [inputSize]}); the state's h and c {@code [batch, hidden]} (or
 * {@code [hidden]}).
 *
 * <pre>{@code
 * LSTMCell cell = new LSTMCell(10, 20);
 * RecurrentOutput s = null;
 * for (Tensor xt : x.split(1, 0)) s = cell.forward(xt.squeeze(0), s);   // s.h(), s.c() [batch, 20]
 * }</pre>
 */
public abstract sealed class RecurrentCell extends Module permits RNNCell, LSTMCell, GRUCell {
    private final RecurrentCellKind kind;
    private final int inputSize, hiddenSize;

    RecurrentCell(String op, RecurrentCellKind kind, int inputSize, int hiddenSize) {
        Recurrence.checkSizes(op, inputSize, hiddenSize);
        this.kind = kind;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        int rows = kind.gates() * hiddenSize;
        registerParameter("weight_ih", Recurrence.uniformInit(hiddenSize, rows, inputSize));
        registerParameter("weight_hh", Recurrence.uniformInit(hiddenSize, rows, hiddenSize));
        registerParameter("bias_ih", Recurrence.uniformInit(hiddenSize, rows));
        registerParameter("bias_hh", Recurrence.uniformInit(hiddenSize, rows));
    }

    /** The next hidden state from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).h();
    }

    /**
     * The next state from {@code state} (null, or a null h or c, means zeros); {@code output()} is the new h.
     *
     * @throws IllegalArgumentException when the input or state shapes do not fit this cell
     */
    public RecurrentOutput forward(Tensor x, RecurrentOutput state) {
        Recurrence.Weights w = new Recurrence.Weights(param("weight_ih"), param("weight_hh"), param("bias_ih"), param("bias_hh"));
        return Recurrence.cell(getClass().getSimpleName(), kind, w, inputSize, hiddenSize, x, state);
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** As PyTorch prints it: {@code RNNCell(3, 4, nonlinearity=relu)}. */
    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (kind == RecurrentCellKind.RNN_RELU ? ", nonlinearity=relu" : "");
    }
}
