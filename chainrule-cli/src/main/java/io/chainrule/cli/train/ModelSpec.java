package io.chainrule.cli.train;

import io.chainrule.nn.Module;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * The program's model as a serializable recipe, so that cluster workers build the same architecture as the driver
 * ({@link Models#build}); their initial values are replaced by the driver's every step.
 */
record ModelSpec(String model, int[] hidden, String activation, int[] inputShape, int classes)
        implements Supplier<Module>, Serializable {
    private static final long serialVersionUID = 1L;

    static ModelSpec of(TrainConfig c, int[] inputShape, int classes) {
        return new ModelSpec(c.model(), c.hidden().clone(), c.activation(), inputShape.clone(), classes);
    }

    @Override
    public Module get() {
        // Only the architecture fields matter to Models.build; the rest are placeholders.
        TrainConfig c = new TrainConfig("", 0, 0, 0, model, hidden, activation, "sgd", 1, 1, 0, false, 0);
        return Models.build(c, inputShape, classes);
    }
}
