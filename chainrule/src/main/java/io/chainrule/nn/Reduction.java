package io.chainrule.nn;

/**
 * How a loss turns per-element losses into its result, as PyTorch's {@code reduction=} argument:
 * {@link #MEAN} (the default) averages them, {@link #SUM} adds them, {@link #NONE} returns them unreduced.
 */
public enum Reduction {
    MEAN,
    SUM,
    NONE
}
