package io.chainrule.cli.demo;

import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.Examples;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;

/**
 * Tutorial 002's neuron as a scalar graph: h = a·wa + b·wb, y = σ(h). Each node's local derivative, then the
 * product along each path from y to a leaf, against autograd.
 */
public final class ChainRuleDemo implements Demo {
    static final double A = 1.5, WA = 0.8, B = -0.5, WB = 1.2;

    @Override
    public String name() {
        return "chain-rule";
    }

    @Override
    public String summary() {
        return "h = a·wa + b·wb, y = σ(h): each local derivative and the product along each path (tutorial 002)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Chain rule on a scalar graph (tutorial 002): h = a·wa + b·wb, y = σ(h); float64");
        Trace tr = new Trace();
        Examples.Example ex = Examples.chainRule(tr, A, WA, B, WB);
        GraphModel g = tr.backward(ex.root());
        double p = A * WA, q = B * WB, h = p + q;
        double y = 1 / (1 + Math.exp(-h));
        ctx.blank();
        ctx.line("  forward   a·wa = %s·%s = %s", A, WA, HumanFormat.fixed(p, 6));
        ctx.line("            b·wb = %s·%s = %s", B, WB, HumanFormat.fixed(q, 6));
        ctx.line("            h = a·wa + b·wb = %s", HumanFormat.fixed(h, 6));
        ctx.line("            y = σ(h) = %s        (autograd graph: %s)", HumanFormat.fixed(y, 6), HumanFormat.fixed(ex.root().item(), 6));
        ctx.blank();
        double dyDh = y * (1 - y);
        ctx.line("  local derivatives");
        ctx.line("    sigmoid node  ∂y/∂h       = σ(h)(1 − σ(h)) = %s", HumanFormat.fixed(dyDh, 6));
        ctx.line("    add node      ∂h/∂(a·wa)  = 1,  ∂h/∂(b·wb) = 1        (passes the gradient through)");
        ctx.line("    mul node      ∂(a·wa)/∂a  = wa = %s,  ∂(a·wa)/∂wa = a = %s   (swaps its inputs)", WA, A);
        ctx.line("    mul node      ∂(b·wb)/∂b  = wb = %s,  ∂(b·wb)/∂wb = b = %s", WB, B);
        ctx.blank();
        ctx.line("  products along each path                                              chain rule     autograd");
        String[] names = {"a", "wa", "b", "wb"};
        double[] local = {WA, A, WB, B};
        String[] via = {"wa", "a", "wb", "b"};
        String[] mid = {"a·wa", "a·wa", "b·wb", "b·wb"};
        double worst = 0;
        for (int i = 0; i < 4; i++) {
            double chain = dyDh * 1 * local[i];
            Tensor leaf = g.find(names[i]).value();
            double auto = leaf.grad().item();
            worst = Math.max(worst, Math.abs(chain - auto));
            ctx.line("    ∂y/∂%-2s = ∂y/∂h · ∂h/∂(%s) · ∂(%s)/∂%-2s = %s · 1 · %-8s %12s %12s", names[i], mid[i],
                    mid[i], names[i], HumanFormat.fixed(dyDh, 4), via[i] + " (" + local[i] + ")", HumanFormat.fixed(chain, 8),
                    HumanFormat.fixed(auto, 8));
        }
        ctx.blank();
        ctx.check("chain-rule products = autograd", worst, 1e-12);
        Tensor hT = g.find("h = a·wa + b·wb").grad();
        ctx.check("gradient reaching h = σ'(h)", Math.abs(hT.item() - dyDh), 1e-12);
        ctx.writeGraph("chain-rule", g, ex.title());
    }
}
