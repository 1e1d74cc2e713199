package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.Examples;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;

/**
 * Tutorial 003: one sigmoid neuron O = σ(x·wᵀ) with loss E = mse(t = 1, O). The tutorial derives
 * ∂E/∂w_j = (O − t)·O(1 − O)·x_j for E = ½(O − t)²; PyTorch's mse_loss has no ½, so its gradient is twice that.
 * We check the closed form against autograd, autograd against the gradient PyTorch printed, then take one step.
 */
public final class PerceptronDemo implements Demo {
    /** w.grad as PyTorch printed it in the tutorial (4 decimals). */
    public static final double[] PYTORCH_GRAD = {-0.1179, 0.2248, 0.1977, 0.0923, 0.0435, 0.2364, -0.3898, -0.0472,
            0.2632, 0.1003};
    static final double PYTORCH_O = 0.5831;
    static final double PYTORCH_LOSS = 0.1738;
    static final double LR = 0.001;

    @Override
    public String name() {
        return "perceptron";
    }

    @Override
    public String summary() {
        return "one sigmoid neuron, MSE: closed-form gradient vs autograd vs PyTorch, one update (tutorial 003)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Single-layer perceptron (tutorial 003): O = σ(x·wᵀ), E = mse(t, O) = (t − O)², t = 1");
        ctx.line("x and w are the tutorial's torch.randn(1, 10) values; float32 like PyTorch.");
        Trace tr = new Trace();
        Examples.Example ex = Examples.perceptron(tr, false);
        Tensor loss = ex.root();
        GraphModel g = tr.backward(loss);
        Tensor o = g.find("O = σ(z)").value();
        Tensor w = g.find("w").value();
        double oV = o.item();
        double eV = loss.item();
        double t = 1.0;
        ctx.blank();
        ctx.line("  forward   O = σ(x·wᵀ) = %s   (PyTorch %s)", HumanFormat.fixed(oV, 6), HumanFormat.fixed(PYTORCH_O, 4));
        ctx.line("            E = (t − O)² = %s   (PyTorch %s)", HumanFormat.fixed(eV, 6), HumanFormat.fixed(PYTORCH_LOSS, 4));
        ctx.blank();
        double factor = (oV - t) * oV * (1 - oV);
        ctx.line("  closed form (tutorial, E = ½(O − t)²):  ∂E/∂w_j = (O − t)·O(1 − O)·x_j,  (O − t)·O(1 − O) = %s",
                HumanFormat.fixed(factor, 6));
        ctx.line("  PyTorch's mse_loss has no ½:          ∂E/∂w_j = 2·(O − t)·O(1 − O)·x_j");
        ctx.blank();
        ctx.line("   j       x_j       w_j   (O−t)O(1−O)x_j   2·(O−t)O(1−O)x_j    autograd   PyTorch");
        double[] x = Examples.PERCEPTRON_X;
        double[] auto = w.grad().to(DType.FLOAT64).toDoubleArray();
        double[] closed = new double[x.length];
        double[] xf = Tensor.of(floats(x)).to(DType.FLOAT64).toDoubleArray(); // x as float32 holds it
        for (int j = 0; j < x.length; j++) {
            closed[j] = 2 * factor * xf[j];
            ctx.line("  %2d  %8.4f  %8.4f  %15.6f  %17.6f  %10.6f  %8.4f", j, x[j], Examples.PERCEPTRON_W[j],
                    factor * xf[j], closed[j], auto[j], PYTORCH_GRAD[j]);
        }
        ctx.blank();
        ctx.check("closed form = autograd", maxDiff(closed, auto), 1e-6);
        ctx.check("autograd = PyTorch's w.grad (printed to 4 dp)", maxDiff(auto, PYTORCH_GRAD), 1e-4);
        ctx.check("O = PyTorch's 0.5831", Math.abs(oV - PYTORCH_O), 1e-4);
        ctx.check("E = PyTorch's 0.1738", Math.abs(eV - PYTORCH_LOSS), 1e-4);

        // One gradient-descent step, w' = w − η∇w, outside the graph.
        Tensor wNew;
        try (var ng = Autograd.noGrad()) {
            wNew = w.detach().sub(w.grad().mul(LR));
        }
        double after = lossAt(wNew);
        double predicted = -LR * sq(auto);
        ctx.blank();
        ctx.line("  update   w' = w − η·∇w, η = %s", LR);
        ctx.line("           w'[0..3] = %s, %s, %s, %s", HumanFormat.fixed(wNew.get(0, 0), 6), HumanFormat.fixed(wNew.get(0, 1), 6),
                HumanFormat.fixed(wNew.get(0, 2), 6), HumanFormat.fixed(wNew.get(0, 3), 6));
        ctx.line("           E: %s → %s   (change %s; first-order prediction −η‖∇w‖² = %s)", HumanFormat.fixed(eV, 6),
                HumanFormat.fixed(after, 6), HumanFormat.sci(after - eV), HumanFormat.sci(predicted));
        ctx.check("loss change = −η‖∇w‖² (first order)", Math.abs((after - eV) - predicted), 1e-6);
        ctx.writeGraph("perceptron", g, ex.title());
    }

    private static double lossAt(Tensor w) {
        try (var ng = Autograd.noGrad()) {
            Tensor x = Tensor.of(floats(Examples.PERCEPTRON_X), 1, 10);
            Tensor o = x.matmul(w.t()).sigmoid();
            return Tensor.ones(1, 1).sub(o).square().mean().item();
        }
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static double sq(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return s;
    }
}
