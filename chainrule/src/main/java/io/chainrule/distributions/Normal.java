package io.chainrule.distributions;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.tensor.Shapes;

import java.util.Arrays;

/**
 * The normal (Gaussian) distribution N(mean, std²), elementwise over the broadcast shape of its parameters;
 * PyTorch's {@code torch.distributions.Normal}. {@link #rsample()} is reparameterised (mean + std·ε), so gradients
 * flow from samples back to mean and std — the trick behind variational autoencoders.
 *
 * <pre>{@code
 * Normal q = new Normal(mu, logStd.exp());
 * Tensor z = q.rsample();                                          // differentiable in mu and logStd
 * Tensor kl = Normal.klDivergence(q, new Normal(Tensor.zeros(2), Tensor.ones(2))).sum();
 * }</pre>
 */
public final class Normal {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private final Tensor mean;
    private final Tensor std;
    private final int[] shape;

    /**
     * @param mean the means, any floating-point shape
     * @param std  the standard deviations, broadcastable with {@code mean}; every value must be &gt; 0
     * @throws IllegalArgumentException for shapes that do not broadcast, non-float types or a std that is not positive
     */
    public Normal(Tensor mean, Tensor std) {
        if (mean == null || std == null) throw new IllegalArgumentException("Normal: mean and std must not be null");
        if (!mean.dtype().isFloatingPoint() || !std.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Normal: mean and std must be floating point, got " + mean.dtype() + " and "
                    + std.dtype());
        }
        this.shape = Shapes.broadcast("Normal", mean.shape(), std.shape());
        try (var g = Autograd.noGrad()) {
            if (std.numel() > 0 && std.gt(0.0).all().item() == 0) {
                throw new IllegalArgumentException("Normal: std must be positive, got " + describe(std));
            }
        }
        // Broadcast views (as torch.distributions' broadcast_all): gradients still flow to the originals.
        this.mean = Arrays.equals(mean.shape(), shape) ? mean : mean.expand(shape);
        this.std = Arrays.equals(std.shape(), shape) ? std : std.expand(shape);
    }

    /** A scalar distribution N(mean, std²) in float32. */
    public Normal(double mean, double std) {
        this(Tensor.scalar(mean), Tensor.scalar(std));
    }

    private static String describe(Tensor t) {
        return t.numel() <= 8 ? Arrays.toString(t.toDoubleArray()) + " (shape " + Arrays.toString(t.shape()) + ")"
                : "a tensor of shape " + Arrays.toString(t.shape()) + " with a value <= 0 or NaN (min " + t.min().item() + ")";
    }

    /** The means, broadcast to {@link #shape()}. */
    public Tensor mean() {
        return mean;
    }

    /** The standard deviations, broadcast to {@link #shape()}. */
    public Tensor stddev() {
        return std;
    }

    /** std². */
    public Tensor variance() {
        return std.square();
    }

    /** The broadcast shape of the parameters (PyTorch's batch_shape), a copy. */
    public int[] shape() {
        return shape.clone();
    }

    /** A reparameterised sample mean + std·ε, ε ~ N(0, 1) from the default generator; differentiable in mean and std. */
    public Tensor rsample() {
        return reparameterise(Tensor.randn(shape));
    }

    /** Like {@link #rsample()}, drawing ε from {@code generator}. */
    public Tensor rsample(Generator generator) {
        if (generator == null) throw new IllegalArgumentException("Normal.rsample: generator is null");
        return reparameterise(Tensor.randn(generator, shape));
    }

    private Tensor reparameterise(Tensor eps) {
        DType type = mean.dtype() == DType.FLOAT64 || std.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
        return mean.add(std.mul(eps.to(type)));
    }

    /** A sample without gradient (same stream as {@link #rsample()}). */
    public Tensor sample() {
        try (var g = Autograd.noGrad()) {
            return rsample().detach();
        }
    }

    /** A sample without gradient, drawn from {@code generator}. */
    public Tensor sample(Generator generator) {
        try (var g = Autograd.noGrad()) {
            return rsample(generator).detach();
        }
    }

    /** log p(value) = −(value − mean)²/(2·std²) − log std − ½·log 2π, elementwise (broadcasting). */
    public Tensor logProb(Tensor value) {
        if (value == null) throw new IllegalArgumentException("Normal.logProb: value is null");
        Shapes.broadcast("Normal.logProb", value.shape(), shape);
        return value.sub(mean).square().div(variance().mul(2)).neg().sub(std.log()).sub(HALF_LOG_2PI);
    }

    /** The differential entropy ½ + ½·log 2π + log std, of shape {@link #shape()}. */
    public Tensor entropy() {
        return std.log().add(0.5 + HALF_LOG_2PI);
    }

    /**
     * KL(p ‖ q) = log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½, elementwise over the broadcast shapes.
     *
     * @throws IllegalArgumentException when the two shapes do not broadcast
     */
    public static Tensor klDivergence(Normal p, Normal q) {
        if (p == null || q == null) throw new IllegalArgumentException("Normal.klDivergence: p and q must not be null");
        Shapes.broadcast("Normal.klDivergence", p.shape, q.shape);
        Tensor varQ = q.variance();
        return q.std.div(p.std).log().add(p.variance().add(p.mean.sub(q.mean).square()).div(varQ.mul(2))).sub(0.5);
    }

    @Override
    public String toString() {
        return "Normal(loc: " + mean + ", scale: " + std + ")";
    }
}
