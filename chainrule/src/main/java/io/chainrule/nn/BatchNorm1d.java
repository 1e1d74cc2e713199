package io.chainrule.nn;

/**
 * Batch normalisation over [N, C] or [N, C, L] input, per channel C (see {@link BatchNorm} for the statistics).
 *
 * <pre>{@code BatchNorm1d bn = new BatchNorm1d(64);   // eps 1e-5, momentum 0.1, as PyTorch}</pre>
 */
public class BatchNorm1d extends BatchNorm {
    /** eps 1e-5, momentum 0.1. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /** Explicit eps (added to the variance) and momentum (weight of the batch in the running statistics). */
    public BatchNorm1d(int numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum);
    }

    @Override
    protected int[] acceptedRanks() {
        return new int[] {2, 3};
    }
}
