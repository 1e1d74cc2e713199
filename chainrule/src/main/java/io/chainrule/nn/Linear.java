package io.chainrule.nn;

import io.chainrule.Generator;
import io.chainrule.Tensor;

/**
 * A fully connected layer, y = x·Wᵀ + b, with {@code weight} of shape {@code [out, in]} and {@code bias} of
 * shape {@code [out]}, initialised as PyTorch does: W ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5) and
 * b ~ U(−1/√in, 1/√in).
 *
 * <pre>{@code Tensor y = new Linear(4, 3).forward(Tensor.randn(8, 4));   // [8, 3]}</pre>
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, null);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, null);
    }

    /** A layer initialised from {@code generator} (the default generator when null). */
    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: feature counts must be >= 0, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Tensor w = Init.kaimingUniform(Tensor.zeros(outFeatures, inFeatures), Math.sqrt(5.0), generator);
        registerParameter("weight", w);
        if (bias) {
            double bound = inFeatures > 0 ? 1.0 / Math.sqrt(inFeatures) : 0.0;
            registerParameter("bias", Init.uniform(Tensor.zeros(outFeatures), -bound, bound, generator));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, param("weight"), paramOrNull("bias"));
    }

    /** The weight parameter, {@code [out, in]}. */
    public Tensor weight() {
        return param("weight");
    }

    /** The bias parameter, {@code [out]}, or null when the layer has none. */
    public Tensor bias() {
        return paramOrNull("bias");
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + Repr.pyBool(bias() != null);
    }
}
