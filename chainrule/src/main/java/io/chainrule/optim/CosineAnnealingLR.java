package io.chainrule.optim;

/**
 * Cosine annealing from the base learning rate down to {@code etaMin} over {@code tMax} epochs (PyTorch's
 * {@code CosineAnnealingLR}, closed form): lr = etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2. Past tMax the
 * cosine continues (the lr rises again), as in PyTorch.
 *
 * <pre>{@code
 * var sched = new CosineAnnealingLR(opt, 100);
 * }</pre>
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** Anneals to 0 over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super("CosineAnnealingLR", optimizer);
        if (tMax < 1) throw new IllegalArgumentException("CosineAnnealingLR: tMax must be >= 1, got " + tMax);
        if (!(etaMin >= 0) || Double.isInfinite(etaMin)) {
            throw new IllegalArgumentException("CosineAnnealingLR: etaMin must be finite and >= 0, got " + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    double lrAt(int epoch, double current) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
