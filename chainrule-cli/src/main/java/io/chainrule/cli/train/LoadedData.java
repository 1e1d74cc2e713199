package io.chainrule.cli.train;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.cli.CliException;

import java.util.Arrays;

/**
 * A data set ready for training: the training set, the test set when there is one (else null), the validation set
 * held out of the training data (else null), each example's shape, the number of classes and their names, and the
 * standardisation applied to CSV features (else null).
 */
public record LoadedData(String name, Labeled train, Labeled test, Labeled val, int[] inputShape, int classes,
                         String[] classNames, double[] mean, double[] std) {
    /** Mixed into the run's seed so that the validation draw does not repeat the data's or the weights' stream. */
    private static final long VALIDATION_STREAM = 0x5A11_DA7E_0F5E_ED5L;

    /** Number of input features once an example is flattened. */
    public int features() {
        int n = 1;
        for (int d : inputShape) n *= d;
        return n;
    }

    /** True for 2-D points (the decision boundary can be drawn). */
    public boolean isPlanar() {
        return inputShape.length == 1 && inputShape[0] == 2;
    }

    /** True for images ([channels, height, width]). */
    public boolean isImage() {
        return inputShape.length == 3;
    }

    /** The same data with the inputs (train, validation, test) converted to {@code dtype}. */
    public LoadedData to(io.chainrule.DType dtype) {
        return new LoadedData(name, convert(train, dtype), convert(test, dtype), convert(val, dtype), inputShape, classes,
                classNames, mean, std);
    }

    private static Labeled convert(Labeled l, io.chainrule.DType dtype) {
        return l == null || l.x().dtype() == dtype ? l : new Labeled(l.x().to(dtype), l.y());
    }

    /**
     * Holds {@code fraction} of the training examples back as the validation set: a random draw from {@code seed}
     * (the same for every run with that seed, so {@code --resume} and {@code eval} see the same split). Both parts
     * keep the examples' original order. A fraction of 0 returns this data unchanged.
     */
    public LoadedData splitValidation(double fraction, long seed) {
        if (fraction <= 0) return this;
        int n = train.size();
        int k = (int) Math.round(n * fraction);
        if (k < 1 || k >= n) {
            throw new CliException(String.format(java.util.Locale.ROOT, "--val-split %s of %d training examples "
                    + "leaves %d for validation and %d for training; both need at least one", fraction, n, k, n - k));
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Generator g = new Generator(seed ^ VALIDATION_STREAM);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = g.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        long[] valIdx = Arrays.stream(order, 0, k).sorted().mapToLong(i -> i).toArray();
        long[] trainIdx = Arrays.stream(order, k, n).sorted().mapToLong(i -> i).toArray();
        return new LoadedData(name, pick(trainIdx), test, pick(valIdx), inputShape, classes, classNames, mean, std);
    }

    private Labeled pick(long[] rows) {
        Tensor idx = Tensor.of(rows, rows.length);
        return new Labeled(train.x().indexSelect(0, idx).contiguous(), train.y().indexSelect(0, idx).contiguous());
    }
}
