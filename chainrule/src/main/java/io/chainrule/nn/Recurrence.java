package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.LayerPrimitives;
import io.chainrule.RecurrentCellKind;
import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the recurrent layers and cells share: argument checks, initial states and the layer stack, with each layer's
 * recurrence one fused op ({@link LayerPrimitives#recurrentLayer}; a cell is a sequence of one step). Gate order and equations
 * are PyTorch's, written once at {@link RecurrentCellKind}.
 */
final class Recurrence {
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

    /**
     * One layer over {@code x} {@code [seq, batch, in]} from h (and c); returns h after each step
     * {@code [seq, batch, hidden]}, for the LSTM with the last c as one more row.
     */
    private static Tensor layer(RecurrentCellKind kind, Weights w, Tensor x, Tensor h, Tensor c) {
        return LayerPrimitives.recurrentLayer(kind, x, h, c, w.wIh(), w.wHh(), w.bIh(), w.bHh());
    }

    /** One cell step for a cell module: x {@code [batch, in]} or {@code [in]}; state h (and c) to match, or null. */
    static RecurrentOutput cell(String op, RecurrentCellKind kind, Weights w, int inputSize, int hidden, Tensor x, RecurrentOutput state) {
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
        Tensor y = layer(kind, w, x2.unsqueeze(0), h2, c2);
        Tensor hNext = y.select(0, 0), cNext = kind.hasCellState() ? y.select(0, 1) : null;
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

    /**
     * A multi-layer recurrence over a sequence. {@code x} is {@code [seq, batch, in]} ({@code [batch, seq, in]} with
     * batchFirst) or unbatched {@code [seq, in]}; {@code state} holds h (and c) of shape
     * {@code [numLayers, batch, hidden]} ({@code [numLayers, hidden]} unbatched), or is null for zeros.
     */
    static RecurrentOutput run(RecurrentCellKind kind, List<Weights> layers, int inputSize, int hidden, boolean batchFirst,
                               Tensor x, RecurrentOutput state) {
        String op = kind.layerName();
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
        List<Tensor> hs = new ArrayList<>(numLayers), cs = new ArrayList<>(numLayers);
        for (int l = 0; l < numLayers; l++) {
            Tensor h = h0 == null ? Tensor.zeros(type, batch, hidden) : h0.select(0, l);
            Tensor c = !kind.hasCellState() ? null : c0 == null ? Tensor.zeros(type, batch, hidden) : c0.select(0, l);
            Tensor y = layer(kind, layers.get(l), below, h, c);
            below = kind.hasCellState() ? y.narrow(0, 0, seq) : y;
            hs.add(y.select(0, seq - 1));
            if (kind.hasCellState()) cs.add(y.select(0, seq));
        }
        // A view of the last layer's result; with batchFirst a transposed one, as PyTorch returns it.
        Tensor output = unbatched ? below.squeeze(1) : batchFirst ? below.transpose(0, 1) : below;
        Tensor hN = Tensor.stack(hs, 0), cN = cs.isEmpty() ? null : Tensor.stack(cs, 0);
        if (unbatched) {
            hN = hN.squeeze(1);
            cN = cN == null ? null : cN.squeeze(1);
        }
        return new RecurrentOutput(output, hN, cN);
    }
}
