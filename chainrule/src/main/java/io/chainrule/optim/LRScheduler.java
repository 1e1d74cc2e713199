package io.chainrule.optim;

/**
 * Sets an optimizer's learning rate by epoch, with PyTorch's {@code torch.optim.lr_scheduler} semantics: the
 * constructor records the optimizer's current lr as the base lr (epoch 0), and each {@link #step()} — called once
 * per epoch, after that epoch's optimizer steps — advances the epoch and sets the new lr.
 *
 * <pre>{@code
 * StepLR sched = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) { train(opt); sched.step(); }
 * }</pre>
 */
public abstract class LRScheduler {
    final Optimizer optimizer;
    final double baseLr;
    private int lastEpoch;

    LRScheduler(String name, Optimizer optimizer) {
        if (optimizer == null) throw new IllegalArgumentException(name + ": the optimizer is null");
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    /** Advances one epoch and sets the optimizer's lr for it. */
    public void step() {
        lastEpoch++;
        optimizer.setLr(lrAt(lastEpoch, optimizer.lr()));
    }

    /** The lr for {@code epoch} (≥ 1), given the current one. */
    abstract double lrAt(int epoch, double current);

    /** Epochs stepped so far (PyTorch's {@code last_epoch}; 0 right after construction). */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The lr this scheduler last set (the base lr before the first step), like {@code get_last_lr()}. */
    public double lastLr() {
        return optimizer.lr();
    }

    /** The optimizer's lr when the scheduler was created. */
    public double baseLr() {
        return baseLr;
    }

    static double checkGamma(String op, double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException(op + ": gamma must be finite and >= 0, got " + gamma);
        }
        return gamma;
    }
}
