package io.chainrule.cli.train;

import io.chainrule.cli.CliException;
import io.chainrule.optim.CosineAnnealingLR;
import io.chainrule.optim.ExponentialLR;
import io.chainrule.optim.LRScheduler;
import io.chainrule.optim.Optimizer;
import io.chainrule.optim.StepLR;

import java.util.List;
import java.util.Properties;

/**
 * The training settings beyond the {@link TrainConfig}'s: regularisation, momentum, gradient clipping and the
 * learning-rate schedule. Stored in the checkpoint (under {@code config.*}) so that --resume continues with them and
 * eval, predict and export rebuild the same model (dropout layers are part of its layout).
 *
 * @param weightDecay  L2 penalty the optimizer adds (AdamW: decoupled decay); 0: none
 * @param momentum     SGD or RMSprop momentum; NaN: the optimizer's default (0.9 for momentum and nesterov, else 0)
 * @param dropout      dropout probability after each hidden activation; 0: no dropout layers
 * @param clipGradNorm clip the gradients' total L2 norm to this before each step; 0: no clipping
 * @param lrSchedule   none, step, exp or cosine
 * @param lrStep       step: epochs between decays; cosine: the period T_max in epochs (0: all the run's epochs)
 * @param lrGamma      step and exp: the factor per decay
 * @param augment      training-batch augmentations, a comma-separated subset of flip, shift, noise ("" for none)
 * @param dtype        float32 or float64: the parameters' and the inputs' element type
 */
public record Tuning(double weightDecay, double momentum, double dropout, double clipGradNorm, String lrSchedule,
                     int lrStep, double lrGamma, String augment, String dtype) {
    public static final List<String> DTYPES = List.of("float32", "float64");
    public static final List<String> SCHEDULES = List.of("none", "step", "exp", "cosine");
    public static final List<String> AUGMENTATIONS = List.of("flip", "shift", "noise");
    /** The settings of a run that names none (and of checkpoints written before they existed). */
    public static final Tuning NONE = new Tuning(0, Double.NaN, 0, 0, "none", 0, 0.1, "", "float32");
    /** --augment flip: the probability of mirroring an image left to right. */
    static final double FLIP_P = 0.5;
    /** --augment shift: the most pixels an image moves in each direction. */
    static final int SHIFT_PIXELS = 2;
    /** --augment noise: the standard deviation of the Gaussian noise added to the inputs. */
    static final double NOISE_STD = 0.05;
    /** Mixed into the seed so that augmentation draws its own random stream. */
    private static final long AUGMENT_STREAM = 0xA09_3E47L;

    public Tuning {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new CliException("--weight-decay must be >= 0, got " + weightDecay);
        if (!Double.isNaN(momentum) && !(momentum >= 0 && momentum < 1)) {
            throw new CliException("--momentum must be at least 0 and below 1, got " + momentum);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new CliException("--dropout must be at least 0 and below 1, got " + dropout);
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new CliException("--clip-grad-norm must be > 0 (0: off), got " + clipGradNorm);
        }
        if (!SCHEDULES.contains(lrSchedule)) {
            throw new CliException("--lr-schedule must be one of " + String.join(", ", SCHEDULES) + ", got '" + lrSchedule + "'");
        }
        if (lrStep < 0) throw new CliException("--lr-step must be >= 1 epoch, got " + lrStep);
        if (lrSchedule.equals("step") && lrStep < 1) throw new CliException("--lr-schedule step needs --lr-step N (epochs between decays)");
        if (!(lrGamma > 0) || Double.isInfinite(lrGamma)) throw new CliException("--lr-gamma must be > 0, got " + lrGamma);
        if (!DTYPES.contains(dtype)) throw new CliException("--dtype must be float32 or float64, got '" + dtype + "'");
        for (String a : split(augment)) { // (the fields are assigned only after this constructor body)
            if (!AUGMENTATIONS.contains(a)) {
                throw new CliException("--augment takes " + String.join(", ", AUGMENTATIONS) + " (comma-separated), not '" + a + "'");
            }
        }
    }

    /** The element type of the model's parameters and of its inputs. */
    public io.chainrule.DType elementType() {
        return dtype.equals("float64") ? io.chainrule.DType.FLOAT64 : io.chainrule.DType.FLOAT32;
    }

    /** The --augment entries, in the order given. */
    public List<String> augmentations() {
        return split(augment);
    }

    private static List<String> split(String list) {
        return list.isBlank() ? List.of() : java.util.Arrays.stream(list.split(",")).map(String::strip).toList();
    }

    /**
     * The batch transform of the augmentations (null for none), drawing from a generator of {@code seed} and
     * {@code epoch}: a resumed run draws the same (the loader applies it to the batches it skips, too).
     */
    public java.util.function.UnaryOperator<io.chainrule.data.Batch> augmenter(long seed, int epoch) {
        if (augmentations().isEmpty()) return null;
        io.chainrule.Generator g = new io.chainrule.Generator((seed ^ AUGMENT_STREAM) * 31 + epoch);
        java.util.function.UnaryOperator<io.chainrule.data.Batch> t = b -> b;
        for (String a : augmentations()) {
            java.util.function.UnaryOperator<io.chainrule.data.Batch> next = switch (a) {
                case "flip" -> io.chainrule.data.Transforms.randomHorizontalFlip(FLIP_P, g);
                case "shift" -> io.chainrule.data.Transforms.randomShift(SHIFT_PIXELS, g);
                default -> io.chainrule.data.Transforms.gaussianNoise(NOISE_STD, g);
            };
            java.util.function.UnaryOperator<io.chainrule.data.Batch> before = t;
            t = b -> next.apply(before.apply(b));
        }
        return t;
    }

    /** Refuses image augmentations for data that are not images. */
    public void checkFor(LoadedData data) {
        for (String a : augmentations()) {
            if (!a.equals("noise") && !data.isImage()) {
                throw new CliException("--augment " + a + " is for images; this data has input "
                        + java.util.Arrays.toString(data.inputShape()) + " (noise works on any data)");
            }
        }
    }

    /**
     * Refuses the settings {@code choice} has no use for, so that no option is silently ignored: momentum is for
     * the optimizers that take it; weight decay and clipping for the first-order optimizers; a schedule for those
     * that take a learning rate (not those that choose their own step).
     */
    public void checkFor(OptimizerChoice choice) {
        String optimizer = choice.cliName();
        if (!Double.isNaN(momentum) && !choice.takesMomentum()) {
            throw new CliException("--momentum is for " + OptimizerChoice.listing(OptimizerChoice::takesMomentum)
                    + ", not " + optimizer + (optimizer.startsWith("adam") ? " (its momentum is beta1)" : ""));
        }
        if (choice == OptimizerChoice.NESTEROV && !Double.isNaN(momentum) && momentum == 0) {
            throw new CliException("--optimizer nesterov needs --momentum above 0");
        }
        if (weightDecay > 0 && choice.usesClosure()) {
            throw new CliException("--weight-decay is for the first-order optimizers, not " + optimizer);
        }
        if (!lrSchedule.equals("none") && !choice.takesLr()) {
            throw new CliException("--lr-schedule: " + optimizer + " takes no learning rate (it finds its own step)");
        }
        if (clipGradNorm > 0 && choice.usesClosure()) {
            throw new CliException("--clip-grad-norm is for the first-order optimizers, not " + optimizer
                    + " (it evaluates the loss several times per step)");
        }
    }

    /**
     * The scheduler for {@code optimizer} (null for none), created while the optimizer still has the run's base
     * learning rate; stepped once per finished epoch.
     */
    public LRScheduler scheduler(Optimizer optimizer, int epochs) {
        return switch (lrSchedule) {
            case "step" -> new StepLR(optimizer, lrStep, lrGamma);
            case "exp" -> new ExponentialLR(optimizer, lrGamma);
            case "cosine" -> new CosineAnnealingLR(optimizer, lrStep > 0 ? lrStep : epochs);
            default -> null;
        };
    }

    void store(Properties p) {
        p.setProperty("config.weight_decay", Double.toString(weightDecay));
        p.setProperty("config.momentum", Double.toString(momentum));
        p.setProperty("config.dropout", Double.toString(dropout));
        p.setProperty("config.clip_grad_norm", Double.toString(clipGradNorm));
        p.setProperty("config.lr_schedule", lrSchedule);
        p.setProperty("config.lr_step", Integer.toString(lrStep));
        p.setProperty("config.lr_gamma", Double.toString(lrGamma));
        p.setProperty("config.augment", augment);
        p.setProperty("config.dtype", dtype);
    }

    /** Reads what {@link #store} wrote; a checkpoint without these keys has {@link #NONE}. */
    static Tuning load(Properties p, String where) {
        if (p.getProperty("config.lr_schedule") == null) return NONE;
        try {
            return new Tuning(d(p, "config.weight_decay"), d(p, "config.momentum"), d(p, "config.dropout"),
                    d(p, "config.clip_grad_norm"), p.getProperty("config.lr_schedule").strip(),
                    Integer.parseInt(p.getProperty("config.lr_step", "0").strip()), d(p, "config.lr_gamma"),
                    p.getProperty("config.augment", "").strip(), p.getProperty("config.dtype", "float32").strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new CliException(where + " is damaged: a training setting (config.weight_decay ... lr_gamma) is "
                    + "missing or not a number");
        }
    }

    private static double d(Properties p, String key) {
        return Double.parseDouble(p.getProperty(key).strip());
    }

    /** For the header: the settings that differ from none, or "" when all are off. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (weightDecay > 0) sb.append(", weight decay ").append(fmt(weightDecay));
        if (!Double.isNaN(momentum)) sb.append(", momentum ").append(fmt(momentum));
        if (dropout > 0) sb.append(", dropout ").append(fmt(dropout));
        if (clipGradNorm > 0) sb.append(", clip grad norm ").append(fmt(clipGradNorm));
        switch (lrSchedule) {
            case "step" -> sb.append(", lr ×").append(fmt(lrGamma)).append(" every ").append(lrStep).append(" epochs");
            case "exp" -> sb.append(", lr ×").append(fmt(lrGamma)).append(" each epoch");
            case "cosine" -> sb.append(", cosine lr").append(lrStep > 0 ? " over " + lrStep + " epochs" : "");
            default -> { }
        }
        if (!augment.isBlank()) sb.append(", augment ").append(augment);
        if (dtype.equals("float64")) sb.append(", float64");
        return sb.toString();
    }

    private static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
