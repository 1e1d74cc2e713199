// twin: float -> FloatNormRows
// twin: keep double squaredDeviations, productSum, s0, d0, m
// twin: note sums accumulate in float64 for both types; element-wise passes compute in the array's precision.
package io.chainrule.tensor;

/** The loops of {@link NormKernels} over one contiguous run (the float32 twin is generated). */
final class DoubleNormRows {
    private DoubleNormRows() {}

    // Four accumulators: independent add chains run in parallel (one chain is latency-bound).

    /** Σ (x − m)² over {@code len} elements at {@code at}. */
    static double squaredDeviations(double[] x, int at, int len, double m) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i, end = at + len;
        for (i = at; i + 3 < end; i += 4) {
            double d0 = x[i] - m, d1 = x[i + 1] - m, d2 = x[i + 2] - m, d3 = x[i + 3] - m;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < end; i++) {
            double d0 = x[i] - m;
            s0 += d0 * d0;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ u·(v − m) over {@code len} elements. */
    static double productSum(double[] u, int uo, double[] v, int vo, int len, double m) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            s0 += u[uo + j] * (v[vo + j] - m);
            s1 += u[uo + j + 1] * (v[vo + j + 1] - m);
            s2 += u[uo + j + 2] * (v[vo + j + 2] - m);
            s3 += u[uo + j + 3] * (v[vo + j + 3] - m);
        }
        for (; j < len; j++) s0 += u[uo + j] * (v[vo + j] - m);
        return (s0 + s1) + (s2 + s3);
    }

    /** out = a·x + b over {@code len} elements. */
    static void affine(double[] x, int xo, double[] out, int oo, int len, double a, double b) {
        for (int j = 0; j < len; j++) out[oo + j] = a * x[xo + j] + b;
    }

    /** out = a·u + (b·v + k) over {@code len} elements. */
    static void affine2(double[] u, int uo, double[] v, int vo, double[] out, int oo, int len, double a, double b,
                        double k) {
        for (int j = 0; j < len; j++) out[oo + j] = a * u[uo + j] + (b * v[vo + j] + k);
    }
}
