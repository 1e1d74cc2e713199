package io.chainrule.optim;

/**
 * Multiplies the learning rate by {@code gamma} every epoch (PyTorch's {@code ExponentialLR}): lr = base·gamma^epoch.
 *
 * <pre>{@code
 * var sched = new ExponentialLR(opt, 0.95);
 * }</pre>
 */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super("ExponentialLR", optimizer);
        this.gamma = checkGamma("ExponentialLR", gamma);
    }

    @Override
    double lrAt(int epoch, double current) {
        return current * gamma;
    }
}
