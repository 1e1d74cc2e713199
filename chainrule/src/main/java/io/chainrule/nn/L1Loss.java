package io.chainrule.nn;

import io.chainrule.Tensor;

/** Absolute error |input − target|, averaged by default; see {@link F#l1Loss(Tensor, Tensor, Reduction)}. */
public class L1Loss extends Loss {
    public L1Loss() {
        super(Reduction.MEAN);
    }

    public L1Loss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.l1Loss(input, target, reduction());
    }
}
