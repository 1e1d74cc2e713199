package io.chainrule.cli.train;

import io.chainrule.cli.CliException;

import java.util.Properties;

/**
 * How a run holds examples back to choose its model: the fraction of the training data kept for validation, the
 * metric that picks the best epoch, and the patience of early stopping. Stored in the checkpoint beside the
 * {@link TrainConfig} so that {@code --resume} and {@code eval} draw the same split.
 *
 * @param split    fraction of the training examples held out for validation (0: none)
 * @param patience stop when the monitored metric has not improved for this many epochs (0: never stop early)
 * @param monitor  {@code val_loss} (lower is better) or {@code val_acc} (higher is better)
 */
public record Validation(double split, int patience, String monitor) {
    public static final String VAL_LOSS = "val_loss";
    public static final String VAL_ACC = "val_acc";
    public static final String[] MONITORS = {VAL_LOSS, VAL_ACC};
    /** The split of a run that does not say otherwise. */
    public static final double DEFAULT_SPLIT = 0.1;
    /** What a checkpoint written before validation existed means: no split, no early stopping. */
    public static final Validation NONE = new Validation(0, 0, VAL_LOSS);

    public Validation {
        if (!(split >= 0 && split < 1)) throw new CliException("--val-split must be at least 0 and below 1, got " + split);
        if (patience < 0) throw new CliException("--early-stop must be >= 0 epochs (0: off), got " + patience);
        if (!monitor.equals(VAL_LOSS) && !monitor.equals(VAL_ACC)) {
            throw new CliException("--monitor must be val_loss or val_acc, got '" + monitor + "'");
        }
        if (patience > 0 && split == 0) {
            throw new CliException("--early-stop needs validation data to watch: give --val-split F with F > 0");
        }
    }

    /** True when examples are held out (and the best model is kept). */
    public boolean enabled() {
        return split > 0;
    }

    /** True when {@code value} is strictly better than {@code best} for the monitored metric (NaN best: always). */
    public boolean improves(double value, double best) {
        if (Double.isNaN(value)) return false;
        if (Double.isNaN(best)) return true;
        return monitor.equals(VAL_ACC) ? value > best : value < best;
    }

    /** The monitored metric of an epoch. */
    public double valueOf(EpochMetrics m) {
        return monitor.equals(VAL_ACC) ? m.valAcc() : m.valLoss();
    }

    void store(Properties p) {
        p.setProperty("config.val_split", Double.toString(split));
        p.setProperty("config.early_stop", Integer.toString(patience));
        p.setProperty("config.monitor", monitor);
    }

    /** Reads what {@link #store} wrote; a checkpoint without these keys predates validation: {@link #NONE}. */
    static Validation load(Properties p, String where) {
        if (p.getProperty("config.val_split") == null) return NONE;
        try {
            return new Validation(Double.parseDouble(p.getProperty("config.val_split").strip()),
                    Integer.parseInt(p.getProperty("config.early_stop", "0").strip()),
                    p.getProperty("config.monitor", VAL_LOSS).strip());
        } catch (NumberFormatException e) {
            throw new CliException(where + ": config.val_split or config.early_stop is not a number");
        }
    }

    /** For the header line. */
    public String describe() {
        if (!enabled()) return "none";
        String s = String.format(java.util.Locale.ROOT, "%.0f%% held out, best by %s", 100 * split, monitor);
        return patience > 0 ? s + ", early stop after " + patience + " epoch" + (patience == 1 ? "" : "s")
                + " without improvement" : s;
    }
}
