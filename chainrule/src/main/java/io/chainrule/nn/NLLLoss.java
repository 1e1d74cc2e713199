package io.chainrule.nn;

import io.chainrule.Tensor;

/** Negative log-likelihood of log-probabilities (from {@link LogSoftmax}) against INT64 class indices; see {@link F#nllLoss(Tensor, Tensor, Reduction)}. */
public class NLLLoss extends Loss {
    public NLLLoss() {
        super(Reduction.MEAN);
    }

    public NLLLoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.nllLoss(input, target, reduction());
    }
}
