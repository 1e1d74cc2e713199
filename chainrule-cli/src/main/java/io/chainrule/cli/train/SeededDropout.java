package io.chainrule.cli.train;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.nn.F;
import io.chainrule.nn.Module;

/**
 * Dropout whose masks come from a generator the training loop reseeds before every optimizer step (from the run's
 * seed and the step number), so that a resumed run draws the same masks as an uninterrupted one. In eval mode it is
 * the identity, like {@link io.chainrule.nn.Dropout}.
 */
final class SeededDropout extends Module {
    private final double p;
    private Generator generator = new Generator(0);

    SeededDropout(double p) {
        this.p = p;
    }

    /** Masks from here on come from a generator seeded with {@code seed}. */
    void reseed(long seed) {
        generator = new Generator(seed);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=False";
    }

    /** Printed as PyTorch prints its {@code Dropout}, which this layer is in every respect but the seeding. */
    @Override
    public String toString() {
        return "Dropout(" + extraRepr() + ")";
    }

    /** Reseeds every {@link SeededDropout} in {@code model} for optimizer step {@code step} of a run seeded {@code seed}. */
    static void reseedAll(Module model, long seed, long step) {
        if (model instanceof SeededDropout d) d.reseed(seed * 1_000_003L + step);
        for (Module child : model.namedChildren().values()) reseedAll(child, seed, step);
    }
}
