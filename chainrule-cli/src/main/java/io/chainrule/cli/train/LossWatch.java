package io.chainrule.cli.train;

import java.util.Locale;

/**
 * Notices a training loss that blows up without becoming NaN (Adam at a huge learning rate climbs to 1e14 and
 * stays finite): once a batch's loss exceeds {@value #FACTOR} times the reference, {@link #check} says so, once.
 * The reference is the first epoch's loss of a resumed run, else the first batch's, and never less than
 * ln(classes), the cross-entropy of a uniform guess, so that a tiny first loss does not cause false alarms.
 */
final class LossWatch {
    static final double FACTOR = 1e3;

    private final double floor;
    private double reference;
    private boolean warned;

    /** @param firstEpochLoss the first epoch's mean loss when known (a resumed run), else NaN */
    LossWatch(double firstEpochLoss, int classes) {
        this.floor = Math.log(Math.max(2, classes));
        this.reference = firstEpochLoss;
    }

    /** The warning for this batch's loss, or null. */
    String check(double loss, int epoch, int batch) {
        if (Double.isNaN(reference)) {
            reference = loss;
            return null;
        }
        double base = Math.max(reference, floor);
        if (warned || !(loss > FACTOR * base)) return null;
        warned = true;
        return String.format(Locale.ROOT, "the loss exploded: %.4g at epoch %d, batch %d, more than %.0f times its "
                + "first value %.4g", loss, epoch, batch, FACTOR, reference);
    }
}
