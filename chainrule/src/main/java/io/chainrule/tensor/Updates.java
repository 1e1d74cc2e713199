package io.chainrule.tensor;

/**
 * Optimizer updates fused into one pass over memory: a step of SGD or Adam reads each parameter, gradient and
 * state element once and writes it once, instead of one pass (and one temporary) per term of the formula.
 *
 * <p>Every element goes through the same float operations, in the same order, as the unfused tensor formula
 * (written next to each method), without FMA, so the fused step changes no bits. The loops are
 * {@link DoubleUpdates} and its generated float twin.
 */
public final class Updates {
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
        FloatUpdates.sgd(s, p, po, g, go, buf, bo, n);
    }

    /** SGD over {@code n} contiguous float64 elements; {@code buf} is null without momentum. */
    public static void sgd(Sgd s, double[] p, int po, double[] g, int go, double[] buf, int bo, int n) {
        DoubleUpdates.sgd(s, p, po, g, go, buf, bo, n);
    }

    /** Adam over {@code n} contiguous float32 elements; {@code vmax} is null without AMSGrad. */
    public static void adam(Adam s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo,
                            float[] vmax, int xo, int n) {
        FloatUpdates.adam(s, p, po, g, go, m, mo, v, vo, vmax, xo, n);
    }

    /** Adam over {@code n} contiguous float64 elements; {@code vmax} is null without AMSGrad. */
    public static void adam(Adam s, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo,
                            double[] vmax, int xo, int n) {
        DoubleUpdates.adam(s, p, po, g, go, m, mo, v, vo, vmax, xo, n);
    }
}
