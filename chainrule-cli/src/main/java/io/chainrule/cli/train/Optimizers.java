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
        return create(name, params, lr, Tuning.NONE);
    }

    /** The optimizer with the momentum and weight decay of {@code t} (checked first with {@link Tuning#checkFor}). */
    public static Optimizer create(String name, List<Tensor> params, double lr, Tuning t) {
        t.checkFor(name);
        double wd = t.weightDecay();
        double mom = Double.isNaN(t.momentum()) ? (name.equals("momentum") || name.equals("nesterov") ? 0.9 : 0) : t.momentum();
        return switch (name) {
            case "sgd", "momentum" -> new SGD(params, lr).momentum(mom).weightDecay(wd);
            case "nesterov" -> new SGD(params, lr).momentum(mom).nesterov(true).weightDecay(wd);
            case "adam" -> new Adam(params, lr).weightDecay(wd);
            case "adamw" -> wd > 0 ? new AdamW(params, lr).weightDecay(wd) : new AdamW(params, lr);
            case "rmsprop" -> new RMSprop(params, lr).momentum(mom).weightDecay(wd);
            case "adagrad" -> new Adagrad(params, lr).weightDecay(wd);
            case "lbfgs" -> new LBFGS(params, lr);
            case "cg" -> new ConjugateGradient(params);
            case "newton" -> new Newton(params).maxParameters(NEWTON_MAX_PARAMETERS);
            default -> throw new CliException("unknown --optimizer '" + name + "' (one of "
                    + String.join(", ", TrainConfig.OPTIMIZERS) + ")");
        };
    }

    /** True for the optimizers that take no learning rate: they choose their own step. */
    public static boolean takesNoLr(String name) {
        return name.equals("cg") || name.equals("newton");
    }

    /** True for the optimizers that evaluate the loss several times per step (they need the closure). */
    public static boolean usesClosure(String name) {
        return name.equals("lbfgs") || name.equals("cg") || name.equals("newton");
    }
}
