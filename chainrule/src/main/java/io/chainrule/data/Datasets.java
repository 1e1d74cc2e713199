package io.chainrule.data;

import io.chainrule.Generator;
import io.chainrule.Tensor;

/**
 * Small synthetic classification sets in the plane for demos and tests, each a {@link TensorDataset} with x FLOAT32
 * {@code [n, 2]} and y INT64 {@code [n]}. Examples come grouped by class (shuffle with the {@link DataLoader}); the
 * same generator state gives the same set, bit for bit.
 *
 * <pre>{@code TensorDataset ds = Datasets.spiral(100, 3, 0.2, new Generator(0));   // 300 points, 3 arms}</pre>
 */
public final class Datasets {
    private Datasets() {}

    /**
     * The spiral of Stanford's CS231n notes: for class k, {@code perClass} points with radius
     * {@code r = linspace(0, 1)} and angle {@code t = linspace(4k, 4(k+1)) + noise·N(0, 1)}, at
     * {@code (r sin t, r cos t)}. Noise 0.2 is the notes' value.
     */
    public static TensorDataset spiral(int perClass, int classes, double noise, Generator gen) {
        check("spiral", perClass >= 1, "perClass must be at least 1, got " + perClass);
        check("spiral", classes >= 1, "classes must be at least 1, got " + classes);
        check("spiral", (long) perClass * classes <= Idx.MAX_ELEMENTS / 2, "perClass × classes is too large: "
                + perClass + " × " + classes);
        checkNoise("spiral", noise, gen);
        int n = perClass * classes;
        float[] x = new float[2 * n];
        long[] y = new long[n];
        double[] z = new double[perClass];
        for (int k = 0; k < classes; k++) {
            gen.fillNormal(z);
            for (int i = 0; i < perClass; i++) {
                double r = linspace(0, 1, perClass, i);
                double t = linspace(4.0 * k, 4.0 * (k + 1), perClass, i) + noise * z[i];
                int row = k * perClass + i;
                x[2 * row] = (float) (r * StrictMath.sin(t));
                x[2 * row + 1] = (float) (r * StrictMath.cos(t));
                y[row] = k;
            }
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y));
    }

    /**
     * Two interleaving half circles, scikit-learn's {@code make_moons}: {@code n / 2} points on the upper
     * circle {@code (cos θ, sin θ)} (label 0), the rest on the lower one {@code (1 − cos θ, 0.5 − sin θ)} (label 1),
     * θ evenly spaced in [0, π], plus Gaussian noise of standard deviation {@code noise} on both coordinates.
     * Unlike make_moons' default the points are not shuffled.
     */
    public static TensorDataset moons(int n, double noise, Generator gen) {
        check("moons", n >= 1 && n <= Idx.MAX_ELEMENTS / 2, "n must be in 1.." + Idx.MAX_ELEMENTS / 2 + ", got " + n);
        checkNoise("moons", noise, gen);
        int outer = n / 2;
        int inner = n - outer;
        double[] pts = new double[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < outer; i++) {
            double theta = linspace(0, Math.PI, outer, i);
            pts[2 * i] = StrictMath.cos(theta);
            pts[2 * i + 1] = StrictMath.sin(theta);
        }
        for (int i = 0; i < inner; i++) {
            double theta = linspace(0, Math.PI, inner, i);
            int row = outer + i;
            pts[2 * row] = 1 - StrictMath.cos(theta);
            pts[2 * row + 1] = 1 - StrictMath.sin(theta) - 0.5;
            y[row] = 1;
        }
        return new TensorDataset(Tensor.of(withNoise(pts, noise, gen), n, 2), Tensor.of(y));
    }

    /**
     * The XOR problem: points uniform in [-1, 1]², label 1 where the coordinates' signs differ
     * ({@code x0·x1 < 0}) and 0 where they agree, then Gaussian noise of standard deviation {@code noise} added to
     * the points (the labels stay those of the clean points).
     */
    public static TensorDataset xor(int n, double noise, Generator gen) {
        check("xor", n >= 1 && n <= Idx.MAX_ELEMENTS / 2, "n must be in 1.." + Idx.MAX_ELEMENTS / 2 + ", got " + n);
        checkNoise("xor", noise, gen);
        double[] pts = new double[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * gen.nextDouble() - 1;
            double b = 2 * gen.nextDouble() - 1;
            pts[2 * i] = a;
            pts[2 * i + 1] = b;
            y[i] = a * b < 0 ? 1 : 0;
        }
        return new TensorDataset(Tensor.of(withNoise(pts, noise, gen), n, 2), Tensor.of(y));
    }

    /** numpy's {@code linspace(a, b, count)[i]}: the ends exact, a lone point at {@code a}. */
    private static double linspace(double a, double b, int count, int i) {
        if (count == 1) return a;
        if (i == count - 1) return b;
        return a + i * ((b - a) / (count - 1));
    }

    private static float[] withNoise(double[] pts, double noise, Generator gen) {
        double[] z = new double[pts.length];
        if (noise > 0) gen.fillNormal(z);
        float[] out = new float[pts.length];
        for (int i = 0; i < pts.length; i++) out[i] = (float) (pts[i] + noise * z[i]);
        return out;
    }

    private static void checkNoise(String op, double noise, Generator gen) {
        check(op, noise >= 0 && Double.isFinite(noise), "noise must be a finite value >= 0, got " + noise);
        check(op, gen != null, "the generator must not be null");
    }

    private static void check(String op, boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("Datasets." + op + ": " + message);
    }
}
