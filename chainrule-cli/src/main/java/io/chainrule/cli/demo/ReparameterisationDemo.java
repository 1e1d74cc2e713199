package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.distributions.Normal;

/**
 * Tutorial 002's reparameterisation: a sample z ~ N(μ, σ²) has no derivative in μ and σ, but written as
 * z = μ + σ·ε with ε ~ N(0, 1) drawn independently, it does (∂z/∂μ = 1, ∂z/∂σ = ε). {@code rsample()} is built that
 * way and passes gradients to μ and σ; {@code sample()} is detached and passes none. The Monte Carlo check: for
 * f(z) = z², E[z²] = μ² + σ², so ∇μ = 2μ and ∇σ = 2σ; the mean of the per-sample gradients must land within four
 * standard errors of them.
 */
public final class ReparameterisationDemo implements Demo {
    static final double MU = 0.5, SIGMA = 1.5;
    static final int N = 100_000;

    /** A Monte Carlo estimate with its standard error, against the exact value. */
    public record Estimate(String what, double estimate, double standardError, double exact) {
        /** How many standard errors the estimate is from the exact value. */
        public double zScore() {
            return Math.abs(estimate - exact) / standardError;
        }
    }

    @Override
    public String name() {
        return "reparameterisation";
    }

    @Override
    public String summary() {
        return "rsample vs sample: the gradient reaches μ and σ only through z = μ + σ·ε, Monte Carlo check (tutorial 002)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Reparameterisation (tutorial 002): z ~ N(μ, σ²), μ = %s, σ = %s, f(z) = z², E[f] = μ² + σ²; float64",
                MU, SIGMA);
        Tensor mu = Tensor.scalar(MU).to(DType.FLOAT64).requiresGrad(true);
        Tensor sigma = Tensor.scalar(SIGMA).to(DType.FLOAT64).requiresGrad(true);
        Tensor ones = Tensor.ones(DType.FLOAT64, N);
        Normal q = new Normal(mu.mul(ones), sigma.mul(ones));

        Tensor drawn = q.sample(new Generator(3));
        ctx.blank();
        ctx.line("  sample():  z = %s, …   requires grad: %s  (no path back to μ, σ)", first(drawn), drawn.requiresGrad());
        ctx.checkThat("sample() carries no gradient", !drawn.requiresGrad(), "requiresGrad = " + drawn.requiresGrad());

        Tensor z = q.rsample(new Generator(3));
        Tensor loss = z.square().mean();
        loss.backward();
        double[] zs = z.detach().toDoubleArray();
        double[] dMu = new double[N];
        double[] dSigma = new double[N];
        for (int i = 0; i < N; i++) {
            double eps = (zs[i] - MU) / SIGMA;
            dMu[i] = 2 * zs[i];          // ∂z²/∂μ = 2z·∂z/∂μ = 2z
            dSigma[i] = 2 * zs[i] * eps; // ∂z²/∂σ = 2z·∂z/∂σ = 2z·ε
        }
        ctx.line("  rsample(): z = μ + σ·ε = %s, …   requires grad: %s", first(z), z.requiresGrad());
        ctx.line("    per sample ∂z²/∂μ = 2z, ∂z²/∂σ = 2z·ε;  autograd's μ.grad and σ.grad are their means over %d samples", N);
        double meanMu = mean(dMu), meanSigma = mean(dSigma);
        ctx.line("    μ.grad = %s  (mean of 2z %s)     σ.grad = %s  (mean of 2z·ε %s)", HumanFormat.fixed(mu.grad().item(), 6),
                HumanFormat.fixed(meanMu, 6), HumanFormat.fixed(sigma.grad().item(), 6), HumanFormat.fixed(meanSigma, 6));
        ctx.check("μ.grad = mean of 2z", Math.abs(mu.grad().item() - meanMu), 1e-9);
        ctx.check("σ.grad = mean of 2z·ε", Math.abs(sigma.grad().item() - meanSigma), 1e-9);
        Estimate[] es = {
                new Estimate("∇μ E[z²] = 2μ", meanMu, stdErr(dMu), 2 * MU),
                new Estimate("∇σ E[z²] = 2σ", meanSigma, stdErr(dSigma), 2 * SIGMA)};
        ctx.blank();
        ctx.line("  Monte Carlo check               estimate   std error      exact   |diff|/se");
        for (Estimate e : es) {
            ctx.line("    %-26s %10s %11s %10s %10s", e.what(), HumanFormat.fixed(e.estimate(), 5), HumanFormat.fixed(e.standardError(), 5),
                    HumanFormat.fixed(e.exact(), 5), HumanFormat.fixed(e.zScore(), 2));
        }
        for (Estimate e : es) checkEstimate(ctx, e);
    }

    /** The check: the estimate lies within four standard errors of the exact value. */
    public static boolean checkEstimate(DemoContext ctx, Estimate e) {
        return ctx.checkThat(e.what() + " within 4 standard errors", e.zScore() <= 4,
                HumanFormat.fixed(e.zScore(), 2) + " se");
    }

    private static String first(Tensor t) {
        double[] v = t.detach().narrow(0, 0, 3).toDoubleArray();
        return HumanFormat.num(v[0]) + ", " + HumanFormat.num(v[1]) + ", " + HumanFormat.num(v[2]);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static double stdErr(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1)) / Math.sqrt(v.length);
    }
}
