package io.chainrule.nn;

import io.chainrule.Generator;
import io.chainrule.Tensor;

/**
 * Inverted dropout: in training mode zeroes each element with probability {@code p} and scales the rest by
 * 1/(1−p); in evaluation mode ({@link #eval()}) returns its input unchanged.
 *
 * <pre>{@code Module m = new Sequential(new Linear(784, 128), new ReLU(), new Dropout(0.2), new Linear(128, 10));}</pre>
 */
public class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Dropout drawing its masks from the default generator. */
    public Dropout(double p) {
        this(p, null);
    }

    /** Dropout drawing its masks from {@code generator} (the default generator when null). */
    public Dropout(double p, Generator generator) {
        F.checkProbability("Dropout", p);
        this.p = p;
        this.generator = generator;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + Repr.pyFloat(p) + ", inplace=False"; // chainrule's dropout is never in place
    }
}
