package io.chainrule.cli.demo;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.Examples;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;

/** The matrix-multiplication node (tutorial 002): y = XW, dX = dY·Wᵀ, dW = Xᵀ·dY, against autograd. */
public final class MatmulDemo implements Demo {
    @Override
    public String name() {
        return "matmul";
    }

    @Override
    public String summary() {
        return "Y = X·W: dX = dY·Wᵀ and dW = Xᵀ·dY against autograd (tutorial 002)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Matrix multiplication node (tutorial 002): Y = X·W, upstream gradient dY = ∂L/∂Y; float64");
        ctx.line("L = Σ Y∘G, so dY = G exactly.");
        Trace tr = new Trace();
        Examples.MatmulExample ex = Examples.matmul(tr, new Generator(7));
        GraphModel g = tr.backward(ex.example().root());
        Tensor x = ex.x(), w = ex.w(), dy = ex.g();
        ctx.blank();
        ctx.line("  X (2×3)  = %s", HumanFormat.tensor(x, 99));
        ctx.line("  W (3×2)  = %s", HumanFormat.tensor(w, 99));
        ctx.line("  Y = X·W  = %s", HumanFormat.tensor(ex.y(), 99));
        ctx.line("  dY = G   = %s", HumanFormat.tensor(dy, 99));
        Tensor dx, dw;
        try (var ng = Autograd.noGrad()) {
            dx = dy.matmul(w.detach().t());
            dw = x.detach().t().matmul(dy);
        }
        ctx.blank();
        ctx.line("  dX = dY·Wᵀ  (2×2)(2×3) → 2×3, the shape of X");
        ctx.line("     formula  %s", HumanFormat.tensor(dx, 99));
        ctx.line("     autograd %s", HumanFormat.tensor(x.grad(), 99));
        ctx.line("  dW = Xᵀ·dY  (3×2)(2×2) → 3×2, the shape of W");
        ctx.line("     formula  %s", HumanFormat.tensor(dw, 99));
        ctx.line("     autograd %s", HumanFormat.tensor(w.grad(), 99));
        ctx.blank();
        ctx.check("dX = dY·Wᵀ vs autograd", dx, x.grad(), 1e-12);
        ctx.check("dW = Xᵀ·dY vs autograd", dw, w.grad(), 1e-12);
        ctx.writeGraph("matmul", g, ex.example().title());
    }
}
