package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.optim.Adagrad;
import io.chainrule.optim.Adam;
import io.chainrule.optim.AdamW;
import io.chainrule.optim.ConjugateGradient;
import io.chainrule.optim.LBFGS;
import io.chainrule.optim.Newton;
import io.chainrule.optim.Optimizer;
import io.chainrule.optim.RMSprop;
import io.chainrule.optim.SGD;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The optimizers {@code --optimizer} names, each with what the CLI needs to know of it: its default learning rate,
 * whether it takes momentum, how it uses the closure, and how to build it. The one list that the option's help and
 * completion, its validation, the settings checks ({@link Tuning#checkFor}) and the run header read.
 */
public enum OptimizerChoice implements CliChoice {
    SGD("sgd", 0.1, 0.1, 0, Closure.NONE, null, (p, lr, m, wd) -> new SGD(p, lr).momentum(m).weightDecay(wd)),
    MOMENTUM("momentum", 0.05, 0.05, 0.9, Closure.NONE, null, (p, lr, m, wd) -> new SGD(p, lr).momentum(m).weightDecay(wd)),
    NESTEROV("nesterov", 0.05, 0.05, 0.9, Closure.NONE, null,
            (p, lr, m, wd) -> new SGD(p, lr).momentum(m).nesterov(true).weightDecay(wd)),
    ADAM("adam", 0.01, 0.001, Double.NaN, Closure.NONE, null, (p, lr, m, wd) -> new Adam(p, lr).weightDecay(wd)),
    // AdamW's own default weight decay (0.01) unless one is given.
    ADAMW("adamw", 0.01, 0.001, Double.NaN, Closure.NONE, null,
            (p, lr, m, wd) -> wd > 0 ? new AdamW(p, lr).weightDecay(wd) : new AdamW(p, lr)),
    RMSPROP("rmsprop", 0.01, 0.001, 0, Closure.NONE, null, (p, lr, m, wd) -> new RMSprop(p, lr).momentum(m).weightDecay(wd)),
    ADAGRAD("adagrad", 0.05, 0.05, Double.NaN, Closure.NONE, null, (p, lr, m, wd) -> new Adagrad(p, lr).weightDecay(wd)),
    LBFGS("lbfgs", 1, 1, Double.NaN, Closure.GRADIENTS, null, (p, lr, m, wd) -> new LBFGS(p, lr)),
    CG("cg", 1, 1, Double.NaN, Closure.GRADIENTS, "a line search chooses each step",
            (p, lr, m, wd) -> new ConjugateGradient(p)),
    NEWTON("newton", 1, 1, Double.NaN, Closure.LOSS, "it takes the exact Newton step",
            (p, lr, m, wd) -> new Newton(p).maxParameters(OptimizerChoice.NEWTON_MAX_PARAMETERS));

    /**
     * The most parameters {@code --optimizer newton} accepts: its exact Hessian costs one backward pass per
     * parameter and n² doubles per step. Checked before anything is written.
     */
    public static final int NEWTON_MAX_PARAMETERS = 5000;

    /** How an optimizer uses the closure that recomputes the loss. */
    public enum Closure {
        /** Evaluated once per step, before the update: a first-order method. */
        NONE,
        /** Evaluated several times per step, each evaluation computing the gradients (a line search). */
        GRADIENTS,
        /** Evaluated several times per step for the loss only: the optimizer differentiates it itself (twice). */
        LOSS
    }

    @FunctionalInterface
    private interface Factory {
        Optimizer create(List<Tensor> params, double lr, double momentum, double weightDecay);
    }

    private final String cliName;
    private final double lr, imagesLr, defaultMomentum;
    private final Closure closure;
    private final String noLrReason;
    private final Factory factory;

    OptimizerChoice(String cliName, double lr, double imagesLr, double defaultMomentum, Closure closure, String noLrReason,
                    Factory factory) {
        this.cliName = cliName;
        this.lr = lr;
        this.imagesLr = imagesLr;
        this.defaultMomentum = defaultMomentum;
        this.closure = closure;
        this.noLrReason = noLrReason;
        this.factory = factory;
    }

    /** The choice {@code --optimizer name} means. */
    public static OptimizerChoice of(String name) {
        return CliChoice.parse(OptimizerChoice.class, "--optimizer", name);
    }

    /** Every name {@code --optimizer} accepts, in the order of the help. */
    public static List<String> names() {
        return CliChoice.names(OptimizerChoice.class);
    }

    /** The names, for picocli's completion candidates and {@code ${COMPLETION-CANDIDATES}} in the help. */
    public static final class Names extends CliChoice.NameList<OptimizerChoice> {
        public Names() {
            super(OptimizerChoice.class);
        }
    }

    /** The name on the command line and in checkpoints. */
    @Override
    public String cliName() {
        return cliName;
    }

    /** The learning rate used when --lr is not given (recorded, though unused, for those that take none). */
    public double defaultLr(boolean images) {
        return images ? imagesLr : lr;
    }

    /** False for those that choose their own step (cg, newton): --lr and schedules are refused for them. */
    public boolean takesLr() {
        return noLrReason == null;
    }

    /** Why it takes no learning rate, for the message refusing --lr; null when it takes one. */
    public String noLrReason() {
        return noLrReason;
    }

    public boolean takesMomentum() {
        return !Double.isNaN(defaultMomentum);
    }

    public Closure closure() {
        return closure;
    }

    /** True for those that evaluate the loss several times per step (weight decay and clipping are refused). */
    public boolean usesClosure() {
        return closure != Closure.NONE;
    }

    /** The optimizer with the momentum and weight decay of {@code t} (checked first with {@link Tuning#checkFor}). */
    public Optimizer create(List<Tensor> params, double lr, Tuning t) {
        t.checkFor(this);
        double momentum = !takesMomentum() ? 0 : Double.isNaN(t.momentum()) ? defaultMomentum : t.momentum();
        return factory.create(params, lr, momentum, t.weightDecay());
    }

    public Optimizer create(List<Tensor> params, double lr) {
        return create(params, lr, Tuning.NONE);
    }

    /** The names of the choices that {@code test} accepts, as prose: "sgd, momentum and rmsprop". */
    static String listing(Predicate<OptimizerChoice> test) {
        List<String> names = new ArrayList<>();
        for (OptimizerChoice c : values()) if (test.test(c)) names.add(c.cliName);
        int last = names.size() - 1;
        return last <= 0 ? String.join("", names) : String.join(", ", names.subList(0, last)) + " and " + names.get(last);
    }

    /**
     * The help's list of default learning rates, wrapped to {@code width} columns: consecutive choices with the same
     * rates share an entry ("momentum, nesterov 0.05"), and those that take none close it ("cg and newton take none").
     */
    public static List<String> defaultLrHelp(int width) {
        StringBuilder text = new StringBuilder("Default learning rates (--lr):");
        List<OptimizerChoice> group = new ArrayList<>();
        for (OptimizerChoice c : values()) {
            if (!c.takesLr()) continue;
            if (!group.isEmpty() && (group.get(0).lr != c.lr || group.get(0).imagesLr != c.imagesLr)) {
                text.append(' ').append(entry(group)).append(';');
                group.clear();
            }
            group.add(c);
        }
        text.append(' ').append(entry(group)).append("; ").append(listing(c -> !c.takesLr())).append(" take none.");
        return wrap(text.toString(), width);
    }

    private static String entry(List<OptimizerChoice> group) {
        OptimizerChoice first = group.get(0);
        String names = String.join(", ", group.stream().map(OptimizerChoice::cliName).toList());
        return names + " " + number(first.lr) + (first.imagesLr != first.lr ? " (" + number(first.imagesLr) + " on images)" : "");
    }

    private static String number(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
