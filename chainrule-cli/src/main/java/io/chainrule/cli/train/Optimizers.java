package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.cli.CliException;
import io.chainrule.optim.Adagrad;
import io.chainrule.optim.Adam;
import io.chainrule.optim.AdamW;
import io.chainrule.optim.ConjugateGradient;
import io.chainrule.optim.LBFGS;
import io.chainrule.optim.Newton;
import io.chainrule.optim.Optimizer;
import io.chainrule.optim.RMSprop;
import io.chainrule.optim.SGD;

import java.util.List;

/** The optimizers --optimizer names, with the settings the CLI uses. */
public final class Optimizers {
    /**
     * The most parameters {@code --optimizer newton} accepts: its exact Hessian costs one backward pass per
     * parameter and n² doubles per step. Checked before anything is written.
     */
    public static final int NEWTON_MAX_PARAMETERS = 5000;

    private Optimizers() {}

    public static Optimizer create(String name, List<Tensor> params, double lr) {
        return switch (name) {
            case "sgd" -> new SGD(params, lr);
            case "momentum" -> new SGD(params, lr).momentum(0.9);
            case "nesterov" -> new SGD(params, lr).momentum(0.9).nesterov(true);
            case "adam" -> new Adam(params, lr);
            case "adamw" -> new AdamW(params, lr);
            case "rmsprop" -> new RMSprop(params, lr);
            case "adagrad" -> new Adagrad(params, lr);
            case "lbfgs" -> new LBFGS(params, lr);
            case "cg" -> new ConjugateGradient(params);
            case "newton" -> new Newton(params).maxParameters(NEWTON_MAX_PARAMETERS);
            default -> throw new CliException("unknown --optimizer '" + name + "' (one of "
                    + String.join(", ", TrainConfig.OPTIMIZERS) + ")");
        };
    }

    /** True for the optimizers that evaluate the loss several times per step (they need the closure). */
    public static boolean usesClosure(String name) {
        return name.equals("lbfgs") || name.equals("cg") || name.equals("newton");
    }
}
