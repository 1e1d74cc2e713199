package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Batch transforms for {@link DataLoader#transform}: each maps a {@link Batch} to a new one with a transformed
 * {@code x} and the same {@code y}, leaving the input batch untouched. Random transforms draw from the generator
 * they were made with, one decision per example, so a seeded loader with seeded transforms replays exactly.
 *
 * <pre>{@code
 * var gen = new Generator(1);
 * loader.transform(b -> Transforms.normalize(0.2860, 0.3530).apply(Transforms.randomHorizontalFlip(0.5, gen).apply(b)));
 * }</pre>
 *
 * <p>Image transforms expect FLOAT32 or FLOAT64 inputs of shape {@code [N, C, H, W]}; a bad shape or type fails
 * with an {@link IllegalArgumentException} naming the transform and the shape.
 */
public final class Transforms {
    private Transforms() {}

    /** {@code (x − mean) / std} on every element. */
    public static UnaryOperator<Batch> normalize(double mean, double std) {
        String op = "Transforms.normalize";
        if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException(op + ": mean must be finite and std finite and positive, got mean="
                    + mean + " std=" + std);
        }
        return b -> {
            Tensor x = floatInput(op, b);
            return new Batch(x.sub(mean).div(std), b.y());
        };
    }

    /**
     * Per channel, {@code (x[:, c] − mean[c]) / std[c]}, the channel being dimension 1 (of {@code [N, C, H, W]},
     * {@code [N, C]}, {@code [N, C, L]}, ...), as torchvision's Normalize.
     */
    public static UnaryOperator<Batch> normalize(double[] mean, double[] std) {
        String op = "Transforms.normalize";
        if (mean == null || std == null || mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException(op + ": mean and std need one value per channel, got "
                    + (mean == null ? "null" : mean.length + " means") + " and "
                    + (std == null ? "null" : std.length + " stds"));
        }
        for (int c = 0; c < mean.length; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException(op + ": channel " + c + " needs a finite mean and a finite positive "
                        + "std, got mean=" + mean[c] + " std=" + std[c]);
            }
        }
        double[] m = mean.clone();
        double[] s = std.clone();
        return b -> {
            Tensor x = floatInput(op, b);
            if (x.dim() < 2 || x.size(1) != m.length) {
                throw new IllegalArgumentException(op + ": " + m.length + " channel values need an input with "
                        + m.length + " channels along dimension 1, got shape " + Arrays.toString(x.shape()));
            }
            int[] shape = new int[x.dim()];
            Arrays.fill(shape, 1);
            shape[1] = m.length;
            Tensor mt = Tensor.of(m, shape).to(x.dtype());
            Tensor st = Tensor.of(s, shape).to(x.dtype());
            return new Batch(x.sub(mt).div(st), b.y());
        };
    }

    /** Adds independent Gaussian noise of standard deviation {@code std} to every element. */
    public static UnaryOperator<Batch> gaussianNoise(double std, Generator gen) {
        String op = "Transforms.gaussianNoise";
        if (!(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException(op + ": std must be finite and >= 0, got " + std);
        }
        requireGenerator(op, gen);
        return b -> {
            Tensor x = floatInput(op, b);
            double[] z = new double[x.numel()];
            gen.fillNormal(z);
            for (int i = 0; i < z.length; i++) z[i] *= std;
            return new Batch(x.add(Tensor.of(z, x.shape()).to(x.dtype())), b.y());
        };
    }

    /**
     * Moves each image by its own random integer offsets {@code dy, dx} in {@code [−maxPixels, maxPixels]}
     * (content moves down and right for positive offsets), filling the uncovered border with zeros. Per example
     * the generator draws dy, then dx. Input {@code [N, C, H, W]}; every channel of an image moves together.
     */
    public static UnaryOperator<Batch> randomShift(int maxPixels, Generator gen) {
        String op = "Transforms.randomShift";
        if (maxPixels < 0) throw new IllegalArgumentException(op + ": maxPixels must be >= 0, got " + maxPixels);
        requireGenerator(op, gen);
        return b -> {
            Tensor x = imageInput(op, b);
            int[] s = x.shape();
            int n = s[0], c = s[1], h = s[2], w = s[3];
            int span = 2 * maxPixels + 1;
            Object src = rawCopy(x);
            Object dst = x.dtype() == DType.FLOAT32 ? new float[x.numel()] : new double[x.numel()];
            for (int e = 0; e < n; e++) {
                int dy = gen.nextInt(span) - maxPixels;
                int dx = gen.nextInt(span) - maxPixels;
                int len = w - Math.abs(dx);
                if (len <= 0) continue; // shifted out entirely: all zeros
                for (int ch = 0; ch < c; ch++) {
                    int plane = (e * c + ch) * h * w;
                    for (int row = Math.max(0, dy); row < Math.min(h, h + dy); row++) {
                        // out[row][col] = in[row - dy][col - dx], for the columns where col - dx is inside
                        System.arraycopy(src, plane + (row - dy) * w + Math.max(0, -dx), dst,
                                plane + row * w + Math.max(0, dx), len);
                    }
                }
            }
            return new Batch(wrap(dst, s), b.y());
        };
    }

    /**
     * Mirrors each example left to right (reverses the last dimension) with probability {@code p}, one draw per
     * example. Input at least 2-D with the batch along dimension 0, usually {@code [N, C, H, W]}.
     */
    public static UnaryOperator<Batch> randomHorizontalFlip(double p, Generator gen) {
        String op = "Transforms.randomHorizontalFlip";
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(op + ": p must be in [0, 1], got " + p);
        requireGenerator(op, gen);
        return b -> {
            Tensor x = floatInput(op, b);
            if (x.dim() < 2) {
                throw new IllegalArgumentException(op + ": expects a batch of at least 2 dimensions ([N, C, H, W]), got "
                        + "shape " + Arrays.toString(x.shape()));
            }
            int[] s = x.shape();
            int n = s[0];
            int w = s[s.length - 1];
            int perExample = n == 0 ? 0 : x.numel() / n;
            Object data = rawCopy(x);
            for (int e = 0; e < n; e++) {
                if (!(gen.nextDouble() < p)) continue;
                for (int row = e * perExample; row < (e + 1) * perExample; row += w) reverse(data, row, w);
            }
            return new Batch(wrap(data, s), b.y());
        };
    }

    private static void reverse(Object data, int from, int len) {
        if (data instanceof float[] f) {
            for (int i = from, j = from + len - 1; i < j; i++, j--) {
                float t = f[i];
                f[i] = f[j];
                f[j] = t;
            }
        } else {
            double[] d = (double[]) data;
            for (int i = from, j = from + len - 1; i < j; i++, j--) {
                double t = d[i];
                d[i] = d[j];
                d[j] = t;
            }
        }
    }

    /** A row-major copy of a float tensor's values: float[] for FLOAT32, double[] for FLOAT64. */
    private static Object rawCopy(Tensor x) {
        return x.dtype() == DType.FLOAT32 ? x.toFloatArray() : x.toDoubleArray();
    }

    private static Tensor wrap(Object data, int[] shape) {
        return data instanceof float[] f ? Tensor.of(f, shape) : Tensor.of((double[]) data, shape);
    }

    private static Tensor floatInput(String op, Batch b) {
        if (b == null || b.x() == null) throw new IllegalArgumentException(op + ": the batch has no input x");
        Tensor x = b.x();
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expects a FLOAT32 or FLOAT64 input, got " + x.dtype()
                    + " of shape " + Arrays.toString(x.shape()));
        }
        return x;
    }

    private static Tensor imageInput(String op, Batch b) {
        Tensor x = floatInput(op, b);
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": expects images of shape [N, C, H, W], got shape "
                    + Arrays.toString(x.shape()));
        }
        return x;
    }

    private static void requireGenerator(String op, Generator gen) {
        if (gen == null) throw new IllegalArgumentException(op + ": the generator must not be null");
    }
}
