package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.tensor.Gemm;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Parallel;
import io.chainrule.tensor.RecurrentKernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.chainrule.Graph.inputs;
import static io.chainrule.Graph.record;

/**
 * An LSTM layer over a whole sequence as one op, forward next to its derivative (PyTorch's fused LSTM, gate order
 * i, f, g, o):
 * <pre>
 * i, f, g, o = σ, σ, tanh, σ of (x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b_ih + b_hh), split in 4
 * c_t = f∘c_{t−1} + i∘g,   h_t = o∘tanh(c_t)
 * </pre>
 * One node per layer instead of a dozen per step. Forward: one GEMM projects every step's input, then per step a GEMM
 * adds h_{t−1}·W_hhᵀ and one fused pass computes the gates and the new state. Backward: per step (last first) a fused
 * pass gives the gates' gradient and a GEMM sends it to h_{t−1}; the weight, bias and input gradients are then one
 * GEMM (or sum) each over all steps.
 *
 * <p>The backward is written twice, as PyTorch does for its fused cells: in tensor ops ({@link #backwardInOps}),
 * which recomputes the gates from the inputs so every factor is on the graph and the gradient is differentiable
 * again; and fused ({@link #backwardFused}), the same formulas operation for operation over raw arrays, used when no
 * graph of the backward is being built (the common case).
 */
final class RecurrentOps {
    /** Below this many gate values per step a step's elementwise pass stays on one thread. */
    private static final int PARALLEL_MIN_ELEMENTS = 8192;

    private RecurrentOps() {}

    /**
     * x {@code [seq, batch, in]}, h0 and c0 {@code [batch, hidden]}, wIh {@code [4·hidden, in]}, wHh
     * {@code [4·hidden, hidden]}, bIh and bHh {@code [4·hidden]} or null. Returns {@code [seq + 1, batch, hidden]}:
     * h after each step, then the last c.
     */
    static Tensor lstm(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        checkLstm(x, h0, c0, wIh, wHh, bIh, bHh);
        int seq = x.shape[0], batch = x.shape[1], in = x.shape[2], hidden = wHh.shape[1], gw = 4 * hidden;
        DType type = DType.promote(DType.promote(x.dtype, wIh.dtype), DType.promote(wHh.dtype, DType.promote(h0.dtype, c0.dtype)));
        if (bIh != null) type = DType.promote(type, bIh.dtype);
        if (bHh != null) type = DType.promote(type, bHh.dtype);
        DType ft = PointwiseOps.floatType(type);
        Tensor xs = x.castRaw(ft).contiguousRaw(), h = h0.castRaw(ft).contiguousRaw();
        Tensor c = c0.castRaw(ft).contiguousRaw(), wi = wIh.castRaw(ft).contiguousRaw(), w = wHh.castRaw(ft).contiguousRaw();
        // Transposed weights, so both GEMMs read B row by row; the biases summed once.
        Tensor wIhT = transposed(wi), wHhT = transposed(w);
        Tensor bias = Tensor.allocate(ft, new int[] {gw});
        if (bIh != null) bias.accumulateRaw(bIh.castRaw(ft));
        if (bHh != null) bias.accumulateRaw(bHh.castRaw(ft));

        int rowsPerStep = batch * hidden, gatesPerStep = batch * gw;
        Tensor out = Tensor.allocate(ft, new int[] {seq + 1, batch, hidden});
        // Saved for the fused backward: each step's activations, and c_{t-1} for t = 0..seq (c0 first).
        Tensor acts = Tensor.allocate(ft, new int[] {seq, batch, gw});
        Tensor cs = Tensor.allocate(ft, new int[] {seq + 1, batch, hidden});
        System.arraycopy(c.data(), c.offset, cs.data(), 0, rowsPerStep);
        gemm(false, false, seq * batch, gw, in, xs.data(), xs.offset, in, wIhT.data(), 0, gw, acts.data(), 0, gw, false);
        int grain = grain(batch, hidden);
        for (int t = 0; t < seq; t++) {
            Object hPrev = t == 0 ? h.data() : out.data();
            int hpo = t == 0 ? h.offset : (t - 1) * rowsPerStep;
            gemm(false, false, batch, gw, hidden, hPrev, hpo, hidden, wHhT.data(), 0, gw, acts.data(), t * gatesPerStep, gw, true);
            int g0 = t * gatesPerStep, cp0 = t * rowsPerStep, c1 = (t + 1) * rowsPerStep, h1 = t * rowsPerStep;
            Parallel.forChunks(batch, grain, (r0, r1) -> {
                int g = g0 + r0 * gw, s = r0 * hidden;
                if (acts.data() instanceof float[] a) {
                    float[] cf = (float[]) cs.data();
                    RecurrentKernels.lstmForward(a, g, (float[]) bias.data(), cf, cp0 + s, cf, c1 + s,
                            (float[]) out.data(), h1 + s, r1 - r0, hidden);
                } else {
                    double[] cd = (double[]) cs.data();
                    RecurrentKernels.lstmForward((double[]) acts.data(), g, (double[]) bias.data(), cd, cp0 + s, cd, c1 + s,
                            (double[]) out.data(), h1 + s, r1 - r0, hidden);
                }
            });
        }
        System.arraycopy(cs.data(), seq * rowsPerStep, out.data(), seq * rowsPerStep, rowsPerStep);
        return record(out, "LstmBackward", (g, need) -> GradMode.isEnabled()
                        ? backwardInOps(g, x, h0, c0, wIh, wHh, bIh, bHh, need)
                        : backwardFused(g, xs, h, wi, w, out, acts, cs, need),
                inputs(x, h0, c0, wIh, wHh, bIh, bHh), x, h0, c0, wIh, wHh, bIh, bHh, out);
    }

    /** A contiguous copy of the transpose of a matrix (no graph). */
    private static Tensor transposed(Tensor m) {
        return m.viewRaw(new int[] {m.shape[1], m.shape[0]}, new int[] {m.strides[1], m.strides[0]}, m.offset).cloneRaw();
    }

    private static void checkLstm(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        int[] ws = wHh.shape;
        if (ws.length != 2 || ws[0] != 4 * ws[1] || ws[1] == 0) {
            throw new IllegalArgumentException("lstm: weight_hh must be [4·hidden, hidden], got " + Arrays.toString(ws));
        }
        int hidden = ws[1];
        int[] xs = x.shape;
        if (xs.length != 3 || xs[0] == 0 || xs[1] == 0) {
            throw new IllegalArgumentException("lstm: expected input of shape [seq, batch, in] with seq, batch > 0, got "
                    + Arrays.toString(xs));
        }
        if (wIh.shape.length != 2 || wIh.shape[0] != 4 * hidden || wIh.shape[1] != xs[2]) {
            throw new IllegalArgumentException("lstm: weight_ih must be [" + 4 * hidden + ", " + xs[2] + "] for input "
                    + Arrays.toString(xs) + " and weight_hh " + Arrays.toString(ws) + ", got " + Arrays.toString(wIh.shape));
        }
        int[] stateShape = {xs[1], hidden};
        if (!Arrays.equals(h0.shape, stateShape) || !Arrays.equals(c0.shape, stateShape)) {
            throw new IllegalArgumentException("lstm: expected h0 and c0 of shape " + Arrays.toString(stateShape)
                    + ", got " + Arrays.toString(h0.shape) + " and " + Arrays.toString(c0.shape));
        }
        for (Tensor b : new Tensor[] {bIh, bHh}) {
            if (b != null && (b.shape.length != 1 || b.shape[0] != 4 * hidden)) {
                throw new IllegalArgumentException("lstm: biases must be [" + 4 * hidden + "], got " + Arrays.toString(b.shape));
            }
        }
    }

    /** Rows per parallel chunk: whole rows, enough of them that a chunk is worth a hand-off. */
    private static int grain(int batch, int hidden) {
        return 4 * batch * hidden < PARALLEL_MIN_ELEMENTS ? batch : Math.max(1, PARALLEL_MIN_ELEMENTS / 4 / hidden);
    }

    /**
     * Backpropagation through time over raw arrays (xs, h0, wIh, wHh contiguous in the op's type): per step, last
     * first, the fused elementwise pass, then the gradient sent to h_{t−1} as dGates_t·W_hh. Then over all steps at
     * once: dx = dGates·W_ih, dW_ih = (xᵀ·dGates)ᵀ, dW_hh = (h_prevᵀ·dGates)ᵀ and db = Σ dGates. (The weight
     * gradients are computed transposed because that GEMM reads both operands row by row.)
     */
    private static Tensor[] backwardFused(Tensor gradOut, Tensor xs, Tensor h0, Tensor wIh, Tensor wHh, Tensor out,
                                          Tensor acts, Tensor cs, boolean[] need) {
        DType type = out.dtype;
        int seq = out.shape[0] - 1, batch = out.shape[1], hidden = out.shape[2], in = xs.shape[2], gw = 4 * hidden;
        int rowsPerStep = batch * hidden, gatesPerStep = batch * gw, rows = seq * batch;
        Tensor gy = gradOut.castRaw(type).contiguousRaw();
        Tensor dGates = Tensor.allocate(type, new int[] {seq, batch, gw});
        Tensor dh = Tensor.allocate(type, new int[] {batch, hidden});
        Tensor dc = Tensor.allocate(type, new int[] {batch, hidden});
        System.arraycopy(gy.data(), gy.offset + seq * rowsPerStep, dc.data(), 0, rowsPerStep);
        int grain = grain(batch, hidden);
        // The biases' gradient Σ dGates, summed step by step while each step's rows are still in cache.
        double[] biasGrad = need[5] || need[6] ? new double[gw] : null;
        for (int t = seq - 1; t >= 0; t--) {
            int a0 = t * gatesPerStep, cp0 = t * rowsPerStep, c1 = (t + 1) * rowsPerStep, gy0 = gy.offset + t * rowsPerStep;
            Parallel.forChunks(batch, grain, (r0, r1) -> {
                int a = a0 + r0 * gw, s = r0 * hidden;
                if (type == DType.FLOAT32) {
                    float[] cf = (float[]) cs.data();
                    RecurrentKernels.lstmBackward((float[]) acts.data(), a, cf, cp0 + s, cf, c1 + s, (float[]) gy.data(),
                            gy0 + s, (float[]) dh.data(), s, (float[]) dc.data(), s, (float[]) dGates.data(), a, r1 - r0, hidden);
                } else {
                    double[] cd = (double[]) cs.data();
                    RecurrentKernels.lstmBackward((double[]) acts.data(), a, cd, cp0 + s, cd, c1 + s, (double[]) gy.data(),
                            gy0 + s, (double[]) dh.data(), s, (double[]) dc.data(), s, (double[]) dGates.data(), a, r1 - r0, hidden);
                }
            });
            if (t > 0 || need[1]) {
                gemm(false, false, batch, hidden, gw, dGates.data(), a0, gw, wHh.data(), 0, hidden, dh.data(), 0, hidden, false);
            }
            if (biasGrad != null) {
                if (type == DType.FLOAT32) RecurrentKernels.addColumnSums((float[]) dGates.data(), a0, batch, gw, biasGrad);
                else RecurrentKernels.addColumnSums((double[]) dGates.data(), a0, batch, gw, biasGrad);
            }
        }
        Tensor dx = null, dWih = null, dWhh = null, db = null;
        if (need[0]) {
            dx = Tensor.allocate(type, new int[] {seq, batch, in});
            gemm(false, false, rows, in, gw, dGates.data(), 0, gw, wIh.data(), 0, in, dx.data(), 0, in, false);
        }
        if (need[3]) {
            Tensor t = Tensor.allocate(type, new int[] {in, gw});
            gemm(true, false, in, gw, rows, xs.data(), xs.offset, in, dGates.data(), 0, gw, t.data(), 0, gw, false);
            dWih = transposed(t);
        }
        if (need[4]) {
            Tensor t = Tensor.allocate(type, new int[] {hidden, gw});
            gemm(true, false, hidden, gw, batch, h0.data(), h0.offset, hidden, dGates.data(), 0, gw, t.data(), 0, gw, false);
            if (seq > 1) {
                gemm(true, false, hidden, gw, rows - batch, out.data(), 0, hidden, dGates.data(), gatesPerStep, gw,
                        t.data(), 0, gw, true);
            }
            dWhh = transposed(t);
        }
        if (biasGrad != null) {
            db = Tensor.allocate(type, new int[] {gw});
            for (int j = 0; j < gw; j++) Loops.write(db.data(), j, biasGrad[j]);
        }
        return new Tensor[] {dx, need[1] ? dh : null, need[2] ? dc : null, dWih, dWhh, need[5] ? db : null, need[6] ? db : null};
    }

    /**
     * The same backward in differentiable tensor ops, for gradients of gradients: the forward is recomputed from the
     * inputs (so the activations it reads are on the graph), then the recurrence is walked back step by step.
     */
    private static Tensor[] backwardInOps(Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh,
                                          Tensor bIh, Tensor bHh, boolean[] need) {
        int seq = x.shape[0], batch = x.shape[1], in = x.shape[2], hidden = wHh.shape[1], rows = seq * batch;
        Tensor wIhT = wIh.t(), wHhT = wHh.t();
        Tensor bias = bIh == null ? bHh : bHh == null ? bIh : bIh.add(bHh);
        Tensor[] i = new Tensor[seq], f = new Tensor[seq], g = new Tensor[seq], o = new Tensor[seq], tc = new Tensor[seq];
        Tensor[] hPrev = new Tensor[seq], cPrev = new Tensor[seq];
        Tensor h = h0, c = c0;
        for (int t = 0; t < seq; t++) {
            Tensor gates = x.select(0, t).matmul(wIhT).add(h.matmul(wHhT));
            if (bias != null) gates = gates.add(bias);
            i[t] = gates.narrow(1, 0, hidden).sigmoid();
            f[t] = gates.narrow(1, hidden, hidden).sigmoid();
            g[t] = gates.narrow(1, 2 * hidden, hidden).tanh();
            o[t] = gates.narrow(1, 3 * hidden, hidden).sigmoid();
            hPrev[t] = h;
            cPrev[t] = c;
            c = f[t].mul(c).add(i[t].mul(g[t]));
            tc[t] = c.tanh();
            h = o[t].mul(tc[t]);
        }
        Tensor dhNext = null, dc = gradOut.select(0, seq);
        List<Tensor> dGates = new ArrayList<>(seq);
        for (int t = seq - 1; t >= 0; t--) {
            Tensor dh = dhNext == null ? gradOut.select(0, t) : gradOut.select(0, t).add(dhNext);
            Tensor dct = dc.add(dh.mul(o[t]).mul(tc[t].square().neg().add(1.0)));
            Tensor di = dct.mul(g[t]).mul(i[t].mul(i[t].neg().add(1.0)));
            Tensor df = dct.mul(cPrev[t]).mul(f[t].mul(f[t].neg().add(1.0)));
            Tensor dg = dct.mul(i[t]).mul(g[t].square().neg().add(1.0));
            Tensor dO = dh.mul(tc[t]).mul(o[t].mul(o[t].neg().add(1.0)));
            Tensor d = Tensor.cat(List.of(di, df, dg, dO), 1);
            dGates.add(0, d);
            dhNext = d.matmul(wHh);
            dc = dct.mul(f[t]);
        }
        Tensor dG = Tensor.stack(dGates, 0).reshape(rows, 4 * hidden);
        Tensor db = need[5] || need[6] ? dG.sum(0, false) : null;
        return new Tensor[] {
                need[0] ? dG.matmul(wIh).reshape(seq, batch, in) : null,
                need[1] ? dhNext : null,
                need[2] ? dc : null,
                need[3] ? dG.t().matmul(x.reshape(rows, in)) : null,
                need[4] ? dG.t().matmul(Tensor.stack(Arrays.asList(hPrev), 0).reshape(rows, hidden)) : null,
                need[5] ? db : null,
                need[6] ? db : null};
    }

    private static void gemm(boolean transA, boolean transB, int m, int n, int k, Object a, int aOff, int lda,
                             Object b, int bOff, int ldb, Object c, int cOff, int ldc, boolean accumulate) {
        if (c instanceof float[] cf) {
            Gemm.sgemm(transA, transB, m, n, k, (float[]) a, aOff, lda, (float[]) b, bOff, ldb, cf, cOff, ldc, accumulate);
        } else {
            Gemm.dgemm(transA, transB, m, n, k, (double[]) a, aOff, lda, (double[]) b, bOff, ldb, (double[]) c, cOff, ldc,
                    accumulate);
        }
    }
}
