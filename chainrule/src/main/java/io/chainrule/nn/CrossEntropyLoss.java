package io.chainrule.nn;

import io.chainrule.Tensor;

/** Softmax cross-entropy from raw logits against INT64 class indices or class probabilities; see {@link F#crossEntropy(Tensor, Tensor, Reduction)}. */
public class CrossEntropyLoss extends Loss {
    public CrossEntropyLoss() {
        super(Reduction.MEAN);
    }

    public CrossEntropyLoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, reduction());
    }
}
