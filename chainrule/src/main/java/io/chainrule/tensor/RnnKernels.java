package io.chainrule.tensor;

/**
 * The elementwise part of one Elman RNN step, h' = act(x·W_ihᵀ + h·W_hhᵀ + b), act tanh or relu, forward and
 * backward over rows of a batch. Built from {@link Pointwise} rows, so float rows are vectorized and every element
 * gets the same numbers whatever the split; the formulas are those of {@code RnnOps}' backward in tensor ops.
 */
public final class RnnKernels {
    private RnnKernels() {}

    /**
     * {@code h = act(pre + bias)} for {@code rows} rows of {@code hidden}; {@code pre} is left holding pre + bias.
     * The arrays are all float[] or all double[].
     */
    public static void forward(boolean relu, Object pre, int po, Object bias, Object h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int p = po + r * hidden, s = ho + r * hidden;
            Pointwise.binaryRow(Pointwise.Binary.ADD, pre, p, 1, bias, 0, 1, pre, p, hidden);
            Pointwise.unary(relu ? Pointwise.Unary.RELU : Pointwise.Unary.TANH, 0, 0, pre, p, h, s, hidden);
        }
    }

    /**
     * Backward of one step: {@code d = (dhOut + dh)·act'}, with act' = 1 − h'² for tanh, and for relu the gradient
     * kept where h' > 0 and zeroed elsewhere (as PyTorch's threshold_backward). {@code dh} is scratch afterwards (the
     * caller overwrites it with d·W_hh). The arrays are all float[] or all double[].
     */
    public static void backward(boolean relu, Object h, int ho, Object dhOut, int dho, Object dh, int dhn, Object d, int dOff,
                                int rows, int hidden) {
        Object one = h instanceof float[] ? new float[] {1f} : new double[] {1d};
        for (int r = 0; r < rows; r++) {
            int s = r * hidden, o = dOff + s;
            Pointwise.binaryRow(Pointwise.Binary.ADD, dhOut, dho + s, 1, dh, dhn + s, 1, d, o, hidden);
            if (relu) {
                Pointwise.binaryRow(Pointwise.Binary.RELU_GRAD, d, o, 1, h, ho + s, 1, d, o, hidden);
            } else {
                Pointwise.binaryRow(Pointwise.Binary.MUL, h, ho + s, 1, h, ho + s, 1, dh, dhn + s, hidden);
                Pointwise.binaryRow(Pointwise.Binary.SUB, one, 0, 0, dh, dhn + s, 1, dh, dhn + s, hidden);
                Pointwise.binaryRow(Pointwise.Binary.MUL, d, o, 1, dh, dhn + s, 1, d, o, hidden);
            }
        }
    }
}
