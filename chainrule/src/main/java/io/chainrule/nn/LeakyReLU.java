package io.chainrule.nn;

import io.chainrule.Tensor;

/** x for x &gt; 0, slope·x otherwise; the default slope is 0.01, as in PyTorch. */
public class LeakyReLU extends Module {
    private final double negativeSlope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        if (!Double.isFinite(negativeSlope)) throw new IllegalArgumentException("LeakyReLU: slope must be finite, got " + negativeSlope);
        this.negativeSlope = negativeSlope;
    }

    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + Repr.pyFloat(negativeSlope);
    }
}
