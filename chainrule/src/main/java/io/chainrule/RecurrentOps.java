package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.tensor.Gemm;
import io.chainrule.tensor.GruKernels;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.PackedB;
import io.chainrule.tensor.Parallel;
import io.chainrule.tensor.RecurrentKernels;
import io.chainrule.tensor.RnnKernels;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;

/**
 * A recurrent layer over a whole sequence as one op (PyTorch's fused RNN, LSTM and GRU, gate orders as there), forward
 * next to its derivative. One node per layer instead of a dozen per step. Forward: one GEMM projects every step's
 * input, then per step a GEMM gives h_{t−1}·W_hhᵀ and one fused pass (the cell's, {@link CellOps#forwardRows}) the
 * gates and the new state. Backward: per step (last first) a fused pass gives the gates' gradient and a GEMM sends
 * it to h_{t−1}; the weight, bias and input gradients are then one GEMM (or sum) each over all steps.
 *
 * <p>The backward is written twice, as PyTorch does for its fused cells, and each cell family keeps both side by side
 * ({@link RnnOps}, {@link LstmOps}, {@link GruOps}): fused, over raw arrays, used when no graph of the backward is
 * being built (the common case); and in tensor ops, the same formulas operation for operation after recomputing the
 * gates from the inputs, so the gradient is on the graph and differentiable again (createGraph). This class does what
 * the cells share: the checks, the products with the weights and the walk over the steps.
 */
final class RecurrentOps {
    /** Below this many gate values per step a step's elementwise pass stays on one thread. */
    private static final int PARALLEL_MIN_ELEMENTS = 8192;

    private RecurrentOps() {}

    /**
     * The raw arrays of one forward, in the op's dtype, which the fused backward reads too: contiguous copies (or the
     * tensors themselves) of the inputs; the bias added to the input projection ({@code biasIn}) and, for the GRU,
     * b_hh and the step's h·W_hhᵀ apart ({@code biasHh}, {@code gh}); the output; each step's activations; the cell
     * states (LSTM: c_{t−1} for t = 0..seq) or W_hn·h + b_hn (GRU); the LSTM's tanh c_t.
     */
    record Buffers(RecurrentCellKind cell, DType type, int seq, int batch, int in, int hidden, Tensor x, Tensor h0,
                   Tensor wIh, Tensor wHh, Tensor biasIn, Tensor biasHh, Tensor gh, Tensor out, Tensor acts,
                   Tensor states, Tensor tanhC) {
        /** Where step t's gate row r0 starts in {@code acts} (and in the gates' gradients). */
        int gateRow(int t, int r0) {
            return (t * batch + r0) * cell.gates() * hidden;
        }

        /** Where step t's state row r0 starts in {@code out}, {@code states} and {@code tanhC}. */
        int stateRow(int t, int r0) {
            return (t * batch + r0) * hidden;
        }

        /** The array holding h_{t−1}: h0's, or the output's. */
        Object hPrev(int t) {
            return t == 0 ? h0.data() : out.data();
        }

        /** Where row r0 of h_{t−1} starts in {@link #hPrev}. */
        int hPrevRow(int t, int r0) {
            return t == 0 ? h0.offset + r0 * hidden : ((t - 1) * batch + r0) * hidden;
        }
    }

    /** The fused backward's arrays: the output's gradient, the carried dh and dc, the gates' gradients. */
    record Grads(Tensor gy, Tensor dh, Tensor dc, Tensor dGi, Tensor dGh) {}

    /**
     * x {@code [seq, batch, in]}, h0 (and c0 for the LSTM) {@code [batch, hidden]}, wIh {@code [gates·hidden, in]},
     * wHh {@code [gates·hidden, hidden]}, bIh and bHh {@code [gates·hidden]} or null. Returns h after each step,
     * {@code [seq, batch, hidden]}; for the LSTM one more row at the end, the last c.
     */
    static Tensor layer(RecurrentCellKind cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        check(cell, x, h0, c0, wIh, wHh, bIh, bHh);
        int seq = x.shape[0], batch = x.shape[1], in = x.shape[2], hidden = wHh.shape[1], gw = cell.gates() * hidden;
        DType type = DType.promote(DType.promote(x.dtype, wIh.dtype), DType.promote(wHh.dtype, h0.dtype));
        for (Tensor t : new Tensor[] {c0, bIh, bHh}) if (t != null) type = DType.promote(type, t.dtype);
        DType ft = PointwiseOps.floatType(type);
        Tensor xs = x.castRaw(ft).contiguousRaw(), h = h0.castRaw(ft).contiguousRaw();
        Tensor wi = wIh.castRaw(ft).contiguousRaw(), w = wHh.castRaw(ft).contiguousRaw();
        // Transposed weights, so both GEMMs read B row by row.
        Tensor wIhT = transposed(wi), wHhT = transposed(w);
        // The bias added to the input projection (b_ih, with b_hh folded in unless the cell keeps it apart).
        Tensor biasIn = Tensor.allocate(ft, new int[] {gw}), biasHh = null;
        if (bIh != null) biasIn.accumulateRaw(bIh.castRaw(ft));
        if (cell.foldsHiddenBias()) {
            if (bHh != null) biasIn.accumulateRaw(bHh.castRaw(ft));
        } else {
            biasHh = Tensor.allocate(ft, new int[] {gw});
            if (bHh != null) biasHh.accumulateRaw(bHh.castRaw(ft));
        }
        int rowsPerStep = batch * hidden, gatesPerStep = batch * gw;
        boolean lstm = cell.hasCellState(), gru = !cell.foldsHiddenBias();
        Tensor out = Tensor.allocate(ft, new int[] {lstm ? seq + 1 : seq, batch, hidden});
        Tensor acts = Tensor.allocate(ft, new int[] {seq, batch, gw});
        Tensor states = lstm ? Tensor.allocate(ft, new int[] {seq + 1, batch, hidden})
                : gru ? Tensor.allocate(ft, new int[] {seq, batch, hidden}) : null;
        Tensor tanhC = lstm ? Tensor.allocate(ft, new int[] {seq, batch, hidden}) : null;
        Tensor gh = gru ? Tensor.allocate(ft, new int[] {batch, gw}) : null;
        if (lstm) {
            Tensor c = c0.castRaw(ft).contiguousRaw();
            System.arraycopy(c.data(), c.offset, states.data(), 0, rowsPerStep);
        }
        gemm(false, false, seq * batch, gw, in, xs.data(), xs.offset, in, wIhT.data(), 0, gw, acts.data(), 0, gw, false);
        Buffers b = new Buffers(cell, ft, seq, batch, in, hidden, xs, h, wi, w, biasIn, biasHh, gh, out, acts, states, tanhC);
        int grain = grain(batch, gw);
        PackedB whh = pack(gw, hidden, wHhT.data(), 0, gw); // packed once for all steps
        for (int t = 0; t < seq; t++) {
            // h_{t-1}·W_hhᵀ: added to the step's projection, or apart for the GRU (b_hn and r come in between)
            Tensor into = gru ? gh : acts;
            gemm(batch, b.hPrev(t), b.hPrevRow(t, 0), hidden, whh, into.data(), gru ? 0 : t * gatesPerStep, gw, !gru);
            int step = t;
            Parallel.forChunks(batch, grain, (r0, r1) -> cell.ops.forwardRows(b, step, r0, r1));
        }
        if (lstm) System.arraycopy(states.data(), seq * rowsPerStep, out.data(), seq * rowsPerStep, rowsPerStep);
        return record(out, cell.ops.node(), (g, need) -> GradMode.isEnabled()
                        ? backwardInTensorOps(cell, g, x, h0, c0, wIh, wHh, bIh, bHh, need)
                        : backwardFused(b, g, need),
                inputs(x, h0, c0, wIh, wHh, bIh, bHh), x, h0, c0, wIh, wHh, bIh, bHh, out);
    }

    private static void check(RecurrentCellKind cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh,
                              Tensor bHh) {
        String op = cell.ops.op();
        int gates = cell.gates();
        int[] ws = wHh.shape;
        if (ws.length != 2 || ws[0] != gates * ws[1] || ws[1] == 0) {
            throw new IllegalArgumentException(op + ": weight_hh must be [" + gates + "·hidden, hidden], got "
                    + Arrays.toString(ws));
        }
        int hidden = ws[1];
        int[] xs = x.shape;
        if (xs.length != 3 || xs[0] == 0 || xs[1] == 0) {
            throw new IllegalArgumentException(op + ": expected input of shape [seq, batch, in] with seq, batch > 0, got "
                    + Arrays.toString(xs));
        }
        if (wIh.shape.length != 2 || wIh.shape[0] != gates * hidden || wIh.shape[1] != xs[2]) {
            throw new IllegalArgumentException(op + ": weight_ih must be [" + gates * hidden + ", " + xs[2] + "] for input "
                    + Arrays.toString(xs) + " and weight_hh " + Arrays.toString(ws) + ", got " + Arrays.toString(wIh.shape));
        }
        int[] stateShape = {xs[1], hidden};
        if (!Arrays.equals(h0.shape, stateShape)) {
            throw new IllegalArgumentException(op + ": expected h0 of shape " + Arrays.toString(stateShape) + ", got "
                    + Arrays.toString(h0.shape));
        }
        if ((c0 != null) != cell.hasCellState()) {
            throw new IllegalArgumentException(op + ": c0 is for the LSTM only, and required there");
        }
        if (c0 != null && !Arrays.equals(c0.shape, stateShape)) {
            throw new IllegalArgumentException(op + ": expected c0 of shape " + Arrays.toString(stateShape) + ", got "
                    + Arrays.toString(c0.shape));
        }
        for (Tensor b : new Tensor[] {bIh, bHh}) {
            if (b != null && (b.shape.length != 1 || b.shape[0] != gates * hidden)) {
                throw new IllegalArgumentException(op + ": biases must be [" + gates * hidden + "], got "
                        + Arrays.toString(b.shape));
            }
        }
    }

    /** Rows per parallel chunk: whole rows, enough of them that a chunk is worth a hand-off. */
    private static int grain(int batch, int rowWidth) {
        return batch * rowWidth < PARALLEL_MIN_ELEMENTS ? batch : Math.max(1, PARALLEL_MIN_ELEMENTS / rowWidth);
    }

    /** A contiguous copy of the transpose of a matrix (no graph). */
    private static Tensor transposed(Tensor m) {
        return m.viewRaw(new int[] {m.shape[1], m.shape[0]}, new int[] {m.strides[1], m.strides[0]}, m.offset).cloneRaw();
    }

    /**
     * Backpropagation through time over raw arrays: per step, last first, the fused elementwise pass gives the gates'
     * gradient (dGi for the input projection; dGh for h·W_hhᵀ, the same but for the GRU), then dGh_t·W_hh goes to
     * h_{t−1}. Then over all steps at once: dx = dGi·W_ih, dW_ih = (xᵀ·dGi)ᵀ, dW_hh = (h_prevᵀ·dGh)ᵀ (computed
     * transposed because that GEMM reads both operands row by row), db_ih = Σ dGi and db_hh = Σ dGh.
     */
    private static Tensor[] backwardFused(Buffers sv, Tensor gradOut, boolean[] need) {
        RecurrentCellKind cell = sv.cell();
        DType type = sv.type();
        int seq = sv.seq(), batch = sv.batch(), in = sv.in(), hidden = sv.hidden(), gw = cell.gates() * hidden;
        int rowsPerStep = batch * hidden, gatesPerStep = batch * gw, rows = seq * batch;
        boolean lstm = cell.hasCellState(), gru = !cell.foldsHiddenBias();
        Tensor gy = gradOut.castRaw(type).contiguousRaw();
        Tensor dGi = Tensor.allocate(type, new int[] {seq, batch, gw});
        Tensor dGh = gru ? Tensor.allocate(type, new int[] {seq, batch, gw}) : dGi;
        Tensor dh = Tensor.allocate(type, new int[] {batch, hidden});
        Tensor dc = lstm ? Tensor.allocate(type, new int[] {batch, hidden}) : null;
        if (lstm) System.arraycopy(gy.data(), gy.offset + seq * rowsPerStep, dc.data(), 0, rowsPerStep);
        // The biases' gradients, summed step by step while each step's rows are still in cache.
        double[] sumGi = need[5] || (need[6] && !gru) ? new double[gw] : null;
        double[] sumGh = gru && need[6] ? new double[gw] : null;
        int grain = grain(batch, gw);
        PackedB whh = seq > 1 || need[1] ? pack(hidden, gw, sv.wHh().data(), sv.wHh().offset, hidden) : null;
        Grads grads = new Grads(gy, dh, dc, dGi, dGh);
        for (int t = seq - 1; t >= 0; t--) {
            int step = t;
            Parallel.forChunks(batch, grain, (r0, r1) -> cell.ops.backwardRows(sv, grads, step, r0, r1));
            if (t > 0 || need[1]) {
                gemm(batch, dGh.data(), t * gatesPerStep, gw, whh, dh.data(), 0, hidden, gru);
            }
            if (sumGi != null) addColumnSums(dGi, t * gatesPerStep, batch, gw, sumGi);
            if (sumGh != null) addColumnSums(dGh, t * gatesPerStep, batch, gw, sumGh);
        }
        Tensor dx = null, dWih = null, dWhh = null;
        if (need[0]) {
            dx = Tensor.allocate(type, new int[] {seq, batch, in});
            gemm(false, false, rows, in, gw, dGi.data(), 0, gw, sv.wIh().data(), sv.wIh().offset, in, dx.data(), 0, in, false);
        }
        if (need[3] && need[4] && dGi == dGh) {
            // One GEMM for both weights: [dW_ih | dW_hh]ᵀ = [x | h_prev]ᵀ·dGates reads dGates once.
            int k = in + hidden;
            Tensor xh = Tensor.allocate(type, new int[] {rows, k});
            Loops.copy(sv.x().data(), sv.x().offset, new int[] {in, 1}, xh.data(), 0, new int[] {k, 1}, new int[] {rows, in});
            hPrevRows(sv, xh.data(), in, k);
            Tensor t = Tensor.allocate(type, new int[] {k, gw});
            gemm(true, false, k, gw, rows, xh.data(), 0, k, dGi.data(), 0, gw, t.data(), 0, gw, false);
            dWih = transposed(t.viewRaw(new int[] {in, gw}, new int[] {gw, 1}, 0));
            dWhh = transposed(t.viewRaw(new int[] {hidden, gw}, new int[] {gw, 1}, in * gw));
        } else {
            if (need[3]) {
                Tensor t = Tensor.allocate(type, new int[] {in, gw});
                gemm(true, false, in, gw, rows, sv.x().data(), sv.x().offset, in, dGi.data(), 0, gw, t.data(), 0, gw, false);
                dWih = transposed(t);
            }
            if (need[4]) {
                Tensor hPrev = Tensor.allocate(type, new int[] {rows, hidden});
                hPrevRows(sv, hPrev.data(), 0, hidden);
                Tensor t = Tensor.allocate(type, new int[] {hidden, gw});
                gemm(true, false, hidden, gw, rows, hPrev.data(), 0, hidden, dGh.data(), 0, gw, t.data(), 0, gw, false);
                dWhh = transposed(t);
            }
        }
        Tensor dbIh = sumGi == null ? null : vector(type, sumGi);
        Tensor dbHh = !need[6] ? null : gru ? vector(type, sumGh) : dbIh;
        return new Tensor[] {dx, need[1] ? dh : null, need[2] ? dc : null, dWih, dWhh, need[5] ? dbIh : null, dbHh};
    }

    /**
     * The backward in differentiable tensor ops (for gradients of gradients): the cell walks the steps back and fills
     * the gates' gradients dGi (for the input projection) and dGh (for h·W_hhᵀ, the same but for the GRU) per step;
     * the gradients of x, W_ih, W_hh, b_ih and b_hh follow from those in one product or sum each. Returns the
     * gradients of x, h0, c0, W_ih, W_hh, b_ih, b_hh (null where {@code need} says none).
     */
    private static Tensor[] backwardInTensorOps(RecurrentCellKind cell, Tensor gradOut, Tensor x, Tensor h0, Tensor c0,
                                                Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, boolean[] need) {
        int seq = x.shape[0], batch = x.shape[1], in = x.shape[2], hidden = wHh.shape[1];
        Tensor[] dGi = new Tensor[seq], dGh = new Tensor[seq], hPrev = new Tensor[seq];
        Tensor[] state = cell.ops.backwardInTensorOps(gradOut, x, h0, c0, wIh, wHh, bIh, bHh, dGi, dGh, hPrev);
        int rows = seq * batch, gw = cell.gates() * hidden;
        Tensor gi = Tensor.stack(Arrays.asList(dGi), 0).reshape(rows, gw);
        Tensor gh = cell.foldsHiddenBias() ? gi : Tensor.stack(Arrays.asList(dGh), 0).reshape(rows, gw);
        return new Tensor[] {
                need[0] ? gi.matmul(wIh).reshape(seq, batch, in) : null,
                need[1] ? state[0] : null,
                need[2] ? state[1] : null,
                need[3] ? gi.t().matmul(x.reshape(rows, in)) : null,
                need[4] ? gh.t().matmul(Tensor.stack(Arrays.asList(hPrev), 0).reshape(rows, hidden)) : null,
                need[5] ? gi.sum(0, false) : null,
                need[6] ? gh.sum(0, false) : null};
    }

    /** x_t·W_ihᵀ + h·W_hhᵀ + (b_ih + b_hh): the pre-activations of the cells that fold b_hh in, in tensor ops. */
    static Tensor preActivations(Tensor x, int t, Tensor h, Tensor wIh, Tensor wHh, Tensor bias) {
        Tensor g = x.select(0, t).matmul(wIh.t()).add(h.matmul(wHh.t()));
        return bias == null ? g : g.add(bias);
    }

    /** a + b, either of which may be null (no bias). */
    static Tensor sum(Tensor a, Tensor b) {
        return a == null ? b : b == null ? a : a.add(b);
    }

    /** s·(1 − s), the derivative of σ at its value s. */
    static Tensor sigmoidSlope(Tensor s) {
        return s.mul(s.neg().add(1.0));
    }

    /** 1 − t², the derivative of tanh at its value t. */
    static Tensor tanhSlope(Tensor t) {
        return t.square().neg().add(1.0);
    }

    /** Writes h_{t−1} for every step (h0, then the outputs but the last) as rows of width {@code ld} at column {@code col}. */
    private static void hPrevRows(Buffers sv, Object dst, int col, int ld) {
        int batch = sv.batch(), hidden = sv.hidden(), rows = sv.seq() * batch;
        int[] src = {hidden, 1}, dstStrides = {ld, 1};
        Loops.copy(sv.h0().data(), sv.h0().offset, src, dst, col, dstStrides, new int[] {batch, hidden});
        Loops.copy(sv.out().data(), 0, src, dst, batch * ld + col, dstStrides, new int[] {rows - batch, hidden});
    }

    private static void addColumnSums(Tensor m, int offset, int rows, int cols, double[] total) {
        RecurrentKernels.addColumnSums(m.data(), offset, rows, cols, total);
    }

    private static Tensor vector(DType type, double[] values) {
        Tensor v = Tensor.allocate(type, new int[] {values.length});
        for (int j = 0; j < values.length; j++) Loops.write(v.data(), j, values[j]);
        return v;
    }

    /** A {@code k × n} row-major B (float[] or double[]) packed for the products of every step. */
    private static PackedB pack(int n, int k, Object b, int off, int ldb) {
        return b instanceof float[] f ? PackedB.of(false, n, k, f, off, ldb) : PackedB.of(false, n, k, (double[]) b, off, ldb);
    }

    /** {@code C (+)= A·B} with B packed and A {@code m × b.k()} row-major. */
    private static void gemm(int m, Object a, int aOff, int lda, PackedB b, Object c, int cOff, int ldc, boolean accumulate) {
        if (c instanceof float[] cf) Gemm.sgemm(false, m, (float[]) a, aOff, lda, b, cf, cOff, ldc, accumulate);
        else Gemm.dgemm(false, m, (double[]) a, aOff, lda, b, (double[]) c, cOff, ldc, accumulate);
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, Object a, int aOff, int lda,
                     Object b, int bOff, int ldb, Object c, int cOff, int ldc, boolean accumulate) {
        if (c instanceof float[] cf) {
            Gemm.sgemm(transA, transB, m, n, k, (float[]) a, aOff, lda, (float[]) b, bOff, ldb, cf, cOff, ldc, accumulate);
        } else {
            Gemm.dgemm(transA, transB, m, n, k, (double[]) a, aOff, lda, (double[]) b, bOff, ldb, (double[]) c, cOff, ldc,
                    accumulate);
        }
    }
}
