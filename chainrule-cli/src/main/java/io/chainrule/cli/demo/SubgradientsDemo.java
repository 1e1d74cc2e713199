package io.chainrule.cli.demo;

import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;

import java.util.function.Function;

/**
 * Tutorial 002: where a function has a kink, backward uses a subgradient. For a convex f, g is a subgradient at x
 * when f(x + h) ≥ f(x) + g·h for every h; at a kink there are many, and the library picks PyTorch's: relu'(0) = 0,
 * |·|'(0) = 0, and a max over tied elements splits the gradient evenly among them (max along a dimension gives it
 * to the first). Each gradient is checked to be a subgradient (on probe steps h) and to equal PyTorch's choice.
 */
public final class SubgradientsDemo implements Demo {
    /** Probe steps: ± each unit vector and ± a few mixed directions, at two scales. */
    static final double[] SCALES = {1e-3, 0.5};

    @Override
    public String name() {
        return "subgradients";
    }

    @Override
    public String summary() {
        return "relu'(0), |x|'(0) and max with ties: the subgradient backward picks, checked (tutorial 002)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Subgradients (tutorial 002): at a kink backward returns one g with f(x + h) ≥ f(x) + g·h for all h;");
        ctx.line("the library takes PyTorch's choice. float64");
        section(ctx, "relu", "Σ relu(x)", new double[] {-1, 0, 2}, Tensor::relu, new double[] {0, 0, 1},
                "relu'(0): any value in [0, 1] is a subgradient; PyTorch takes 0");
        section(ctx, "abs", "Σ |x|", new double[] {-1.5, 0, 2}, Tensor::abs, new double[] {-1, 0, 1},
                "|x|'(0): any value in [−1, 1]; PyTorch takes sign(0) = 0");
        section(ctx, "max (tie)", "max(x)", new double[] {1, 3, 3}, Tensor::max, new double[] {0, 0.5, 0.5},
                "max with a tie: any split of 1 among the tied maxima; PyTorch splits it evenly");
        section(ctx, "maximum (tie)", "maximum(x1, x2)", new double[] {2, 2},
                t -> t.narrow(0, 0, 1).maximum(t.narrow(0, 1, 1)), new double[] {0.5, 0.5},
                "elementwise maximum of two equal inputs: PyTorch gives each half");
        section(ctx, "max along dim", "max(x, dim 0)", new double[] {1, 3, 3}, t -> t.max(0, false),
                new double[] {0, 1, 0}, "max along a dimension: the first tied index gets all of it (as PyTorch)");
    }

    private static void section(DemoContext ctx, String what, String formula, double[] x, Function<Tensor, Tensor> op,
                                double[] pytorch, String note) {
        Tensor t = Tensor.of(x.clone()).requiresGrad(true);
        op.apply(t).sum().backward();
        double[] g = t.grad().toDoubleArray();
        Function<double[], Double> f = v -> {
            try (var ng = io.chainrule.autograd.Autograd.noGrad()) {
                return op.apply(Tensor.of(v.clone())).sum().item();
            }
        };
        ctx.blank();
        ctx.line("  %s: f(x) = %s at x = %s", what, formula, HumanFormat.tensor(Tensor.of(x.clone()), 9));
        ctx.line("    %s", note);
        ctx.line("    autograd ∂f/∂x = %s     PyTorch %s", HumanFormat.tensor(t.grad(), 9), HumanFormat.tensor(Tensor.of(pytorch.clone()), 9));
        double gap = subgradientViolation(f, x, g);
        ctx.check(what + ": f(x + h) ≥ f(x) + g·h on probes", gap, 1e-12);
        ctx.check(what + ": g = PyTorch's choice", PerceptronDemo.maxDiff(g, pytorch), 0);
    }

    /**
     * How far g is from being a subgradient of f at x: the largest f(x) + g·h − f(x + h) over the probe steps
     * (0 when the inequality holds on all of them).
     */
    public static double subgradientViolation(Function<double[], Double> f, double[] x, double[] g) {
        double fx = f.apply(x);
        double worst = 0;
        int n = x.length;
        for (double s : SCALES) {
            for (int mask = 1; mask < (1 << (2 * n)) && n <= 5; mask++) {
                double[] h = new double[n];
                boolean valid = true;
                for (int i = 0; i < n; i++) {
                    int bits = (mask >> (2 * i)) & 3;
                    if (bits == 3) valid = false;
                    h[i] = bits == 1 ? s : bits == 2 ? -s : 0;
                }
                if (!valid) continue;
                double[] y = x.clone();
                double gh = 0;
                for (int i = 0; i < n; i++) {
                    y[i] += h[i];
                    gh += g[i] * h[i];
                }
                worst = Math.max(worst, fx + gh - f.apply(y));
            }
        }
        return worst;
    }
}
