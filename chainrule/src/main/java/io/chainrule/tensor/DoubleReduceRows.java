// twin: float -> FloatReduceRows
// twin: keep double acc, v, sumRange, a0, max, sum, lse, inv
// twin: note both types accumulate in float64; the (double) casts round the results to float in the twin.
package io.chainrule.tensor;

/** The loops of {@link Reduce} over one run of the input; sums, products and extremes accumulate in 64 bits. */
final class DoubleReduceRows {
    private DoubleReduceRows() {}

    /** Folds rows k = 0 … n−1 of {@code len} adjacent columns at {@code base} (row stride {@code inner}) into acc. */
    static void reduceRows(Reduce.Kind kind, double[] x, int base, int n, int inner, int len, double[] acc, long[] arg) {
        for (int k = 0; k < n; k++) {
            int row = base + k * inner;
            switch (kind) {
                case SUM -> { for (int i = 0; i < len; i++) acc[i] += x[row + i]; }
                case PROD -> { for (int i = 0; i < len; i++) acc[i] *= x[row + i]; }
                case MAX -> { for (int i = 0; i < len; i++) { double v = x[row + i]; if (v > acc[i] || (v != v && acc[i] == acc[i])) { acc[i] = v; if (arg != null) arg[i] = k; } } }
                case MIN -> { for (int i = 0; i < len; i++) { double v = x[row + i]; if (v < acc[i] || (v != v && acc[i] == acc[i])) { acc[i] = v; if (arg != null) arg[i] = k; } } }
            }
        }
    }

    /** Four independent accumulators: faster than one (no add latency chain), and still a fixed order. */
    static double sumRange(double[] x, int s, int e) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int i = s;
        for (; i + 3 < e; i += 4) { a0 += x[i]; a1 += x[i + 1]; a2 += x[i + 2]; a3 += x[i + 3]; }
        for (; i < e; i++) a0 += x[i];
        return (a0 + a1) + (a2 + a3);
    }

    /** Softmax (or log-softmax) of one run of {@code n} elements {@code stride} apart. */
    static void softmaxRow(double[] x, int xb, double[] y, int yb, int n, int stride, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) max = Math.max(max, x[xb + k * stride]);
        if (max == Double.NEGATIVE_INFINITY) max = 0; // all -inf: avoid inf - inf
        double sum = 0;
        for (int k = 0; k < n; k++) sum += Math.exp(x[xb + k * stride] - max);
        if (log) {
            double lse = max + Math.log(sum);
            for (int k = 0; k < n; k++) y[yb + k * stride] = (double) (x[xb + k * stride] - lse);
        } else {
            double inv = 1 / sum;
            for (int k = 0; k < n; k++) y[yb + k * stride] = (double) (Math.exp(x[xb + k * stride] - max) * inv);
        }
    }
}
