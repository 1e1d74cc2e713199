package io.chainrule;

import java.util.Arrays;
import java.util.List;

/**
 * The backward of {@link RecurrentOps}' layers in differentiable tensor ops, for gradients of gradients: the forward
 * is recomputed from the inputs (so the activations it reads are on the graph), then the recurrence is walked back
 * step by step with the formulas of the fused kernels, operation for operation. Each cell fills the gradients of
 * the input projection (dGi) and of h·W_hhᵀ (dGh, the same tensors but for the GRU) at every step; the weight, bias
 * and input gradients follow from those in one product or sum each.
 */
final class RecurrentBackward {
    private RecurrentBackward() {}

    /** Gradients of x, h0, c0, W_ih, W_hh, b_ih, b_hh (null where {@code need} says none), given the output's. */
    static Tensor[] inTensorOps(RecurrentOps.Cell cell, Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh,
                                Tensor wHh, Tensor bIh, Tensor bHh, boolean[] need) {
        int seq = x.shape[0], batch = x.shape[1], in = x.shape[2], hidden = wHh.shape[1];
        Tensor[] dGi = new Tensor[seq], dGh = new Tensor[seq], hPrev = new Tensor[seq];
        Tensor[] state = switch (cell) {
            case LSTM -> lstm(gradOut, x, h0, c0, wIh, wHh, bIh, bHh, dGi, hPrev);
            case GRU -> gru(gradOut, x, h0, wIh, wHh, bIh, bHh, dGi, dGh, hPrev);
            default -> rnn(cell == RecurrentOps.Cell.RNN_RELU, gradOut, x, h0, wIh, wHh, bIh, bHh, dGi, hPrev);
        };
        int rows = seq * batch, gw = cell.gates * hidden;
        Tensor gi = Tensor.stack(Arrays.asList(dGi), 0).reshape(rows, gw);
        Tensor gh = cell == RecurrentOps.Cell.GRU ? Tensor.stack(Arrays.asList(dGh), 0).reshape(rows, gw) : gi;
        return new Tensor[] {
                need[0] ? gi.matmul(wIh).reshape(seq, batch, in) : null,
                need[1] ? state[0] : null,
                need[2] ? state[1] : null,
                need[3] ? gi.t().matmul(x.reshape(rows, in)) : null,
                need[4] ? gh.t().matmul(Tensor.stack(Arrays.asList(hPrev), 0).reshape(rows, hidden)) : null,
                need[5] ? gi.sum(0, false) : null,
                need[6] ? gh.sum(0, false) : null};
    }

    /** x_t·W_ihᵀ + h·W_hhᵀ + (b_ih + b_hh): the pre-activations of the cells that fold b_hh in. */
    private static Tensor gates(Tensor x, int t, Tensor h, Tensor wIh, Tensor wHh, Tensor bias) {
        Tensor g = x.select(0, t).matmul(wIh.t()).add(h.matmul(wHh.t()));
        return bias == null ? g : g.add(bias);
    }

    private static Tensor sum(Tensor a, Tensor b) {
        return a == null ? b : b == null ? a : a.add(b);
    }

    /** s·(1 − s), the derivative of σ at its value s. */
    private static Tensor sigmoidSlope(Tensor s) {
        return s.mul(s.neg().add(1.0));
    }

    /** 1 − t², the derivative of tanh at its value t. */
    private static Tensor tanhSlope(Tensor t) {
        return t.square().neg().add(1.0);
    }

    /** Returns {dh0, dc0}. */
    private static Tensor[] lstm(Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh,
                                 Tensor bHh, Tensor[] dGi, Tensor[] hPrev) {
        int seq = x.shape[0], hidden = wHh.shape[1];
        Tensor bias = sum(bIh, bHh);
        Tensor[] i = new Tensor[seq], f = new Tensor[seq], g = new Tensor[seq], o = new Tensor[seq], tc = new Tensor[seq];
        Tensor[] cPrev = new Tensor[seq];
        Tensor h = h0, c = c0;
        for (int t = 0; t < seq; t++) {
            Tensor pre = gates(x, t, h, wIh, wHh, bias);
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

    /** Returns {dh0}. */
    private static Tensor[] gru(Tensor gradOut, Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                                Tensor[] dGi, Tensor[] dGh, Tensor[] hPrev) {
        int seq = x.shape[0], hidden = wHh.shape[1];
        Tensor[] r = new Tensor[seq], z = new Tensor[seq], n = new Tensor[seq], ghn = new Tensor[seq];
        Tensor h = h0;
        for (int t = 0; t < seq; t++) {
            Tensor gi = x.select(0, t).matmul(wIh.t()), gh = h.matmul(wHh.t());
            if (bIh != null) gi = gi.add(bIh);
            if (bHh != null) gh = gh.add(bHh);
            Tensor rz = gi.narrow(1, 0, 2 * hidden).add(gh.narrow(1, 0, 2 * hidden)).sigmoid();
            r[t] = rz.narrow(1, 0, hidden);
            z[t] = rz.narrow(1, hidden, hidden);
            ghn[t] = gh.narrow(1, 2 * hidden, hidden);
            n[t] = gi.narrow(1, 2 * hidden, hidden).add(r[t].mul(ghn[t])).tanh();
            hPrev[t] = h;
            h = n[t].add(z[t].mul(h.sub(n[t])));
        }
        Tensor carry = null;
        for (int t = seq - 1; t >= 0; t--) {
            Tensor dh = carry == null ? gradOut.select(0, t) : gradOut.select(0, t).add(carry);
            Tensor dn = dh.mul(z[t].neg().add(1.0)), dz = dh.mul(hPrev[t].sub(n[t]));
            Tensor dnp = dn.mul(tanhSlope(n[t]));
            Tensor drp = dnp.mul(ghn[t]).mul(sigmoidSlope(r[t])), dzp = dz.mul(sigmoidSlope(z[t]));
            dGi[t] = Tensor.cat(List.of(drp, dzp, dnp), 1);
            dGh[t] = Tensor.cat(List.of(drp, dzp, dnp.mul(r[t])), 1);
            carry = dh.mul(z[t]).add(dGh[t].matmul(wHh));
        }
        return new Tensor[] {carry, null};
    }

    /** Returns {dh0}. */
    private static Tensor[] rnn(boolean relu, Tensor gradOut, Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh,
                                Tensor bHh, Tensor[] dGi, Tensor[] hPrev) {
        int seq = x.shape[0];
        Tensor bias = sum(bIh, bHh);
        Tensor[] hs = new Tensor[seq];
        Tensor h = h0;
        for (int t = 0; t < seq; t++) {
            Tensor pre = gates(x, t, h, wIh, wHh, bias);
            hPrev[t] = h;
            h = hs[t] = relu ? pre.relu() : pre.tanh();
        }
        Tensor carry = null;
        for (int t = seq - 1; t >= 0; t--) {
            Tensor dh = carry == null ? gradOut.select(0, t) : gradOut.select(0, t).add(carry);
            dGi[t] = relu ? PointwiseOps.reluGrad(dh, hs[t]) : dh.mul(tanhSlope(hs[t]));
            carry = dGi[t].matmul(wHh);
        }
        return new Tensor[] {carry, null};
    }
}
