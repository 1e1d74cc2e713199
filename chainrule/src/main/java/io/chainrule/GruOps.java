package io.chainrule;

import io.chainrule.tensor.GruKernels;

import java.util.List;

import static io.chainrule.RecurrentOps.sigmoidSlope;
import static io.chainrule.RecurrentOps.tanhSlope;

/**
 * The GRU cell ({@link RecurrentCellKind#GRU}, gates r, z, n), with gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh:
 * r, z = σ(gi + gh) of their blocks; n = tanh(gi_n + r∘gh_n); h' = n + z∘(h − n). Backward, with dh flowing in:
 * <pre>
 *   dn = dh∘(1 − z)∘(1 − n²)    dz = dh∘(h − n)∘z(1 − z)    dr = dn∘gh_n∘r(1 − r)
 *   dGi = [dr dz dn],   dGh = [dr dz dn∘r],   dh_prev = dh∘z + dGh·W_hh
 * </pre>
 * b_hh stays apart from the input projection (b_hn sits inside r∘(…)); the forward saves gh_n per step.
 */
final class GruOps implements CellOps {
    @Override
    public String op() {
        return "gru";
    }

    @Override
    public String node() {
        return "GruBackward";
    }

    @Override
    public void forwardRows(RecurrentOps.Buffers b, int t, int r0, int r1) {
        int a = b.gateRow(t, r0), s = b.stateRow(t, r0), hp = b.hPrevRow(t, r0), gho = r0 * 3 * b.hidden(), rows = r1 - r0;
        GruKernels.forward(b.acts().data(), a, b.biasIn().data(), b.gh().data(), gho, b.biasHh().data(), b.hPrev(t), hp,
                b.states().data(), s, b.out().data(), s, rows, b.hidden());
    }

    @Override
    public void backwardRows(RecurrentOps.Buffers b, RecurrentOps.Grads g, int t, int r0, int r1) {
        int a = b.gateRow(t, r0), s = b.stateRow(t, r0), hp = b.hPrevRow(t, r0), d = r0 * b.hidden();
        int y = g.gy().offset + s, rows = r1 - r0;
        GruKernels.backward(b.acts().data(), a, b.states().data(), s, b.hPrev(t), hp, g.gy().data(), y, g.dh().data(), d,
                g.dGi().data(), g.dGh().data(), a, rows, b.hidden());
    }

    @Override
    public Tensor[] backwardInTensorOps(Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh,
                                        Tensor bIh, Tensor bHh, Tensor[] dGi, Tensor[] dGh, Tensor[] hPrev) {
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
}
