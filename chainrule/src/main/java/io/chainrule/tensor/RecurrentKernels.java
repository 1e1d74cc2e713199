package io.chainrule.tensor;

/**
 * The elementwise part of one LSTM step, forward and backward, over rows of a batch (gate order i, f, g, o, as in
 * PyTorch). Rows are contiguous: a gate row holds 4·hidden values, a state row hidden. The arrays of one call are all
 * float[] or all double[]; the rows are {@link DoubleRecurrentRows} and its generated float twin. The formulas are
 * those of {@code LstmOps}' backward in tensor ops, operation for operation.
 */
public final class RecurrentKernels {
    /** Rows summed in float before the partial sum joins the float64 total (see {@link #addColumnSums}). */
    private static final int SUM_BLOCK = 32;

    private RecurrentKernels() {}

    /**
     * {@code total[j] += Σ_r m[mo + r·cols + j]} over {@code rows} contiguous rows of {@code cols}: the bias gradient
     * of a layer, from its gates' gradients as rows. float64 rows are summed in row order. float32 rows are added in
     * blocks, in float (vector rows), each block's sum then in float64, always in row order, so the result depends on
     * the sizes only and the rounding error stays that of a short float sum.
     */
    public static void addColumnSums(Object m, int mo, int rows, int cols, double[] total) {
        if (m instanceof double[] md) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0, o = mo + r * cols; j < cols; j++) total[j] += md[o + j];
            }
            return;
        }
        float[] block = new float[cols];
        for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
            System.arraycopy(m, mo + r0 * cols, block, 0, cols);
            for (int r = r0 + 1; r < Math.min(rows, r0 + SUM_BLOCK); r++) {
                FloatPointwise.binaryRow(Pointwise.Binary.ADD, block, 0, 1, (float[]) m, mo + r * cols, 1, block, 0, cols);
            }
            for (int j = 0; j < cols; j++) total[j] += block[j];
        }
    }

    /**
     * Forward: on entry a row of {@code gates} holds x·W_ihᵀ + h·W_hhᵀ; the pre-activation is that plus {@code bias}
     * (4·hidden values, the same for every row). On exit {@code gates} holds the activations i, f, g, o, and
     * c = f·cPrev + i·g, tc = tanh(c) (kept for the backward), h = o·tc.
     */
    public static void lstmForward(Object gates, int go, Object bias, Object cPrev, int cpo, Object c, int co,
                                   Object tc, int tco, Object h, int ho, int rows, int hidden) {
        if (gates instanceof float[] g) {
            FloatRecurrentRows.lstmForward(g, go, (float[]) bias, (float[]) cPrev, cpo, (float[]) c, co, (float[]) tc, tco,
                    (float[]) h, ho, rows, hidden);
        } else {
            DoubleRecurrentRows.lstmForward((double[]) gates, go, (double[]) bias, (double[]) cPrev, cpo, (double[]) c, co,
                    (double[]) tc, tco, (double[]) h, ho, rows, hidden);
        }
    }

    /**
     * Backward of one step. {@code acts} holds i, f, g, o; {@code tc} tanh of the step's cell state, {@code cPrev} the
     * cell state before. The gradient reaching h is {@code dhOut + dhNext} (the step's own output gradient and what the next
     * step sent back); the one reaching c is {@code dc}, which is replaced by the gradient for cPrev. Writes the
     * gradient of the four pre-activations to {@code dGates}:
     * <pre>
     * dc' = dc + dh·o·(1 − tanh²c)      d_o = dh·tanh c·o(1 − o)       d_i = dc'·g·i(1 − i)
     * d_f = dc'·cPrev·f(1 − f)          d_g = dc'·i·(1 − g²)           dcPrev = dc'·f
     * </pre>
     */
    public static void lstmBackward(Object acts, int ao, Object cPrev, int cpo, Object tcs, int tco, Object dhOut,
                                    int dho, Object dhNext, int dhn, Object dc, int dco, Object dGates, int dgo, int rows,
                                    int hidden) {
        if (acts instanceof float[] a) {
            FloatRecurrentRows.lstmBackward(a, ao, (float[]) cPrev, cpo, (float[]) tcs, tco, (float[]) dhOut, dho,
                    (float[]) dhNext, dhn, (float[]) dc, dco, (float[]) dGates, dgo, rows, hidden);
        } else {
            DoubleRecurrentRows.lstmBackward((double[]) acts, ao, (double[]) cPrev, cpo, (double[]) tcs, tco, (double[]) dhOut,
                    dho, (double[]) dhNext, dhn, (double[]) dc, dco, (double[]) dGates, dgo, rows, hidden);
        }
    }
}
