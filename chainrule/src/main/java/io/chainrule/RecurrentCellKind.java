package io.chainrule;

/**
 * The recurrent cells, as PyTorch defines them (gate order included), with the equations each runs per step. Every
 * layer and cell module of {@code io.chainrule.nn} is one of these; each kind's forward and its two backwards (fused
 * over raw arrays, and in differentiable tensor ops) sit side by side in one file per family.
 */
public enum RecurrentCellKind {
    /** Elman, h' = tanh(W_ih x + b_ih + W_hh h + b_hh). */
    RNN_TANH("RNN", 1, new RnnOps(false)),
    /** Elman, h' = relu(W_ih x + b_ih + W_hh h + b_hh). */
    RNN_RELU("RNN", 1, new RnnOps(true)),
    /**
     * Long short-term memory: i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh), split in four blocks;
     * c' = f ∘ c + i ∘ g, h' = o ∘ tanh(c').
     */
    LSTM("LSTM", 4, new LstmOps()),
    /**
     * Gated recurrent unit: r, z = σ(W_ir x + b_ir + W_hr h + b_hr), σ(W_iz x + b_iz + W_hz h + b_hz);
     * n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)); h' = (1 − z) ∘ n + z ∘ h.
     */
    GRU("GRU", 3, new GruOps());

    private final String layerName;
    private final int gates;
    /** The family's forward and backward passes. */
    final CellOps ops;

    RecurrentCellKind(String layerName, int gates, CellOps ops) {
        this.layerName = layerName;
        this.gates = gates;
        this.ops = ops;
    }

    /**
     * The Elman cell for PyTorch's {@code nonlinearity} argument, "tanh" or "relu".
     *
     * @param op names the caller in the error message
     * @throws IllegalArgumentException for any other value
     */
    public static RecurrentCellKind rnn(String op, String nonlinearity) {
        if ("tanh".equals(nonlinearity)) return RNN_TANH;
        if ("relu".equals(nonlinearity)) return RNN_RELU;
        throw new IllegalArgumentException(op + ": unknown nonlinearity '" + nonlinearity + "' (expected \"tanh\" or \"relu\")");
    }

    /** PyTorch's name of the layer module: RNN, LSTM or GRU. */
    public String layerName() {
        return layerName;
    }

    /** Gate blocks stacked in the weights per hidden unit: 1, 4 (i, f, g, o) or 3 (r, z, n). */
    public int gates() {
        return gates;
    }

    /** Whether the state carries a cell state c besides h (the LSTM). */
    public boolean hasCellState() {
        return this == LSTM;
    }

    /** Whether b_hh is added to the input projection up front (not for the GRU, whose b_hn sits inside r ∘ (…)). */
    boolean foldsHiddenBias() {
        return this != GRU;
    }
}
