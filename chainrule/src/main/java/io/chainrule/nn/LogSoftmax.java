package io.chainrule.nn;

import io.chainrule.Tensor;

/** log(softmax(x)) along {@code dim}, computed stably; pair it with {@link NLLLoss}. */
public class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
