package io.chainrule.nn;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.Arrays;

/**
 * Weight initialisers, as {@code torch.nn.init}: each fills a tensor in place (without recording, so parameters
 * that require grad can be filled) and returns it. The {@link Generator} argument is optional and last; without it
 * the default generator is used (so {@link Tensor#manualSeed(long)} makes initialisation reproducible).
 *
 * <pre>{@code Init.kaimingUniform(Tensor.zeros(128, 784), new Generator(0));}</pre>
 *
 * <p>Fans follow PyTorch's {@code _calculate_fan_in_and_fan_out}: for a tensor of shape
 * {@code [out, in, k1, k2, ...]}, fan_in = in·k1·k2·… and fan_out = out·k1·k2·… (a Linear weight {@code [out, in]}
 * has fan_in = in). Random values are drawn in double precision and rounded to the tensor's type.
 */
public final class Init {
    private Init() {}

    /** fan_in and fan_out of a weight tensor. */
    public record Fans(int fanIn, int fanOut) {}

    /** Fans of a tensor with at least 2 dimensions (dim 1 = inputs, dim 0 = outputs, the rest the receptive field). */
    public static Fans fans(Tensor t) {
        int[] s = t.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out cannot be computed for a tensor with fewer than "
                    + "2 dimensions (shape " + Arrays.toString(s) + ")");
        }
        long receptive = 1;
        for (int i = 2; i < s.length; i++) receptive *= s[i];
        return new Fans((int) Math.min(Integer.MAX_VALUE, s[1] * receptive), (int) Math.min(Integer.MAX_VALUE, s[0] * receptive));
    }

    // ----------------------------------------------------------------------------------------------- plain fills

    /** U(a, b) with the default generator. */
    public static Tensor uniform(Tensor t, double a, double b) {
        return uniform(t, a, b, null);
    }

    /** Fills {@code t} with samples of U(a, b). */
    public static Tensor uniform(Tensor t, double a, double b, Generator generator) {
        requireFloat("uniform", t);
        if (!(a <= b) || Double.isInfinite(a) || Double.isInfinite(b)) {
            throw new IllegalArgumentException("Init.uniform: need finite a <= b, got a=" + a + " b=" + b);
        }
        if (t.numel() == 0) return t;
        Generator g = orDefault(generator);
        double[] v = new double[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = a + (b - a) * g.nextDouble();
        return write(t, v);
    }

    /** N(mean, std²) with the default generator. */
    public static Tensor normal(Tensor t, double mean, double std) {
        return normal(t, mean, std, null);
    }

    /** Fills {@code t} with samples of N(mean, std²). */
    public static Tensor normal(Tensor t, double mean, double std, Generator generator) {
        requireFloat("normal", t);
        if (!(std >= 0) || Double.isInfinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("Init.normal: need a finite mean and std >= 0, got mean=" + mean + " std=" + std);
        }
        if (t.numel() == 0) return t;
        double[] v = new double[t.numel()];
        orDefault(generator).fillNormal(v);
        for (int i = 0; i < v.length; i++) v[i] = mean + std * v[i];
        return write(t, v);
    }

    /** Fills {@code t} with 0. */
    public static Tensor zeros(Tensor t) {
        try (var g = Autograd.noGrad()) {
            return t.fill(0.0);
        }
    }

    /** Fills {@code t} with 1. */
    public static Tensor ones(Tensor t) {
        try (var g = Autograd.noGrad()) {
            return t.fill(1.0);
        }
    }

    // ------------------------------------------------------------------------------------------- He (Kaiming)

    /** He uniform with PyTorch's defaults (a = 0, fan_in, leaky_relu: gain √2): U(−b, b), b = √2·√(3 / fan_in). */
    public static Tensor kaimingUniform(Tensor t) {
        return kaimingUniform(t, 0.0, null);
    }

    public static Tensor kaimingUniform(Tensor t, Generator generator) {
        return kaimingUniform(t, 0.0, generator);
    }

    /** He uniform for a leaky-ReLU of negative slope {@code a}: gain √(2 / (1 + a²)). */
    public static Tensor kaimingUniform(Tensor t, double a) {
        return kaimingUniform(t, a, null);
    }

    /**
     * He uniform: U(−b, b) with b = gain·√(3 / fan_in), gain = √(2 / (1 + a²)). {@code a = √5} gives PyTorch's
     * Linear and Conv default, b = 1/√fan_in.
     */
    public static Tensor kaimingUniform(Tensor t, double a, Generator generator) {
        requireFloat("kaimingUniform", t);
        if (t.numel() == 0) return t;
        double bound = leakyReluGain(a) * Math.sqrt(3.0 / fans(t).fanIn());
        return uniform(t, -bound, bound, generator);
    }

    /** He normal with PyTorch's defaults: N(0, std²), std = √2 / √fan_in. */
    public static Tensor kaimingNormal(Tensor t) {
        return kaimingNormal(t, 0.0, null);
    }

    public static Tensor kaimingNormal(Tensor t, Generator generator) {
        return kaimingNormal(t, 0.0, generator);
    }

    public static Tensor kaimingNormal(Tensor t, double a) {
        return kaimingNormal(t, a, null);
    }

    /** He normal: N(0, std²) with std = gain / √fan_in, gain = √(2 / (1 + a²)). */
    public static Tensor kaimingNormal(Tensor t, double a, Generator generator) {
        requireFloat("kaimingNormal", t);
        if (t.numel() == 0) return t;
        double std = leakyReluGain(a) / Math.sqrt(fans(t).fanIn());
        return normal(t, 0.0, std, generator);
    }

    private static double leakyReluGain(double a) {
        return Math.sqrt(2.0 / (1.0 + a * a));
    }

    // ------------------------------------------------------------------------------------------ Glorot (Xavier)

    /** Glorot uniform with gain 1: U(−b, b), b = √(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1.0, null);
    }

    public static Tensor xavierUniform(Tensor t, Generator generator) {
        return xavierUniform(t, 1.0, generator);
    }

    /** Glorot uniform: U(−b, b), b = gain·√(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Generator generator) {
        requireFloat("xavierUniform", t);
        if (t.numel() == 0) return t;
        Fans f = fans(t);
        double bound = gain * Math.sqrt(6.0 / ((double) f.fanIn() + f.fanOut()));
        return uniform(t, -bound, bound, generator);
    }

    /** Glorot normal with gain 1: N(0, std²), std = √(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1.0, null);
    }

    public static Tensor xavierNormal(Tensor t, Generator generator) {
        return xavierNormal(t, 1.0, generator);
    }

    /** Glorot normal: N(0, std²), std = gain·√(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain, Generator generator) {
        requireFloat("xavierNormal", t);
        if (t.numel() == 0) return t;
        Fans f = fans(t);
        double std = gain * Math.sqrt(2.0 / ((double) f.fanIn() + f.fanOut()));
        return normal(t, 0.0, std, generator);
    }

    // --------------------------------------------------------------------------------------------------- helpers

    /**
     * The given generator, or one seeded from the default generator's stream: one draw from it, so
     * {@link Tensor#manualSeed(long)} fixes what follows without this class reaching into the default's state.
     */
    private static Generator orDefault(Generator generator) {
        if (generator != null) return generator;
        return new Generator(Tensor.randint(0, Long.MAX_VALUE, 1).toLongArray()[0]);
    }

    private static Tensor write(Tensor t, double[] values) {
        try (var g = Autograd.noGrad()) {
            return t.copyFrom(Tensor.of(values).reshape(t.shape()));
        }
    }

    private static void requireFloat(String op, Tensor t) {
        if (t == null) throw new IllegalArgumentException("Init." + op + ": tensor must not be null");
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Init." + op + ": needs a floating-point tensor, got " + t.dtype() + " "
                    + Arrays.toString(t.shape()));
        }
    }
}
