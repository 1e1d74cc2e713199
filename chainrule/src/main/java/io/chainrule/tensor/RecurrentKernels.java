package io.chainrule.tensor;

/**
 * The elementwise part of one LSTM step, forward and backward, over rows of a batch (gate order i, f, g, o, as in
 * PyTorch). Rows are contiguous: a gate row holds 4·hidden values, a state row hidden. Float rows run vector bodies
 * ({@code SimdRecurrent}) with a scalar tail that computes the same numbers, so results do not depend on how rows
 * are split between threads. The formulas are those of {@code RecurrentOps}' backward in tensor ops, operation for
 * operation.
 */
public final class RecurrentKernels {
    /** Rows summed in float before the partial sum joins the float64 total (see {@link #addColumnSums}). */
    private static final int SUM_BLOCK = 32;

    private RecurrentKernels() {}

    /**
     * {@code total[j] += Σ_r m[mo + r·cols + j]} over {@code rows} contiguous rows of {@code cols}: the bias gradient
     * of a layer, from its gates' gradients as rows. Blocks of rows are added in float (vector rows), each block's sum
     * then in float64, always in row order, so the result depends on the sizes only and the rounding error stays that
     * of a short float sum.
     */
    public static void addColumnSums(float[] m, int mo, int rows, int cols, double[] total) {
        float[] block = new float[cols];
        for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
            System.arraycopy(m, mo + r0 * cols, block, 0, cols);
            for (int r = r0 + 1; r < Math.min(rows, r0 + SUM_BLOCK); r++) {
                Pointwise.binaryRow(Pointwise.Binary.ADD, block, 0, 1, m, mo + r * cols, 1, block, 0, cols);
            }
            for (int j = 0; j < cols; j++) total[j] += block[j];
        }
    }

    /** {@link #addColumnSums(float[], int, int, int, double[])} in float64, summed in row order. */
    public static void addColumnSums(double[] m, int mo, int rows, int cols, double[] total) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = mo + r * cols; j < cols; j++) total[j] += m[o + j];
        }
    }

    /**
     * Forward: on entry a row of {@code gates} holds x·W_ihᵀ + h·W_hhᵀ; the pre-activation is that plus {@code bias}
     * (4·hidden values, the same for every row). On exit {@code gates} holds the activations i, f, g, o, and
     * c = f·cPrev + i·g, tc = tanh(c) (kept for the backward), h = o·tc.
     */
    public static void lstmForward(float[] gates, int go, float[] bias, float[] cPrev, int cpo, float[] c, int co,
                                   float[] tc, int tco, float[] h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int g = go + r * 4 * hidden, s = r * hidden;
            // One pass per function, each a small loop: see SimdMath on why they are not fused.
            Pointwise.binaryRow(Pointwise.Binary.ADD, gates, g, 1, bias, 0, 1, gates, g, 4 * hidden);
            Pointwise.unary(Pointwise.Unary.SIGMOID, 0, 0, gates, g, gates, g, 2 * hidden); // i and f are adjacent
            Pointwise.unary(Pointwise.Unary.TANH, 0, 0, gates, g + 2 * hidden, gates, g + 2 * hidden, hidden);
            Pointwise.unary(Pointwise.Unary.SIGMOID, 0, 0, gates, g + 3 * hidden, gates, g + 3 * hidden, hidden);
            int done = Simd.ENABLED ? SimdRecurrent.cellState(gates, g, cPrev, cpo + s, c, co + s, hidden) : 0;
            for (int j = done; j < hidden; j++) {
                c[co + s + j] = gates[g + hidden + j] * cPrev[cpo + s + j] + gates[g + j] * gates[g + 2 * hidden + j];
            }
            Pointwise.unary(Pointwise.Unary.TANH, 0, 0, c, co + s, tc, tco + s, hidden);
            Pointwise.binaryRow(Pointwise.Binary.MUL, gates, g + 3 * hidden, 1, tc, tco + s, 1, h, ho + s, hidden);
        }
    }

    /** The float64 twin of the float {@code lstmForward}. */
    public static void lstmForward(double[] gates, int go, double[] bias, double[] cPrev, int cpo, double[] c, int co,
                                   double[] tc, int tco, double[] h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int g = go + r * 4 * hidden, s = r * hidden;
            for (int j = 0; j < hidden; j++) {
                double i = MathFns.sigmoid(gates[g + j] + bias[j]);
                double f = MathFns.sigmoid(gates[g + hidden + j] + bias[hidden + j]);
                double u = Math.tanh(gates[g + 2 * hidden + j] + bias[2 * hidden + j]);
                double o = MathFns.sigmoid(gates[g + 3 * hidden + j] + bias[3 * hidden + j]);
                double cj = f * cPrev[cpo + s + j] + i * u;
                gates[g + j] = i;
                gates[g + hidden + j] = f;
                gates[g + 2 * hidden + j] = u;
                gates[g + 3 * hidden + j] = o;
                double t = Math.tanh(cj);
                c[co + s + j] = cj;
                tc[tco + s + j] = t;
                h[ho + s + j] = o * t;
            }
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
    public static void lstmBackward(float[] acts, int ao, float[] cPrev, int cpo, float[] tcs, int tco, float[] dhOut,
                                    int dho, float[] dhNext, int dhn, float[] dc, int dco, float[] dGates, int dgo, int rows,
                                    int hidden) {
        for (int r = 0; r < rows; r++) {
            int a = ao + r * 4 * hidden, d = dgo + r * 4 * hidden, s = r * hidden;
            int done = Simd.ENABLED ? SimdRecurrent.lstmBackward(acts, a, cPrev, cpo + s, tcs, tco + s, dhOut, dho + s,
                    dhNext, dhn + s, dc, dco + s, dGates, d, hidden) : 0;
            for (int j = done; j < hidden; j++) {
                float i = acts[a + j], f = acts[a + hidden + j], u = acts[a + 2 * hidden + j], o = acts[a + 3 * hidden + j];
                float tc = tcs[tco + s + j];
                float dh = dhOut[dho + s + j] + dhNext[dhn + s + j];
                float dct = dc[dco + s + j] + dh * o * (1f - tc * tc);
                dGates[d + j] = dct * u * (i * (1f - i));
                dGates[d + hidden + j] = dct * cPrev[cpo + s + j] * (f * (1f - f));
                dGates[d + 2 * hidden + j] = dct * i * (1f - u * u);
                dGates[d + 3 * hidden + j] = dh * tc * (o * (1f - o));
                dc[dco + s + j] = dct * f;
            }
        }
    }

    /** The float64 twin of the float {@code lstmBackward}. */
    public static void lstmBackward(double[] acts, int ao, double[] cPrev, int cpo, double[] tcs, int tco, double[] dhOut,
                                    int dho, double[] dhNext, int dhn, double[] dc, int dco, double[] dGates, int dgo, int rows,
                                    int hidden) {
        for (int r = 0; r < rows; r++) {
            int a = ao + r * 4 * hidden, d = dgo + r * 4 * hidden, s = r * hidden;
            for (int j = 0; j < hidden; j++) {
                double i = acts[a + j], f = acts[a + hidden + j], u = acts[a + 2 * hidden + j], o = acts[a + 3 * hidden + j];
                double tc = tcs[tco + s + j];
                double dh = dhOut[dho + s + j] + dhNext[dhn + s + j];
                double dct = dc[dco + s + j] + dh * o * (1d - tc * tc);
                dGates[d + j] = dct * u * (i * (1d - i));
                dGates[d + hidden + j] = dct * cPrev[cpo + s + j] * (f * (1d - f));
                dGates[d + 2 * hidden + j] = dct * i * (1d - u * u);
                dGates[d + 3 * hidden + j] = dh * tc * (o * (1d - o));
                dc[dco + s + j] = dct * f;
            }
        }
    }
}
