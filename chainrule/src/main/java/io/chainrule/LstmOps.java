package io.chainrule;

import io.chainrule.tensor.RecurrentKernels;

import java.util.List;

import static io.chainrule.RecurrentOps.preActivations;
import static io.chainrule.RecurrentOps.sigmoidSlope;
import static io.chainrule.RecurrentOps.sum;
import static io.chainrule.RecurrentOps.tanhSlope;

/**
 * The LSTM cell ({@link RecurrentCellKind#LSTM}, gates i, f, g, o): i, f, o = σ and g = tanh of their blocks of
 * x·W_ihᵀ + h·W_hhᵀ + b_ih + b_hh; c' = f∘c + i∘g; h' = o∘tanh(c'). Backward, with dh and dc' flowing in:
 * <pre>
 *   dc = dc' + dh∘o∘(1 − tanh²c')
 *   di = dc∘g∘i(1 − i)    df = dc∘c∘f(1 − f)    dg = dc∘i∘(1 − g²)    do = dh∘tanh c'∘o(1 − o)
 *   dh_prev = [di df dg do]·W_hh,   dc_prev = dc∘f
 * </pre>
 * The forward saves c per step and tanh c' (what the fused backward reads), the gates' activations in place of
 * their pre-activations.
 */
final class LstmOps implements CellOps {
    @Override
    public String op() {
        return "lstm";
    }

    @Override
    public String node() {
        return "LstmBackward";
    }

    @Override
    public void forwardRows(RecurrentOps.Buffers b, int t, int r0, int r1) {
        int a = b.gateRow(t, r0), s = b.stateRow(t, r0), next = s + b.batch() * b.hidden(), rows = r1 - r0;
        Object c = b.states().data();
        RecurrentKernels.lstmForward(b.acts().data(), a, b.biasIn().data(), c, s, c, next, b.tanhC().data(), s,
                b.out().data(), s, rows, b.hidden());
    }

    @Override
    public void backwardRows(RecurrentOps.Buffers b, RecurrentOps.Grads g, int t, int r0, int r1) {
        int a = b.gateRow(t, r0), s = b.stateRow(t, r0), d = r0 * b.hidden(), y = g.gy().offset + s, rows = r1 - r0;
        RecurrentKernels.lstmBackward(b.acts().data(), a, b.states().data(), s, b.tanhC().data(), s, g.gy().data(), y,
                g.dh().data(), d, g.dc().data(), d, g.dGi().data(), a, rows, b.hidden());
    }

    @Override
    public Tensor[] backwardInTensorOps(Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh,
                                        Tensor bIh, Tensor bHh, Tensor[] dGi, Tensor[] dGh, Tensor[] hPrev) {
        int seq = x.shape[0], hidden = wHh.shape[1];
        Tensor bias = sum(bIh, bHh);
        Tensor[] i = new Tensor[seq], f = new Tensor[seq], g = new Tensor[seq], o = new Tensor[seq], tc = new Tensor[seq];
        Tensor[] cPrev = new Tensor[seq];
        Tensor h = h0, c = c0;
        for (int t = 0; t < seq; t++) {
            Tensor pre = preActivations(x, t, h, wIh, wHh, bias);
            i[t] = pre.narrow(1, 0, hidden).sigmoid();
            f[t] = pre.narrow(1, hidden, hidden).sigmoid();
            g[t] = pre.narrow(1, 2 * hidden, hidden).tanh();
            o[t] = pre.narrow(1, 3 * hidden, hidden).sigmoid();
            hPrev[t] = h;
            cPrev[t] = c;
            c = f[t].mul(c).add(i[t].mul(g[t]));
            tc[t] = c.tanh();
            h = o[t].mul(tc[t]);
        }
        Tensor dhNext = null, dc = gradOut.select(0, seq);
        for (int t = seq - 1; t >= 0; t--) {
            Tensor dh = dhNext == null ? gradOut.select(0, t) : gradOut.select(0, t).add(dhNext);
            Tensor dct = dc.add(dh.mul(o[t]).mul(tanhSlope(tc[t])));
            Tensor di = dct.mul(g[t]).mul(sigmoidSlope(i[t]));
            Tensor df = dct.mul(cPrev[t]).mul(sigmoidSlope(f[t]));
            Tensor dg = dct.mul(i[t]).mul(tanhSlope(g[t]));
            Tensor dO = dh.mul(tc[t]).mul(sigmoidSlope(o[t]));
            dGi[t] = Tensor.cat(List.of(di, df, dg, dO), 1);
            dhNext = dGi[t].matmul(wHh);
            dc = dct.mul(f[t]);
        }
        return new Tensor[] {dhNext, dc};
    }
}
