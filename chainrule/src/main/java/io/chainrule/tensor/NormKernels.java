package io.chainrule.tensor;

/**
 * Per-channel kernels of batch normalisation on an [N, C, S] layout (S the product of the dimensions after the
 * channel one): channel {@code ch} is N runs of S contiguous elements, {@code c·S} apart. Each call handles one
 * channel in a fixed order, so a caller that splits channels over threads gets the same bits on any thread count.
 * Sums accumulate in double; float32 runs are summed in vector lanes first ({@link SimdNorm}) when the Vector API is
 * on. Element-wise passes compute in the array's precision.
 */
public final class NormKernels {
    private NormKernels() {}

    /**
     * Mean and biased variance of channel {@code ch} into {@code mean[ch]}, {@code var[ch]}: two passes, the second
     * summing squared deviations (no cancellation when the mean is large against the spread).
     */
    public static void stats(Object x, int xo, int n, int c, int s, int ch, double[] mean, double[] var) {
        boolean simd = Simd.ENABLED && x instanceof float[];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int run = xo + (i * c + ch) * s;
            sum += simd ? SimdNorm.sum((float[]) x, run, s) : sum(x, run, s);
        }
        double m = sum / ((double) n * s), sq = 0;
        for (int i = 0; i < n; i++) {
            int run = xo + (i * c + ch) * s;
            sq += simd ? SimdNorm.squaredDeviations((float[]) x, run, s, (float) m) : squaredDeviations(x, run, s, m);
        }
        mean[ch] = m;
        var[ch] = sq / ((double) n * s);
    }

    /**
     * Σ dy and Σ dy·(x − mean) over channel {@code ch} into {@code sums[0]}, {@code sums[1]}: what the input, weight
     * and bias gradients of batch normalisation need.
     */
    public static void gradSums(Object dy, int dyo, Object x, int xo, int n, int c, int s, int ch, double mean,
                                double[] sums) {
        if (Simd.ENABLED && dy instanceof float[] g) {
            sums[0] = 0;
            sums[1] = 0;
            for (int i = 0; i < n; i++) {
                int run = (i * c + ch) * s;
                SimdNorm.gradSums(g, dyo + run, (float[]) x, xo + run, s, (float) mean, sums);
            }
            return;
        }
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            int run = (i * c + ch) * s;
            s1 += sum(dy, dyo + run, s);
            s2 += productSum(dy, dyo + run, x, xo + run, s, mean);
        }
        sums[0] = s1;
        sums[1] = s2;
    }

    /** out = a·x + b over channel {@code ch} (the normalisation, with scale and shift folded in). */
    public static void affine(Object x, int xo, Object out, int oo, int n, int c, int s, int ch, double a, double b) {
        for (int i = 0; i < n; i++) {
            int run = (i * c + ch) * s;
            if (x instanceof float[] f) FloatNormRows.affine(f, xo + run, (float[]) out, oo + run, s, (float) a, (float) b);
            else DoubleNormRows.affine((double[]) x, xo + run, (double[]) out, oo + run, s, a, b);
        }
    }

    /** out = a·u + b·v + k over channel {@code ch} (the input gradient: u = dy, v = x). */
    public static void affine2(Object u, int uo, Object v, int vo, Object out, int oo, int n, int c, int s, int ch,
                               double a, double b, double k) {
        for (int i = 0; i < n; i++) {
            int run = (i * c + ch) * s;
            if (u instanceof float[] f) {
                FloatNormRows.affine2(f, uo + run, (float[]) v, vo + run, (float[]) out, oo + run, s, (float) a, (float) b,
                        (float) k);
            } else {
                DoubleNormRows.affine2((double[]) u, uo + run, (double[]) v, vo + run, (double[]) out, oo + run, s, a, b, k);
            }
        }
    }

    /** Σ x over a run, by {@link DoubleReduceRows#sumRange}'s four accumulators. */
    private static double sum(Object x, int at, int len) {
        return x instanceof float[] f ? FloatReduceRows.sumRange(f, at, at + len) : DoubleReduceRows.sumRange((double[]) x, at, at + len);
    }

    private static double squaredDeviations(Object x, int at, int len, double m) {
        return x instanceof float[] f ? FloatNormRows.squaredDeviations(f, at, len, m)
                : DoubleNormRows.squaredDeviations((double[]) x, at, len, m);
    }

    private static double productSum(Object u, int uo, Object v, int vo, int len, double m) {
        return u instanceof float[] f ? FloatNormRows.productSum(f, uo, (float[]) v, vo, len, m)
                : DoubleNormRows.productSum((double[]) u, uo, (double[]) v, vo, len, m);
    }
}
