package io.chainrule.nn;

import io.chainrule.Tensor;

/** Squared error (input − target)², averaged by default; see {@link F#mseLoss(Tensor, Tensor, Reduction)}. */
public class MSELoss extends Loss {
    public MSELoss() {
        super(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction());
    }
}
