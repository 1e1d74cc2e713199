package io.chainrule.nn;

/**
 * Batch normalisation over [N, C, H, W] input, per channel C (see {@link BatchNorm} for the statistics).
 *
 * <pre>{@code BatchNorm2d bn = new BatchNorm2d(32);   // eps 1e-5, momentum 0.1, as PyTorch}</pre>
 */
public class BatchNorm2d extends BatchNorm {
    /** eps 1e-5, momentum 0.1. */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5, 0.1);
    }

    /** Explicit eps (added to the variance) and momentum (weight of the batch in the running statistics). */
    public BatchNorm2d(int channels, double eps, double momentum) {
        super(channels, eps, momentum);
    }

    @Override
    protected int[] acceptedRanks() {
        return new int[] {4};
    }
}
