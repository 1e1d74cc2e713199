// twin: float -> FloatUpdates
// twin: note the (double) casts of the settings are no-ops here; in the float twin they round them to float.
package io.chainrule.tensor;

/**
 * The float64 loops of {@link Updates}. Chunks are fixed by size, so results do not depend on the thread count; the
 * vector bodies ({@link DoubleSimdUpdates}) and the scalar tails agree element for element.
 */
final class DoubleUpdates {
    /** Elements per parallel chunk. */
    private static final int GRAIN = 1 << 15;
    /** Below this many elements the SIMD set-up does not pay. */
    private static final int SIMD_MIN = 64;

    private DoubleUpdates() {}

    /** SGD over {@code n} contiguous elements; {@code buf} is null without momentum. */
    static void sgd(Updates.Sgd s, double[] p, int po, double[] g, int go, double[] buf, int bo, int n) {
        Parallel.forChunks(n, GRAIN, (a, b) -> {
            int i = a;
            if (Simd.ENABLED && b - a >= SIMD_MIN) i = DoubleSimdUpdates.sgd(s, p, po, g, go, buf, bo, a, b);
            double lr = (double) s.lr(), wd = (double) s.weightDecay(), mom = (double) s.momentum(), damp = (double) s.dampened();
            for (; i < b; i++) {
                double d = g[go + i];
                if (wd != 0) d = p[po + i] * wd + d;
                if (buf != null) {
                    double v = s.first() ? d : buf[bo + i] * mom + d * damp;
                    buf[bo + i] = v;
                    d = s.nesterov() ? v * mom + d : v;
                }
                p[po + i] = p[po + i] - d * lr;
            }
        });
    }

    /** Adam over {@code n} contiguous elements; {@code vmax} is null without AMSGrad. */
    static void adam(Updates.Adam s, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo,
                     double[] vmax, int xo, int n) {
        Parallel.forChunks(n, GRAIN, (a, b) -> {
            int i = a;
            if (Simd.ENABLED && b - a >= SIMD_MIN) i = DoubleSimdUpdates.adam(s, p, po, g, go, m, mo, v, vo, vmax, xo, a, b);
            double decay = (double) s.decay(), wd = (double) s.weightDecay(), c1 = (double) s.oneMinusBeta1();
            double b2 = (double) s.beta2(), c2 = (double) s.oneMinusBeta2(), bc = (double) s.biasCorrection2Sqrt();
            double eps = (double) s.eps(), step = (double) s.stepSize();
            for (; i < b; i++) {
                double pi = p[po + i];
                if (decay != 1) pi = pi * decay;
                double gi = g[go + i];
                if (wd != 0) gi = pi * wd + gi;
                double mi = m[mo + i];
                mi = mi + (gi - mi) * c1;
                double vi = v[vo + i] * b2 + (gi * gi) * c2;
                m[mo + i] = mi;
                v[vo + i] = vi;
                if (vmax != null) vi = vmax[xo + i] = Math.max(vmax[xo + i], vi);
                double denom = (double) Math.sqrt(vi) / bc + eps;
                p[po + i] = pi - (mi / denom) * step;
            }
        });
    }
}
