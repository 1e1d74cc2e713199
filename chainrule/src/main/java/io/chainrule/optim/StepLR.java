package io.chainrule.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs (PyTorch's {@code StepLR}):
 * lr = base·gamma^⌊epoch / stepSize⌋.
 *
 * <pre>{@code
 * var sched = new StepLR(opt, 30, 0.1);   // 0.1 for epochs 0-29, 0.01 for 30-59, ...
 * }</pre>
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super("StepLR", optimizer);
        if (stepSize < 1) throw new IllegalArgumentException("StepLR: stepSize must be >= 1, got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = checkGamma("StepLR", gamma);
    }

    @Override
    double lrAt(int epoch, double current) {
        // PyTorch's chainable form: multiply the current lr at each boundary.
        return epoch % stepSize == 0 ? current * gamma : current;
    }
}
