package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.NnOps;
import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The recurrence equations behind {@link RNN}, {@link LSTM}, {@link GRU} and their cells. RNN and GRU are written in
 * differentiable tensor ops (so backward and second derivatives come from the ops' own rules); the LSTM is one fused
 * op per layer, {@link NnOps#lstm}. Gate order and equations are PyTorch's:
 * <pre>
 * RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh)                                  act = tanh or relu
 * LSTM: i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh), split in 4
 *       c' = f ∘ c + i ∘ g,   h' = o ∘ tanh(c')
 * GRU:  r, z = σ(W_ir x + b_ir + W_hr h + b_hr), σ(W_iz x + b_iz + W_hz h + b_hz)
 *       n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)),   h' = (1 − z) ∘ n + z ∘ h
 * </pre>
 */
final class Recurrence {
    /**
     * Time steps whose input projection is one matmul, for RNN and GRU. Each step reads its rows of the projection
     * through a narrow view, and the backward of a narrow view is a zero-padded tensor the size of the whole
     * projection; projecting the whole sequence at once would make backward quadratic in the sequence length. Chunks
     * keep it linear while the matmul still spans CHUNK · batch rows. (The LSTM op projects the whole sequence.)
     */
    static final int CHUNK = 8;

    /** The cell type: how many gate blocks the weights stack, and the step equations. */
    enum Kind {
        RNN_TANH("RNN", 1), RNN_RELU("RNN", 1), LSTM("LSTM", 4), GRU("GRU", 3);

        final String layerName;
        final int gates;

        Kind(String layerName, int gates) {
            this.layerName = layerName;
            this.gates = gates;
        }

        /** "tanh" or "relu" for an RNN; anything else is an error naming {@code op}. */
        static Kind rnn(String op, String nonlinearity) {
            if ("tanh".equals(nonlinearity)) return RNN_TANH;
            if ("relu".equals(nonlinearity)) return RNN_RELU;
            throw new IllegalArgumentException(op + ": unknown nonlinearity '" + nonlinearity + "' (expected \"tanh\" or \"relu\")");
        }

        boolean hasCellState() {
            return this == LSTM;
        }

        /** b_hh can join b_ih in the input projection unless it sits inside a gate product (GRU's b_hn). */
        boolean foldsHiddenBias() {
            return this != GRU;
        }
    }

    private Recurrence() {}

    /** The weights of one layer (or one cell), as PyTorch names them: weight_ih, weight_hh, bias_ih, bias_hh. */
    record Weights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {}

    /** U(−1/√hidden, 1/√hidden), PyTorch's init for every recurrent parameter. */
    static Tensor uniformInit(int hidden, int... shape) {
        double k = 1 / Math.sqrt(hidden);
        return Tensor.rand(shape).mul(2 * k).sub(k);
    }

    static void checkSizes(String op, int inputSize, int hiddenSize) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(op + ": inputSize and hiddenSize must be positive, got inputSize=" + inputSize
                    + " hiddenSize=" + hiddenSize);
        }
    }

    // ------------------------------------------------------------------------------------------------ one step

    /**
     * One RNN or GRU step from state h {@code [batch, hidden]}, given the input projection {@code gi = x·W_ihᵀ + b_ih}
     * (plus b_hh when the kind folds it, in which case {@code bHh} is null). {@code wHhT} is W_hhᵀ. Returns h'. (The
     * LSTM runs as one op over the whole sequence: {@link NnOps#lstm}.)
     */
    static Tensor step(Kind kind, Tensor gi, Tensor h, Tensor wHhT, Tensor bHh, int hidden) {
        Tensor gh = h.matmul(wHhT);
        if (bHh != null) gh = gh.add(bHh);
        switch (kind) {
            case RNN_TANH:
                return gi.add(gh).tanh();
            case RNN_RELU:
                return gi.add(gh).relu();
            case GRU: {
                Tensor rz = gi.narrow(1, 0, 2 * hidden).add(gh.narrow(1, 0, 2 * hidden)).sigmoid();
                Tensor r = rz.narrow(1, 0, hidden);
                Tensor z = rz.narrow(1, hidden, hidden);
                Tensor n = gi.narrow(1, 2 * hidden, hidden).add(r.mul(gh.narrow(1, 2 * hidden, hidden))).tanh();
                // (1 − z) ∘ n + z ∘ h, with one product fewer
                return n.add(z.mul(h.sub(n)));
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /** One cell step for a cell module: x {@code [batch, in]} or {@code [in]}; state h (and c) to match, or null. */
    static RecurrentOutput cell(String op, Kind kind, Weights w, int inputSize, int hidden, Tensor x, RecurrentOutput state) {
        if (x == null) throw new IllegalArgumentException(op + ": input is null");
        int[] xs = x.shape();
        if ((xs.length != 1 && xs.length != 2) || xs[xs.length - 1] != inputSize) {
            throw new IllegalArgumentException(op + ": expected input of shape [batch, " + inputSize + "] or [" + inputSize
                    + "], got " + Arrays.toString(xs));
        }
        boolean unbatched = xs.length == 1;
        Tensor x2 = unbatched ? x.unsqueeze(0) : x;
        int batch = x2.size(0);
        int[] stateShape = unbatched ? new int[] {hidden} : new int[] {batch, hidden};
        Tensor h = state == null ? null : state.h();
        Tensor c = state == null ? null : state.c();
        checkState(op, "h", h, stateShape, x);
        if (!kind.hasCellState() && c != null) {
            throw new IllegalArgumentException(op + ": has no cell state, but the state passed in has c of shape "
                    + Arrays.toString(c.shape()));
        }
        if (kind.hasCellState()) checkState(op, "c", c, stateShape, x);
        DType type = w.wIh().dtype();
        Tensor h2 = h == null ? Tensor.zeros(type, batch, hidden) : unbatched ? h.unsqueeze(0) : h;
        Tensor c2 = !kind.hasCellState() ? null : c == null ? Tensor.zeros(type, batch, hidden) : unbatched ? c.unsqueeze(0) : c;
        Tensor hNext, cNext = null;
        if (kind == Kind.LSTM) {
            Tensor y = NnOps.lstm(x2.unsqueeze(0), h2, c2, w.wIh(), w.wHh(), w.bIh(), w.bHh());
            hNext = y.select(0, 0);
            cNext = y.select(0, 1);
        } else {
            Tensor gi = F.linear(x2, w.wIh(), kind.foldsHiddenBias() ? w.bIh().add(w.bHh()) : w.bIh());
            hNext = step(kind, gi, h2, w.wHh().t(), kind.foldsHiddenBias() ? null : w.bHh(), hidden);
        }
        Tensor hOut = unbatched ? hNext.squeeze(0) : hNext;
        Tensor cOut = cNext == null ? null : unbatched ? cNext.squeeze(0) : cNext;
        return new RecurrentOutput(hOut, hOut, cOut);
    }

    private static void checkState(String op, String which, Tensor t, int[] expected, Tensor x) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": expected " + which + " of shape " + Arrays.toString(expected)
                    + " for input of shape " + Arrays.toString(x.shape()) + ", got " + Arrays.toString(t.shape()));
        }
    }

    // --------------------------------------------------------------------------------------------- whole layers

    /** Steps {@code [start, start + len)} of a layer's input, as {@code [len, batch, width]}. */
    @FunctionalInterface
    private interface Steps {
        Tensor get(int start, int len);
    }

    /**
     * One RNN or GRU layer from state h; returns its output at every step, {@code [batch, hidden]} each. The input
     * projection is one matmul per {@link #CHUNK} steps.
     */
    private static List<Tensor> layer(Kind kind, Weights w, Steps in, int seq, int batch, Tensor h, Tensor bias, int hidden) {
        // Transposed copy once per call, so every step's GEMM reads its operand row by row.
        Tensor wHhT = w.wHh().t().contiguous();
        Tensor bHh = kind.foldsHiddenBias() ? null : w.bHh();
        List<Tensor> outs = new ArrayList<>(seq);
        for (int start = 0; start < seq; start += CHUNK) {
            int len = Math.min(CHUNK, seq - start);
            Tensor proj = F.linear(in.get(start, len).reshape(len * batch, -1), w.wIh(), bias);
            for (int k = 0; k < len; k++) {
                Tensor gi = len == 1 ? proj : proj.narrow(0, k * batch, batch);
                h = step(kind, gi, h, wHhT, bHh, hidden);
                outs.add(h);
            }
        }
        return outs;
    }

    /**
     * A multi-layer recurrence over a sequence. {@code x} is {@code [seq, batch, in]} ({@code [batch, seq, in]} with
     * batchFirst) or unbatched {@code [seq, in]}; {@code state} holds h (and c) of shape
     * {@code [numLayers, batch, hidden]} ({@code [numLayers, hidden]} unbatched), or is null for zeros.
     */
    static RecurrentOutput run(Kind kind, List<Weights> layers, int inputSize, int hidden, boolean batchFirst,
                               Tensor x, RecurrentOutput state) {
        String op = kind.layerName;
        int numLayers = layers.size();
        if (x == null) throw new IllegalArgumentException(op + ": input is null");
        int[] xs = x.shape();
        if ((xs.length != 2 && xs.length != 3) || xs[xs.length - 1] != inputSize) {
            String layout = batchFirst ? "[batch, seq, " : "[seq, batch, ";
            throw new IllegalArgumentException(op + ": expected input of shape " + layout + inputSize + "] or [seq, "
                    + inputSize + "], got " + Arrays.toString(xs));
        }
        boolean unbatched = xs.length == 2;
        // [seq, batch, in] from here on; PyTorch ignores batch_first for unbatched input too.
        Tensor seqMajor = unbatched ? x.unsqueeze(1) : batchFirst ? x.transpose(0, 1) : x;
        int seq = seqMajor.size(0), batch = seqMajor.size(1);
        if (seq == 0 || batch == 0) {
            throw new IllegalArgumentException(op + ": expected a non-empty sequence and batch, got input of shape "
                    + Arrays.toString(xs));
        }
        int[] stateShape = unbatched ? new int[] {numLayers, hidden} : new int[] {numLayers, batch, hidden};
        Tensor h0 = state == null ? null : state.h();
        Tensor c0 = state == null ? null : state.c();
        checkState(op, "h", h0, stateShape, x);
        if (!kind.hasCellState() && c0 != null) {
            throw new IllegalArgumentException(op + ": has no cell state, but the state passed in has c of shape "
                    + Arrays.toString(c0.shape()));
        }
        if (kind.hasCellState()) checkState(op, "c", c0, stateShape, x);
        if (unbatched) {
            h0 = h0 == null ? null : h0.unsqueeze(1);
            c0 = c0 == null ? null : c0.unsqueeze(1);
        }
        DType type = layers.get(0).wIh().dtype();
        Tensor below = seqMajor; // the previous layer's outputs, [seq, batch, width]
        List<Tensor> belowSteps = null; // the same, one tensor per step, where a layer made them so
        List<Tensor> hs = new ArrayList<>(numLayers), cs = new ArrayList<>(numLayers);
        for (int l = 0; l < numLayers; l++) {
            Tensor h = h0 == null ? Tensor.zeros(type, batch, hidden) : h0.select(0, l);
            Tensor c = !kind.hasCellState() ? null : c0 == null ? Tensor.zeros(type, batch, hidden) : c0.select(0, l);
            Weights w = layers.get(l);
            if (kind == Kind.LSTM) {
                Tensor y = NnOps.lstm(below, h, c, w.wIh(), w.wHh(), w.bIh(), w.bHh());
                below = y.narrow(0, 0, seq);
                hs.add(y.select(0, seq - 1));
                cs.add(y.select(0, seq));
            } else {
                // Chunks of the layer below are stacked from its per-step tensors, not sliced out of one stacked
                // tensor: a slice's backward is zero-padded to the whole, which would make backward quadratic.
                Tensor x0 = below;
                List<Tensor> prev = belowSteps;
                Steps in = prev == null ? (start, len) -> len == seq ? x0 : x0.narrow(0, start, len)
                        : (start, len) -> Tensor.stack(prev.subList(start, start + len), 0);
                Tensor bias = kind.foldsHiddenBias() ? w.bIh().add(w.bHh()) : w.bIh();
                belowSteps = layer(kind, w, in, seq, batch, h, bias, hidden);
                hs.add(belowSteps.get(seq - 1));
            }
        }
        Tensor output;
        if (belowSteps != null) {
            output = unbatched ? Tensor.stack(belowSteps, 0).squeeze(1) : Tensor.stack(belowSteps, batchFirst ? 1 : 0);
        } else {
            // A view of the LSTM op's result; with batchFirst a transposed one, as PyTorch returns it.
            output = unbatched ? below.squeeze(1) : batchFirst ? below.transpose(0, 1) : below;
        }
        Tensor hN = Tensor.stack(hs, 0), cN = cs.isEmpty() ? null : Tensor.stack(cs, 0);
        if (unbatched) {
            hN = hN.squeeze(1);
            cN = cN == null ? null : cN.squeeze(1);
        }
        return new RecurrentOutput(output, hN, cN);
    }
}
