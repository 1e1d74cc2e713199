package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;

import java.util.ArrayList;
import java.util.List;

/**
 * Tutorials 000/001: backpropagation as the δ recurrence in a sigmoid MLP with E = ½Σ(O_k − t_k)².
 * Output layer δ_k = (O_k − t_k)·O_k(1 − O_k); hidden layers δ_j = O_j(1 − O_j)·Σ_k δ_k w_jk;
 * ∂E/∂w_jk = O_j·δ_k and ∂E/∂b_k = δ_k. Each layer's δ and ∇W against autograd, then one update.
 */
public final class MlpDeltasDemo implements Demo {
    static final int[] SIZES = {3, 4, 3, 2};
    static final double LR = 0.5;

    @Override
    public String name() {
        return "mlp-deltas";
    }

    @Override
    public String summary() {
        return "sigmoid MLP 3-4-3-2: the δ recurrence layer by layer, δ and ∇W vs autograd (tutorials 000/001)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("δ recurrence in a sigmoid MLP %s (tutorials 000/001), E = ½·Σ(O_k − t_k)², one example; float64",
                sizes());
        Generator gen = new Generator(11);
        Tensor x = round(Tensor.rand(gen, 1, SIZES[0]));
        Tensor t = Tensor.of(new double[] {1, 0}, 1, 2);
        int layers = SIZES.length - 1;
        List<Tensor> ws = new ArrayList<>();
        List<Tensor> bs = new ArrayList<>();
        Trace tr = new Trace();
        Tensor o = x;
        List<Tensor> outs = new ArrayList<>();
        outs.add(x);
        for (int l = 1; l <= layers; l++) {
            Tensor w = tr.leaf("W" + l, round(Tensor.randn(gen, SIZES[l - 1], SIZES[l])).requiresGrad(true));
            Tensor b = tr.leaf("b" + l, round(Tensor.randn(gen, SIZES[l]).mul(0.5)).requiresGrad(true));
            ws.add(w);
            bs.add(b);
            Tensor in = o;
            Tensor xw = tr.name("O" + (l - 1) + "·W" + l, in.matmul(w));
            Tensor z = tr.name("x" + l + " = O" + (l - 1) + "·W" + l + " + b" + l, xw.add(b));
            o = tr.module("layer " + l, tr.name("O" + l + " = σ(x" + l + ")", z.sigmoid()));
            outs.add(o);
        }
        Tensor diff = tr.name("O" + layers + " − t", o.sub(t));
        Tensor loss = tr.module("loss", tr.name("E = ½Σ(O − t)²", diff.square().sum().mul(0.5)));
        GraphModel g = tr.backward(loss);
        double e0 = loss.item();

        ctx.blank();
        ctx.line("  x = %s, t = %s, E = %s", HumanFormat.tensor(x, 99), HumanFormat.tensor(t, 99), HumanFormat.fixed(e0, 6));
        ctx.blank();
        try (var ng = Autograd.noGrad()) {
            Tensor out = outs.get(layers);
            Tensor delta = out.sub(t).mul(out).mul(out.neg().add(1.0)); // (O − t)·O(1 − O)
            for (int l = layers; l >= 1; l--) {
                Tensor prev = outs.get(l - 1).detach();
                Tensor gradW = prev.t().matmul(delta);  // ∂E/∂w_jk = O_j·δ_k
                if (l == layers) ctx.line("  layer %d (output): δ = (O − t)·O(1 − O)", l);
                else ctx.line("  layer %d (hidden): δ = O(1 − O) ∘ (δ_next · W%dᵀ)", l, l + 1);
                ctx.line("    δ%d      = %s", l, HumanFormat.tensor(delta, 99));
                ctx.line("    ∇W%d = O%dᵀ·δ%d   %s", l, l - 1, l, HumanFormat.tensor(gradW, 99));
                ctx.line("    autograd      %s", HumanFormat.tensor(ws.get(l - 1).grad(), 99));
                ctx.check("layer " + l + ": ∇W = Oᵀ·δ vs autograd", gradW, ws.get(l - 1).grad(), 1e-6);
                ctx.check("layer " + l + ": ∇b = δ vs autograd", delta.reshape(-1), bs.get(l - 1).grad(), 1e-6);
                Tensor zGrad = g.find("x" + l + " = O" + (l - 1) + "·W" + l + " + b" + l).grad();
                ctx.check("layer " + l + ": δ = ∂E/∂x (autograd)", delta, zGrad, 1e-6);
                if (l > 1) {
                    Tensor op = outs.get(l - 1).detach();
                    delta = op.mul(op.neg().add(1.0)).mul(delta.matmul(ws.get(l - 1).detach().t()));
                }
            }
            // One gradient-descent step on every weight and bias.
            Tensor a = x;
            for (int l = 0; l < layers; l++) {
                Tensor w = ws.get(l).detach().sub(ws.get(l).grad().mul(LR));
                Tensor b = bs.get(l).detach().sub(bs.get(l).grad().mul(LR));
                a = a.matmul(w).add(b).sigmoid();
            }
            double e1 = a.sub(t).square().sum().mul(0.5).item();
            ctx.blank();
            ctx.line("  update  w ← w − η·∂E/∂w, b ← b − η·δ, η = %s:  E %s → %s", LR, HumanFormat.fixed(e0, 6), HumanFormat.fixed(e1, 6));
            ctx.checkThat("one step lowers E", e1 < e0, HumanFormat.fixed(e1, 6) + " < " + HumanFormat.fixed(e0, 6));
        }
        ctx.writeGraph("mlp-deltas", g, "sigmoid MLP " + sizes() + ", E = ½Σ(O − t)²: ∂E/∂x_l on each edge is δ_l");
    }

    private static String sizes() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SIZES.length; i++) sb.append(i == 0 ? "" : "-").append(SIZES[i]);
        return sb.toString();
    }

    private static Tensor round(Tensor t) {
        double[] v = t.to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.round(v[i] * 100) / 100.0;
        return Tensor.of(v, t.shape());
    }
}
