package io.chainrule.cli.demo;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;
import io.chainrule.optim.SGD;

import java.util.List;

/**
 * Tutorial 001 in its own notation, on its three-layer network (input h₁, one sigmoid hidden layer h₂, a linear
 * output h₃) with L = ½‖h₃ − y‖². Column vectors, z_t = W_t·h_{t−1} + b_t, the weight w^t_ji from unit i of layer
 * t−1 to unit j of layer t. The tutorial's recipe: δ₃ = h₃ − y at the output; ∂L/∂w^t_ji = δ^t_j·h^{t−1}_i and
 * ∂L/∂b^t_j = δ^t_j; δ^t_j = a_j·Σ_i δ^{t+1}_i·w^{t+1}_ij with a = ∂h/∂z = h(1 − h) for the sigmoid; then
 * w ← w − η·Δw. The tutorial has no numbers of its own (its figure is missing), so the weights are small round ones.
 */
public final class DeltaNotationDemo implements Demo {
    static final double ETA = 0.5;
    static final double[][] X = {{0.5}, {-1.0}};
    static final double[][] Y = {{1.0}, {0.0}};
    static final double[][] W2 = {{0.1, -0.2}, {0.4, 0.3}, {-0.5, 0.2}};
    static final double[][] B2 = {{0.1}, {0.0}, {-0.1}};
    static final double[][] W3 = {{0.3, -0.6, 0.2}, {0.5, 0.1, -0.4}};
    static final double[][] B3 = {{0.05}, {-0.05}};

    /** The δs and gradients of the two weighted layers, by hand or from autograd. */
    public record Grads(Tensor delta3, Tensor delta2, Tensor gW3, Tensor gb3, Tensor gW2, Tensor gb2) {}

    @Override
    public String name() {
        return "delta-notation";
    }

    @Override
    public String summary() {
        return "tutorial 001's notation: h_t, δ_n = h_n − y, δ_t = a·Σ δ_{t+1}·w, ∂L/∂w = δ·h, w ← w − η·Δw";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Backprop in tutorial 001's notation: three layers h1 (input, 2) → h2 = σ(z2) (3) → h3 = z3 (2, linear);");
        ctx.line("z_t = W_t·h_(t−1) + b_t, L = ½·Σ(h3 − y)², w^t_ji joins unit i of layer t−1 to unit j of layer t; float64");
        Trace tr = new Trace();
        Tensor w2 = tr.leaf("W2", Tensor.of(W2).requiresGrad(true));
        Tensor b2 = tr.leaf("b2", Tensor.of(B2).requiresGrad(true));
        Tensor w3 = tr.leaf("W3", Tensor.of(W3).requiresGrad(true));
        Tensor b3 = tr.leaf("b3", Tensor.of(B3).requiresGrad(true));
        Tensor h1 = tr.leaf("h1 = x", Tensor.of(X).requiresGrad(true));
        Tensor y = Tensor.of(Y);
        Tensor z2 = tr.name("z2", tr.name("W2·h1", w2.matmul(h1)).add(b2));
        Tensor h2 = tr.name("h2 = σ(z2)", z2.sigmoid());
        Tensor z3 = tr.name("h3 = z3", tr.name("W3·h2", w3.matmul(h2)).add(b3));
        Tensor diff = tr.constant("y", y, tr.name("h3 − y", z3.sub(y)), 1);
        Tensor loss = tr.constant("½", Tensor.scalar(0.5), tr.name("L = ½Σ(h3 − y)²", diff.square().sum().mul(0.5)), 1);
        GraphModel g = tr.backward(loss);

        ctx.blank();
        ctx.line("  forward   h1 = x = %s, y = %s", col(h1), col(y));
        ctx.line("            h2 = σ(W2·h1 + b2) = %s", col(h2));
        ctx.line("            h3 = W3·h2 + b3 = %s,  L = %s", col(z3), HumanFormat.fixed(loss.item(), 6));
        Grads hand = byHand(h1.detach(), h2.detach(), z3.detach(), y, w3.detach());
        Grads auto = new Grads(g.find("h3 = z3").grad(), g.find("z2").grad(), w3.grad(), b3.grad(), w2.grad(), b2.grad());
        Tensor a = h2.detach().mul(h2.detach().neg().add(1.0));
        ctx.blank();
        ctx.line("  backward                                      by hand                        autograd");
        ctx.line("    δ3 = h3 − y                                 %-30s %s", col(hand.delta3()), col(auto.delta3()));
        ctx.line("    Δw3 = ∂L/∂W3 = δ3·h2ᵀ   (∂L/∂w3_ji = δ3_j·h2_i)");
        pair(ctx, hand.gW3(), auto.gW3());
        ctx.line("    Δb3 = ∂L/∂b3 = δ3                           %-30s %s", col(hand.gb3()), col(auto.gb3()));
        ctx.line("    a = ∂h2/∂z2 = h2(1 − h2) = %s", col(a));
        double[] d3 = hand.delta3().toDoubleArray();
        double[] av = a.toDoubleArray();
        double[] d2 = hand.delta2().toDoubleArray();
        for (int j = 0; j < d2.length; j++) {
            ctx.line("    δ2_%d = a_%d·(δ3_1·w3_1%d + δ3_2·w3_2%d) = %s·(%s·%s + %s·%s) = %s", j + 1, j + 1, j + 1, j + 1,
                    HumanFormat.num(av[j]), HumanFormat.num(d3[0]), HumanFormat.num(W3[0][j]), HumanFormat.num(d3[1]), HumanFormat.num(W3[1][j]), HumanFormat.num(d2[j]));
        }
        ctx.line("    δ2 = a·(W3ᵀ·δ3)                             %-30s %s", col(hand.delta2()), col(auto.delta2()));
        ctx.line("    Δw2 = δ2·h1ᵀ");
        pair(ctx, hand.gW2(), auto.gW2());
        ctx.line("    Δb2 = δ2                                    %-30s %s", col(hand.gb2()), col(auto.gb2()));
        ctx.line("    (the tutorial's summary numbers weights one lower: its Δw_(n−1) = δ_n·h_(n−2) and δ_(n−1) = a·(δ_n·w_n)");
        ctx.line("     are Δw3 = δ3·h2ᵀ and δ2 = a·(W3ᵀ·δ3) here, with W_t the weights into layer t)");
        ctx.blank();
        compare(ctx, hand, auto);
        // Drawn before the update below changes the weights in place.
        ctx.writeGraph("delta-notation", g, "tutorial 001: h1 → h2 = σ(W2·h1 + b2) → h3 = W3·h2 + b3, L = ½Σ(h3 − y)²");

        // The update w ← w − η·Δw by hand, against the library's SGD stepping on autograd's gradients.
        List<Tensor> byHand;
        try (var ng = Autograd.noGrad()) {
            byHand = List.of(w2.detach().sub(hand.gW2().mul(ETA)), b2.detach().sub(hand.gb2().mul(ETA)),
                    w3.detach().sub(hand.gW3().mul(ETA)), b3.detach().sub(hand.gb3().mul(ETA)));
        }
        double before = loss.item();
        new SGD(List.of(w2, b2, w3, b3), ETA).step();
        double worst = 0;
        List<Tensor> stepped = List.of(w2, b2, w3, b3);
        for (int i = 0; i < 4; i++) worst = Math.max(worst, DemoContext.maxAbsDiff(byHand.get(i), stepped.get(i)));
        double after = lossAt(byHand, Tensor.of(X), y);
        ctx.blank();
        ctx.line("  update  w ← w − η·Δw, b ← b − η·Δb, η = %s", ETA);
        ctx.line("    W3 → %s", HumanFormat.tensor(byHand.get(2), 16));
        ctx.line("    L: %s → %s", HumanFormat.fixed(before, 6), HumanFormat.fixed(after, 6));
        ctx.check("update by hand = SGD(η) on autograd's gradients", worst, 1e-12);
        ctx.checkThat("one step lowers L", after < before, HumanFormat.fixed(after, 6) + " < " + HumanFormat.fixed(before, 6));
    }

    /** The tutorial's recipe, step by step, without autograd. */
    public static Grads byHand(Tensor h1, Tensor h2, Tensor h3, Tensor y, Tensor w3) {
        try (var ng = Autograd.noGrad()) {
            Tensor delta3 = h3.sub(y);                               // δ_n = h_n − y
            Tensor gW3 = delta3.matmul(h2.t());                      // ∂L/∂w_ji = δ_j·h_i
            Tensor a = h2.mul(h2.neg().add(1.0));                    // a = σ'(z) = h(1 − h)
            Tensor delta2 = a.mul(w3.t().matmul(delta3));            // δ_j = a_j·Σ_i δ_i·w_ij
            Tensor gW2 = delta2.matmul(h1.t());
            return new Grads(delta3, delta2, gW3, delta3, gW2, delta2);
        }
    }

    /** The checks: each hand-computed δ and gradient against autograd's. */
    public static void compare(DemoContext ctx, Grads hand, Grads auto) {
        ctx.check("δ3 = h3 − y = ∂L/∂z3 (autograd)", hand.delta3(), auto.delta3(), 1e-12);
        ctx.check("δ2 = a·(W3ᵀ·δ3) = ∂L/∂z2 (autograd)", hand.delta2(), auto.delta2(), 1e-12);
        ctx.check("Δw3 = δ3·h2ᵀ vs autograd", hand.gW3(), auto.gW3(), 1e-12);
        ctx.check("Δb3 = δ3 vs autograd", hand.gb3(), auto.gb3(), 1e-12);
        ctx.check("Δw2 = δ2·h1ᵀ vs autograd", hand.gW2(), auto.gW2(), 1e-12);
        ctx.check("Δb2 = δ2 vs autograd", hand.gb2(), auto.gb2(), 1e-12);
    }

    private static double lossAt(List<Tensor> p, Tensor x, Tensor y) {
        try (var ng = Autograd.noGrad()) {
            Tensor h2 = p.get(0).matmul(x).add(p.get(1)).sigmoid();
            return p.get(2).matmul(h2).add(p.get(3)).sub(y).square().sum().mul(0.5).item();
        }
    }

    private static void pair(DemoContext ctx, Tensor hand, Tensor auto) {
        int rows = hand.shape()[0];
        for (int i = 0; i < rows; i++) {
            ctx.line("      %-70s %s", HumanFormat.tensor(hand.select(0, i), 99), HumanFormat.tensor(auto.select(0, i), 99));
        }
    }

    /** A column vector on one line, e.g. [0.1, −0.2]ᵀ. */
    static String col(Tensor t) {
        return HumanFormat.tensor(t.detach().reshape(-1), 99) + "ᵀ";
    }
}
