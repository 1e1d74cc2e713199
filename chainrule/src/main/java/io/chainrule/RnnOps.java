package io.chainrule;

import io.chainrule.tensor.RnnKernels;

import static io.chainrule.RecurrentOps.preActivations;
import static io.chainrule.RecurrentOps.sum;
import static io.chainrule.RecurrentOps.tanhSlope;

/**
 * The Elman cell ({@link RecurrentCellKind#RNN_TANH}, {@link RecurrentCellKind#RNN_RELU}): h' = act(pre), pre the
 * step's x·W_ihᵀ + h·W_hhᵀ + b_ih + b_hh. Backward: dpre = dh ∘ act'(h') (1 − h'² for tanh; for relu 1 where h' > 0,
 * else 0), and dh_prev = dpre·W_hh.
 */
final class RnnOps implements CellOps {
    private final boolean relu;

    RnnOps(boolean relu) {
        this.relu = relu;
    }

    @Override
    public String op() {
        return "rnn";
    }

    @Override
    public String node() {
        return relu ? "RnnReluBackward" : "RnnTanhBackward";
    }

    @Override
    public void forwardRows(RecurrentOps.Buffers b, int t, int r0, int r1) {
        RnnKernels.forward(relu, b.acts().data(), b.gateRow(t, r0), b.biasIn().data(), b.out().data(), b.stateRow(t, r0),
                r1 - r0, b.hidden());
    }

    @Override
    public void backwardRows(RecurrentOps.Buffers b, RecurrentOps.Grads g, int t, int r0, int r1) {
        int s = b.stateRow(t, r0);
        RnnKernels.backward(relu, b.out().data(), s, g.gy().data(), g.gy().offset + s, g.dh().data(), r0 * b.hidden(),
                g.dGi().data(), b.gateRow(t, r0), r1 - r0, b.hidden());
    }

    @Override
    public Tensor[] backwardInTensorOps(Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh,
                                        Tensor bIh, Tensor bHh, Tensor[] dGi, Tensor[] dGh, Tensor[] hPrev) {
        int seq = x.shape[0];
        Tensor bias = sum(bIh, bHh);
        Tensor[] hs = new Tensor[seq];
        Tensor h = h0;
        for (int t = 0; t < seq; t++) {
            Tensor pre = preActivations(x, t, h, wIh, wHh, bias);
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
