package io.chainrule.tensor;

/**
 * The elementwise part of one GRU step, forward and backward, over rows of a batch (gate order r, z, n, as in
 * PyTorch): r, z = σ(gi + gh), n = tanh(gi_n + r·gh_n), h' = n + z·(h − n), with gi = x·W_ihᵀ + b_ih and
 * gh = h·W_hhᵀ + b_hh. Rows are contiguous (3·hidden gate values, hidden state values). The arrays of one call are
 * all float[] or all double[]; the rows are {@link DoubleRecurrentRows} and its generated float twin. The formulas
 * are those of {@code GruOps}' backward in tensor ops, operation for operation.
 */
public final class GruKernels {
    private GruKernels() {}

    /**
     * Forward: on entry a row of {@code gi} holds x·W_ihᵀ and of {@code gh} h·W_hhᵀ; on exit {@code gi} holds r, z, n,
     * {@code ghn} the saved W_hn·h + b_hn, and {@code h} the new state. {@code gh} is scratch.
     */
    public static void forward(Object gi, int go, Object bIh, Object gh, int gho, Object bHh, Object hPrev, int hpo,
                               Object ghn, int gno, Object h, int ho, int rows, int hidden) {
        if (gi instanceof float[] g) {
            FloatRecurrentRows.gruForward(g, go, (float[]) bIh, (float[]) gh, gho, (float[]) bHh, (float[]) hPrev, hpo,
                    (float[]) ghn, gno, (float[]) h, ho, rows, hidden);
        } else {
            DoubleRecurrentRows.gruForward((double[]) gi, go, (double[]) bIh, (double[]) gh, gho, (double[]) bHh,
                    (double[]) hPrev, hpo, (double[]) ghn, gno, (double[]) h, ho, rows, hidden);
        }
    }

    /**
     * Backward of one step. {@code acts} holds r, z, n; {@code ghn} the saved W_hn·h + b_hn; {@code hPrev} the state
     * before the step. The gradient reaching h' is {@code dhOut + dh}; {@code dh} is replaced by the part that reaches
     * hPrev directly, dh'·z (the caller adds dGh·W_hh). Writes the pre-activation gradients of both projections:
     * <pre>
     * dn = dh'·(1 − z)      dz = dh'·(hPrev − n)      d_n = dn·(1 − n²)      d_r = d_n·ghn·r(1 − r)      d_z = dz·z(1 − z)
     * dGi = [d_r, d_z, d_n]      dGh = [d_r, d_z, d_n·r]
     * </pre>
     */
    public static void backward(Object acts, int ao, Object ghn, int gno, Object hPrev, int hpo, Object dhOut, int dho,
                                Object dh, int dhn, Object dGi, Object dGh, int dgo, int rows, int hidden) {
        if (acts instanceof float[] a) {
            FloatRecurrentRows.gruBackward(a, ao, (float[]) ghn, gno, (float[]) hPrev, hpo, (float[]) dhOut, dho,
                    (float[]) dh, dhn, (float[]) dGi, (float[]) dGh, dgo, rows, hidden);
        } else {
            DoubleRecurrentRows.gruBackward((double[]) acts, ao, (double[]) ghn, gno, (double[]) hPrev, hpo,
                    (double[]) dhOut, dho, (double[]) dh, dhn, (double[]) dGi, (double[]) dGh, dgo, rows, hidden);
        }
    }
}
