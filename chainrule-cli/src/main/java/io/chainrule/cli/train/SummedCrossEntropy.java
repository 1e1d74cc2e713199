package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.nn.F;
import io.chainrule.nn.Reduction;

import java.io.Serializable;
import java.util.function.BiFunction;

/** The program's loss for sharded steps: cross-entropy summed over a micro-batch (the driver divides by the batch). */
record SummedCrossEntropy() implements BiFunction<Tensor, Tensor, Tensor>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Tensor apply(Tensor logits, Tensor labels) {
        return F.crossEntropy(logits, labels, Reduction.SUM);
    }
}
