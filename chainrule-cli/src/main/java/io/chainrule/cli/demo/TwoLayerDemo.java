package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.Examples;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;

/**
 * Tutorial 004 (CMU 10-714, "manual" neural networks): ℓ_ce(σ(XW₁)W₂, y) with σ = ReLU. Closed forms
 * ∇W₂ = σ(XW₁)ᵀ(S − I_y) and ∇W₁ = Xᵀ(σ'(XW₁) ∘ ((S − I_y)W₂ᵀ)), each divided by the batch size m because the
 * loss is the batch mean, against autograd.
 */
public final class TwoLayerDemo implements Demo {
    @Override
    public String name() {
        return "two-layer";
    }

    @Override
    public String summary() {
        return "σ(X·W1)·W2 with softmax cross-entropy: closed-form ∇W1, ∇W2 vs autograd (tutorial 004)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Two-layer network (tutorial 004): ℓ = mean softmax cross-entropy of σ(X·W1)·W2, σ = ReLU; float64");
        Trace tr = new Trace();
        Examples.TwoLayer ex = Examples.twoLayer(tr, new Generator(11));
        GraphModel g = tr.backward(ex.example().root());
        Tensor x = ex.x(), w1 = ex.w1().detach(), w2 = ex.w2().detach(), y = ex.y();
        int m = x.shape()[0];
        int k = w2.shape()[1];
        Tensor gW1, gW2, s, iy;
        try (var ng = Autograd.noGrad()) {
            Tensor z1 = x.matmul(w1);
            Tensor h = z1.relu();
            s = h.matmul(w2).softmax(1);
            iy = oneHot(y, k);
            Tensor g2 = s.sub(iy).div(m);                         // ∂ℓ/∂logits for the batch mean
            gW2 = h.t().matmul(g2);                               // σ(XW1)ᵀ (S − I_y) / m
            Tensor reluPrime = z1.gt(0.0).to(DType.FLOAT64);      // σ'(XW1): 1 where XW1 > 0
            gW1 = x.t().matmul(reluPrime.mul(g2.matmul(w2.t()))); // Xᵀ (σ' ∘ ((S − I_y) W2ᵀ)) / m
        }
        ctx.blank();
        ctx.line("  X: %d×%d, W1: %d×%d, W2: %d×%d, labels y = %s", m, x.shape()[1], w1.shape()[0], w1.shape()[1],
                w2.shape()[0], k, HumanFormat.tensor(y, 99));
        ctx.line("  loss ℓ = %s", HumanFormat.fixed(ex.example().root().item(), 6));
        ctx.line("  S = softmax(σ(X·W1)·W2), first row %s; I_y one-hot of y", row(s, 0));
        ctx.blank();
        ctx.line("  ∇W2 = σ(X·W1)ᵀ·(S − I_y) / m");
        printPair(ctx, gW2, ex.w2().grad());
        ctx.line("  ∇W1 = Xᵀ·(σ'(X·W1) ∘ ((S − I_y)·W2ᵀ)) / m");
        printPair(ctx, gW1, ex.w1().grad());
        ctx.blank();
        ctx.check("∇W2 closed form vs autograd", gW2, ex.w2().grad(), 1e-6);
        ctx.check("∇W1 closed form vs autograd", gW1, ex.w1().grad(), 1e-6);
        ctx.writeGraph("two-layer", g, ex.example().title());
    }

    static Tensor oneHot(Tensor labels, int classes) {
        long[] l = labels.toLongArray();
        double[] v = new double[l.length * classes];
        for (int i = 0; i < l.length; i++) v[i * classes + (int) l[i]] = 1;
        return Tensor.of(v, l.length, classes);
    }

    private static String row(Tensor t, int i) {
        return HumanFormat.tensor(t.select(0, i), 99);
    }

    static void printPair(DemoContext ctx, Tensor closed, Tensor auto) {
        int rows = closed.shape()[0];
        for (int i = 0; i < rows; i++) {
            ctx.line("    %-52s %s", row(closed, i), row(auto, i));
        }
        ctx.line("    %-52s %s", "(closed form)", "(autograd)");
    }
}
