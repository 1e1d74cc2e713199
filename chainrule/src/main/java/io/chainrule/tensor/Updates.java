package io.chainrule.tensor;

/**
 * Optimizer updates fused into one pass over memory: a step of SGD or Adam reads each parameter, gradient and
 * state element once and writes it once, instead of one pass (and one temporary) per term of the formula.
 *
 * <p>Every element goes through the same float operations, in the same order, as the unfused tensor formula
 * (written next to each method), without FMA, so the fused step changes no bits. The SIMD kernels
 * ({@link SimdUpdates}) and the scalar loops here agree element for element; chunks are fixed by size, so results
 * do not depend on the thread count.
 */
public final class Updates {
    /** Elements per parallel chunk. */
    private static final int GRAIN = 1 << 15;
    /** Below this many elements the SIMD set-up does not pay. */
    private static final int SIMD_MIN = 64;

    private Updates() {}

    /**
     * SGD settings, as float32 or float64 constants of the parameter's dtype. {@code dampened} is 1 − dampening.
     * Per element: {@code d = g (+ p·wd); buf = first ? d : buf·momentum + d·dampened; d = nesterov ? buf·momentum
     * + d : buf; p = p − d·lr} (without momentum, buf is skipped).
     */
    public record Sgd(double lr, double weightDecay, double momentum, double dampened, boolean nesterov, boolean first) {}

    /**
     * Adam settings. Per element: {@code p = p·decay} (AdamW's decoupled decay; 1 when unused); {@code g = g (+ p·wd)};
     * {@code m = m + (g − m)·oneMinusBeta1}; {@code v = v·beta2 + (g·g)·oneMinusBeta2}; with AMSGrad
     * {@code vmax = max(vmax, v)} replaces v below; {@code p = p − (m / (sqrt(v) / biasCorrection2Sqrt + eps))·stepSize}.
     */
    public record Adam(double decay, double weightDecay, double oneMinusBeta1, double beta2, double oneMinusBeta2,
                       double biasCorrection2Sqrt, double eps, double stepSize) {}

    /** SGD over {@code n} contiguous float32 elements; {@code buf} is null without momentum. */
    public static void sgd(Sgd s, float[] p, int po, float[] g, int go, float[] buf, int bo, int n) {
        Parallel.forChunks(n, GRAIN, (a, b) -> {
            int i = a;
            if (Simd.ENABLED && b - a >= SIMD_MIN) i = SimdUpdates.sgd(s, p, po, g, go, buf, bo, a, b);
            float lr = (float) s.lr(), wd = (float) s.weightDecay(), mom = (float) s.momentum(), damp = (float) s.dampened();
            for (; i < b; i++) {
                float d = g[go + i];
                if (wd != 0) d = p[po + i] * wd + d;
                if (buf != null) {
                    float v = s.first() ? d : buf[bo + i] * mom + d * damp;
                    buf[bo + i] = v;
                    d = s.nesterov() ? v * mom + d : v;
                }
                p[po + i] = p[po + i] - d * lr;
            }
        });
    }

    /** SGD over {@code n} contiguous float64 elements; {@code buf} is null without momentum. */
    public static void sgd(Sgd s, double[] p, int po, double[] g, int go, double[] buf, int bo, int n) {
        Parallel.forChunks(n, GRAIN, (a, b) -> {
            int i = a;
            if (Simd.ENABLED && b - a >= SIMD_MIN) i = SimdUpdates.sgd(s, p, po, g, go, buf, bo, a, b);
            double lr = s.lr(), wd = s.weightDecay(), mom = s.momentum(), damp = s.dampened();
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

    /** Adam over {@code n} contiguous float32 elements; {@code vmax} is null without AMSGrad. */
    public static void adam(Adam s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo,
                            float[] vmax, int xo, int n) {
        Parallel.forChunks(n, GRAIN, (a, b) -> {
            int i = a;
            if (Simd.ENABLED && b - a >= SIMD_MIN) i = SimdUpdates.adam(s, p, po, g, go, m, mo, v, vo, vmax, xo, a, b);
            float decay = (float) s.decay(), wd = (float) s.weightDecay(), c1 = (float) s.oneMinusBeta1();
            float b2 = (float) s.beta2(), c2 = (float) s.oneMinusBeta2(), bc = (float) s.biasCorrection2Sqrt();
            float eps = (float) s.eps(), step = (float) s.stepSize();
            for (; i < b; i++) {
                float pi = p[po + i];
                if (decay != 1) pi = pi * decay;
                float gi = g[go + i];
                if (wd != 0) gi = pi * wd + gi;
                float mi = m[mo + i];
                mi = mi + (gi - mi) * c1;
                float vi = v[vo + i] * b2 + (gi * gi) * c2;
                m[mo + i] = mi;
                v[vo + i] = vi;
                if (vmax != null) vi = vmax[xo + i] = Math.max(vmax[xo + i], vi);
                float denom = (float) Math.sqrt(vi) / bc + eps;
                p[po + i] = pi - (mi / denom) * step;
            }
        });
    }

    /** Adam over {@code n} contiguous float64 elements; {@code vmax} is null without AMSGrad. */
    public static void adam(Adam s, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo,
                            double[] vmax, int xo, int n) {
        Parallel.forChunks(n, GRAIN, (a, b) -> {
            int i = a;
            if (Simd.ENABLED && b - a >= SIMD_MIN) i = SimdUpdates.adam(s, p, po, g, go, m, mo, v, vo, vmax, xo, a, b);
            double decay = s.decay(), wd = s.weightDecay(), c1 = s.oneMinusBeta1();
            double b2 = s.beta2(), c2 = s.oneMinusBeta2(), bc = s.biasCorrection2Sqrt();
            double eps = s.eps(), step = s.stepSize();
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
                double denom = Math.sqrt(vi) / bc + eps;
                p[po + i] = pi - (mi / denom) * step;
            }
        });
    }
}
