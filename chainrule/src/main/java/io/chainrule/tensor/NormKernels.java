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
            if (x instanceof float[] xf) {
                float[] of = (float[]) out;
                float fa = (float) a, fb = (float) b;
                for (int j = 0, p = xo + run, q = oo + run; j < s; j++) of[q + j] = fa * xf[p + j] + fb;
            } else {
                double[] xd = (double[]) x, od = (double[]) out;
                for (int j = 0, p = xo + run, q = oo + run; j < s; j++) od[q + j] = a * xd[p + j] + b;
            }
        }
    }

    /** out = a·u + b·v + k over channel {@code ch} (the input gradient: u = dy, v = x). */
    public static void affine2(Object u, int uo, Object v, int vo, Object out, int oo, int n, int c, int s, int ch,
                               double a, double b, double k) {
        for (int i = 0; i < n; i++) {
            int run = (i * c + ch) * s;
            if (u instanceof float[] uf) {
                float[] vf = (float[]) v, of = (float[]) out;
                float fa = (float) a, fb = (float) b, fk = (float) k;
                for (int j = 0, p = uo + run, q = vo + run, r = oo + run; j < s; j++) {
                    of[r + j] = fa * uf[p + j] + (fb * vf[q + j] + fk);
                }
            } else {
                double[] ud = (double[]) u, vd = (double[]) v, od = (double[]) out;
                for (int j = 0, p = uo + run, q = vo + run, r = oo + run; j < s; j++) {
                    od[r + j] = a * ud[p + j] + (b * vd[q + j] + k);
                }
            }
        }
    }

    // Four accumulators: independent add chains run in parallel (one chain is latency-bound).

    private static double sum(Object x, int at, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0, end = at + len;
        if (x instanceof float[] f) {
            for (i = at; i + 3 < end; i += 4) {
                s0 += f[i];
                s1 += f[i + 1];
                s2 += f[i + 2];
                s3 += f[i + 3];
            }
            for (; i < end; i++) s0 += f[i];
        } else {
            double[] d = (double[]) x;
            for (i = at; i + 3 < end; i += 4) {
                s0 += d[i];
                s1 += d[i + 1];
                s2 += d[i + 2];
                s3 += d[i + 3];
            }
            for (; i < end; i++) s0 += d[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double squaredDeviations(Object x, int at, int len, double m) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i, end = at + len;
        if (x instanceof float[] f) {
            for (i = at; i + 3 < end; i += 4) {
                double d0 = f[i] - m, d1 = f[i + 1] - m, d2 = f[i + 2] - m, d3 = f[i + 3] - m;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; i < end; i++) {
                double d0 = f[i] - m;
                s0 += d0 * d0;
            }
        } else {
            double[] x64 = (double[]) x;
            for (i = at; i + 3 < end; i += 4) {
                double d0 = x64[i] - m, d1 = x64[i + 1] - m, d2 = x64[i + 2] - m, d3 = x64[i + 3] - m;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; i < end; i++) {
                double d0 = x64[i] - m;
                s0 += d0 * d0;
            }
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ u·(v − m). */
    private static double productSum(Object u, int uo, Object v, int vo, int len, double m) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        if (u instanceof float[] uf) {
            float[] vf = (float[]) v;
            for (; j + 3 < len; j += 4) {
                s0 += uf[uo + j] * (vf[vo + j] - m);
                s1 += uf[uo + j + 1] * (vf[vo + j + 1] - m);
                s2 += uf[uo + j + 2] * (vf[vo + j + 2] - m);
                s3 += uf[uo + j + 3] * (vf[vo + j + 3] - m);
            }
            for (; j < len; j++) s0 += uf[uo + j] * (vf[vo + j] - m);
        } else {
            double[] ud = (double[]) u, vd = (double[]) v;
            for (; j + 3 < len; j += 4) {
                s0 += ud[uo + j] * (vd[vo + j] - m);
                s1 += ud[uo + j + 1] * (vd[vo + j + 1] - m);
                s2 += ud[uo + j + 2] * (vd[vo + j + 2] - m);
                s3 += ud[uo + j + 3] * (vd[vo + j + 3] - m);
            }
            for (; j < len; j++) s0 += ud[uo + j] * (vd[vo + j] - m);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
