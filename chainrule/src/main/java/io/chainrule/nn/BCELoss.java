package io.chainrule.nn;

import io.chainrule.Tensor;

/** Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100 as PyTorch); see {@link F#binaryCrossEntropy(Tensor, Tensor, Reduction)}. */
public class BCELoss extends Loss {
    public BCELoss() {
        super(Reduction.MEAN);
    }

    public BCELoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropy(input, target, reduction());
    }
}
