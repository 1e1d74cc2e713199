package io.chainrule.cli.train;


/**
 * A data set ready for training: the training set, the test set when there is one (else null), each example's
 * shape, the number of classes and their names, and the standardisation applied to CSV features (else null).
 */
public record LoadedData(String name, Labeled train, Labeled test, int[] inputShape, int classes,
                         String[] classNames, double[] mean, double[] std) {
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
}
