package io.chainrule.nn;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** An LSTM trained with hand-written SGD (momentum 0.9) learns the adding problem (sequence length 10). */
class RecurrentLearningTest {
    /**
     * Each step carries a value in [0, 1) and a marker; exactly two steps are marked and the target is the sum of
     * their values. Predicting the mean scores an MSE of Var(u1 + u2) = 1/6; doing better needs memory.
     */
    private static Tensor[] batch(Generator g, int seq, int batch) {
        float[] x = new float[seq * batch * 2];
        float[] y = new float[batch];
        for (int b = 0; b < batch; b++) {
            int first = g.nextInt(seq), second = g.nextInt(seq - 1);
            if (second >= first) second++;
            for (int t = 0; t < seq; t++) {
                float v = (float) g.nextDouble();
                boolean marked = t == first || t == second;
                x[(t * batch + b) * 2] = v;
                x[(t * batch + b) * 2 + 1] = marked ? 1 : 0;
                if (marked) y[b] += v;
            }
        }
        return new Tensor[] {Tensor.of(x, seq, batch, 2), Tensor.of(y, batch, 1)};
    }

    @Test
    void lstmLearnsTheAddingProblem() {
        Tensor.manualSeed(1);
        int seq = 10, hidden = 16, size = 64;
        LSTM lstm = new LSTM(2, hidden);
        Tensor w = Tensor.randn(hidden, 1).mul(0.1).requiresGrad(true);
        Tensor bias = Tensor.full(1.0, 1).requiresGrad(true);   // the target's mean, so the loss starts near 1/6
        List<Tensor> params = new ArrayList<>(lstm.parameters());
        params.add(w);
        params.add(bias);
        Generator g = new Generator(2);
        Tensor[] test = batch(new Generator(99), seq, 256);
        double before = loss(lstm, w, bias, test).item();
        List<Tensor> velocity = new ArrayList<>();
        for (Tensor p : params) velocity.add(p.detach().zerosLike());
        for (int step = 0; step < 600; step++) {
            Tensor[] b = batch(g, seq, size);
            Tensor loss = loss(lstm, w, bias, b);
            for (Tensor p : params) p.zeroGrad();
            loss.backward();
            Utils.clipGradNorm(params, 1.0);
            try (var off = Autograd.noGrad()) {
                for (int i = 0; i < params.size(); i++) {
                    velocity.get(i).muli(0.9).addi(params.get(i).grad());
                    params.get(i).subi(velocity.get(i).mul(0.05));
                }
            }
        }
        double after = loss(lstm, w, bias, test).item();
        assertTrue(before > 0.1, "starts near the mean predictor's 1/6, got " + before);
        assertTrue(after < 0.2 * before, "loss " + before + " -> " + after);
    }

    private static Tensor loss(LSTM lstm, Tensor w, Tensor bias, Tensor[] b) {
        RecurrentOutput out = lstm.forward(b[0], null);
        Tensor pred = out.h().select(0, 0).matmul(w).add(bias);
        return pred.sub(b[1]).square().mean();
    }
}
