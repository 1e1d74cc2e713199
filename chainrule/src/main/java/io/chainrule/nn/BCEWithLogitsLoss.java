package io.chainrule.nn;

import io.chainrule.Tensor;

/** Binary cross-entropy of sigmoid(logits), computed stably from the logits; see {@link F#binaryCrossEntropyWithLogits(Tensor, Tensor, Reduction)}. */
public class BCEWithLogitsLoss extends Loss {
    public BCEWithLogitsLoss() {
        super(Reduction.MEAN);
    }

    public BCEWithLogitsLoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, reduction());
    }
}
