package io.chainrule.nn;

import io.chainrule.Tensor;

import java.util.Locale;

/**
 * Base of the loss modules: a {@link Module} with a {@link Reduction} whose computation takes a prediction and a
 * target, {@link #forward(Tensor, Tensor)}. The one-argument {@link #forward(Tensor)} is refused.
 *
 * <pre>{@code Tensor loss = new CrossEntropyLoss().forward(model.forward(x), labels);}</pre>
 */
public abstract class Loss extends Module {
    private final Reduction reduction;

    protected Loss(Reduction reduction) {
        if (reduction == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": reduction must not be null");
        this.reduction = reduction;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The loss of {@code input} against {@code target}, reduced by {@link #reduction()}. */
    public abstract Tensor forward(Tensor input, Tensor target);

    /** Always throws: a loss needs a target. */
    @Override
    public final Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " needs a prediction and a target: call forward(input, target)");
    }

    @Override
    protected String extraRepr() {
        return reduction == Reduction.MEAN ? "" : "reduction='" + reduction.name().toLowerCase(Locale.ROOT) + "'";
    }
}
