package io.chainrule.cli.tensorboard;

/**
 * A histogram of a tensor's values, as TensorBoard's {@code HistogramProto} holds it: bucket {@code i} counts the
 * values in (limits[i-1], limits[i]] (the first from min), and the last limit is the maximum.
 */
public record Histogram(double min, double max, double count, double sum, double sumSquares, double[] limits,
                        double[] counts) {
    /** Buckets per histogram: enough to show a shape, small enough to send often. */
    public static final int BUCKETS = 30;

    /** The histogram of {@code values} in {@link #BUCKETS} equal buckets from their minimum to their maximum. */
    public static Histogram of(float[] values) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
        int finite = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) continue; // a NaN has no bucket; the loss check reports it
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sq += (double) v * v;
            finite++;
        }
        if (finite == 0) return new Histogram(0, 0, 0, 0, 0, new double[] {0}, new double[] {0});
        int k = max > min ? BUCKETS : 1;
        double[] limits = new double[k];
        double[] counts = new double[k];
        double width = (max - min) / k;
        for (int i = 0; i < k; i++) limits[i] = i == k - 1 ? max : min + width * (i + 1);
        for (float v : values) {
            if (!Float.isFinite(v)) continue;
            int b = k == 1 ? 0 : (int) Math.min(k - 1, Math.floor((v - min) / width));
            counts[b]++;
        }
        return new Histogram(min, max, finite, sum, sq, limits, counts);
    }
}
