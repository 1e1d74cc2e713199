package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;
import io.chainrule.data.Batch;
import io.chainrule.data.Standardizer;
import io.chainrule.data.Transforms;

/**
 * Tutorial 002's first step, preprocessing: normalising (x − m)/s with fixed m, s; standardising each feature to
 * mean 0 and standard deviation 1 with statistics fitted on the data; augmenting (mirror images, shifts); and
 * noise for robustness. Each transform's output is checked against the formula it claims, element by element, and
 * the noise against its standard deviation.
 */
public final class PreprocessingDemo implements Demo {
    static final double NOISE_STD = 0.1;
    static final int NOISE_N = 40_000;

    @Override
    public String name() {
        return "preprocessing";
    }

    @Override
    public String summary() {
        return "normalise, standardise, augment (flip, shift) and noise: each output against its formula (tutorial 002)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.line("Preprocessing (tutorial 002); float64");
        Tensor img = Tensor.of(new double[] {0, 0.25, 0.5, 0.75, 1, 0.5, 0.25, 0, 1}, 1, 1, 3, 3);
        Tensor y = Tensor.of(new long[] {0}, 1);

        ctx.blank();
        ctx.line("  normalise x' = (x − 0.5)/0.25 on a 3×3 image with pixels in [0, 1]");
        Tensor norm = Transforms.normalize(0.5, 0.25).apply(new Batch(img, y)).x();
        ctx.line("    x  = %s", HumanFormat.tensor(img.reshape(3, 3), 9));
        ctx.line("    x' = %s", HumanFormat.tensor(norm.reshape(3, 3), 9));
        ctx.check("normalise = (x − 0.5)/0.25", norm, img.sub(0.5).div(0.25), 1e-12);

        ctx.blank();
        Tensor feats = Tensor.of(new double[][] {{180, 0.2}, {160, 0.5}, {170, 0.3}, {190, 0.9}, {150, 0.1}});
        Standardizer st = Standardizer.fit(feats);
        Tensor z = st.apply(feats);
        ctx.line("  standardise each column: x' = (x − mean)/std, fitted on the data (height in cm, a rate)");
        ctx.line("    mean = %s, std = %s (population)", HumanFormat.tensor(st.mean(), 9), HumanFormat.tensor(st.std(), 9));
        ctx.line("    x' = %s", HumanFormat.tensor(z, 10));
        Tensor colMean = z.mean(0, false);
        Tensor colStd = z.square().mean(0, false).sqrt();
        ctx.line("    column means %s, column stds %s", HumanFormat.tensor(colMean, 9), HumanFormat.tensor(colStd, 9));
        ctx.check("standardised columns have mean 0", colMean, Tensor.zeros(DType.FLOAT64, 2), 1e-12);
        ctx.check("standardised columns have std 1", colStd, Tensor.ones(DType.FLOAT64, 2), 1e-12);

        ctx.blank();
        ctx.line("  augment: mirror (flip with p = 1) and shift by up to 1 pixel (zeros fill the border)");
        Tensor flipped = Transforms.randomHorizontalFlip(1.0, new Generator(1)).apply(new Batch(img, y)).x();
        ctx.line("    flip  %s", HumanFormat.tensor(flipped.reshape(3, 3), 9));
        ctx.check("flip: x'[r][c] = x[r][2 − c]", flipped, mirror(img), 0);
        Tensor shifted = Transforms.randomShift(1, new Generator(5)).apply(new Batch(img, y)).x();
        int[] offset = findShift(img, shifted, 1);
        ctx.line("    shift %s", HumanFormat.tensor(shifted.reshape(3, 3), 9));
        ctx.checkThat("shift: x' = x moved by (dy, dx) in [−1, 1]², zero border", offset != null,
                offset == null ? "no offset reproduces it" : "(dy, dx) = (" + offset[0] + ", " + offset[1] + ")");

        ctx.blank();
        Tensor zeros = Tensor.zeros(DType.FLOAT64, NOISE_N, 1, 1, 1);
        Tensor noisy = Transforms.gaussianNoise(NOISE_STD, new Generator(9)).apply(new Batch(zeros,
                Tensor.zeros(DType.INT64, NOISE_N))).x();
        double[] n = noisy.toDoubleArray();
        double mean = 0, sq = 0;
        for (double v : n) mean += v;
        mean /= n.length;
        for (double v : n) sq += (v - mean) * (v - mean);
        double std = Math.sqrt(sq / (n.length - 1));
        ctx.line("  noise: x' = x + ε, ε ~ N(0, %s²), on %d values: mean %s, std %s", NOISE_STD, NOISE_N,
                HumanFormat.num(mean), HumanFormat.fixed(std, 5));
        checkNoise(ctx, mean, std, NOISE_STD, n.length);
    }

    /**
     * The noise checks: the sample mean within 4 standard errors (σ/√n) of 0, the sample standard deviation within
     * 4 of its standard errors (≈ σ/√(2n)) of σ.
     */
    public static void checkNoise(DemoContext ctx, double mean, double std, double sigma, int n) {
        double seMean = sigma / Math.sqrt(n);
        double seStd = sigma / Math.sqrt(2.0 * n);
        ctx.checkThat("noise mean 0 (within 4 standard errors)", Math.abs(mean) <= 4 * seMean,
                "|" + HumanFormat.num(mean) + "| ≤ " + HumanFormat.num(4 * seMean));
        ctx.checkThat("noise std " + sigma + " (within 4 standard errors)", Math.abs(std - sigma) <= 4 * seStd,
                "|" + HumanFormat.fixed(std, 5) + " − " + sigma + "| ≤ " + HumanFormat.num(4 * seStd));
    }

    private static Tensor mirror(Tensor img) {
        double[] v = img.toDoubleArray();
        double[] m = new double[9];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) m[r * 3 + c] = v[r * 3 + 2 - c];
        return Tensor.of(m, 1, 1, 3, 3);
    }

    /** The offset (dy, dx) that turns {@code img} into {@code out} with a zero border, or null. */
    private static int[] findShift(Tensor img, Tensor out, int max) {
        double[] in = img.toDoubleArray();
        double[] o = out.toDoubleArray();
        for (int dy = -max; dy <= max; dy++) {
            for (int dx = -max; dx <= max; dx++) {
                boolean same = true;
                for (int r = 0; r < 3 && same; r++) {
                    for (int c = 0; c < 3 && same; c++) {
                        int sr = r - dy, sc = c - dx;
                        double want = sr >= 0 && sr < 3 && sc >= 0 && sc < 3 ? in[sr * 3 + sc] : 0;
                        same = o[r * 3 + c] == want;
                    }
                }
                if (same) return new int[] {dy, dx};
            }
        }
        return null;
    }
}
