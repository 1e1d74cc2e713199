package io.chainrule.tensor;

/**
 * The elementwise part of one GRU step, forward and backward, over rows of a batch (gate order r, z, n, as in
 * PyTorch): r, z = σ(gi + gh), n = tanh(gi_n + r·gh_n), h' = n + z·(h − n), with gi = x·W_ihᵀ + b_ih and
 * gh = h·W_hhᵀ + b_hh. Rows are contiguous (3·hidden gate values, hidden state values). Float rows run vector bodies
 * with scalar tails that compute the same numbers; the formulas are those of {@code RecurrentOps}' backward in
 * tensor ops, operation for operation.
 */
public final class GruKernels {
    private GruKernels() {}

    /**
     * Forward: on entry a row of {@code gi} holds x·W_ihᵀ and of {@code gh} h·W_hhᵀ; on exit {@code gi} holds r, z, n,
     * {@code ghn} the saved W_hn·h + b_hn, and {@code h} the new state. {@code gh} is scratch.
     */
    public static void forward(float[] gi, int go, float[] bIh, float[] gh, int gho, float[] bHh, float[] hPrev, int hpo,
                               float[] ghn, int gno, float[] h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int g = go + r * 3 * hidden, q = gho + r * 3 * hidden, s = r * hidden, n = g + 2 * hidden, qn = q + 2 * hidden;
            Pointwise.binaryRow(Pointwise.Binary.ADD, gi, g, 1, bIh, 0, 1, gi, g, 3 * hidden);
            Pointwise.binaryRow(Pointwise.Binary.ADD, gh, q, 1, bHh, 0, 1, gh, q, 3 * hidden);
            Pointwise.binaryRow(Pointwise.Binary.ADD, gi, g, 1, gh, q, 1, gi, g, 2 * hidden);
            Pointwise.unary(Pointwise.Unary.SIGMOID, 0, 0, gi, g, gi, g, 2 * hidden);
            System.arraycopy(gh, qn, ghn, gno + s, hidden);
            Pointwise.binaryRow(Pointwise.Binary.MUL, gi, g, 1, gh, qn, 1, gh, qn, hidden);
            Pointwise.binaryRow(Pointwise.Binary.ADD, gi, n, 1, gh, qn, 1, gi, n, hidden);
            Pointwise.unary(Pointwise.Unary.TANH, 0, 0, gi, n, gi, n, hidden);
            Pointwise.binaryRow(Pointwise.Binary.SUB, hPrev, hpo + s, 1, gi, n, 1, h, ho + s, hidden);
            Pointwise.binaryRow(Pointwise.Binary.MUL, gi, g + hidden, 1, h, ho + s, 1, h, ho + s, hidden);
            Pointwise.binaryRow(Pointwise.Binary.ADD, gi, n, 1, h, ho + s, 1, h, ho + s, hidden);
        }
    }

    /** {@link #forward(float[], int, float[], float[], int, float[], float[], int, float[], int, float[], int, int, int)} in float64. */
    public static void forward(double[] gi, int go, double[] bIh, double[] gh, int gho, double[] bHh, double[] hPrev, int hpo,
                               double[] ghn, int gno, double[] h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int g = go + r * 3 * hidden, q = gho + r * 3 * hidden, s = r * hidden;
            for (int j = 0; j < hidden; j++) {
                double rg = MathFns.sigmoid((gi[g + j] + bIh[j]) + (gh[q + j] + bHh[j]));
                double zg = MathFns.sigmoid((gi[g + hidden + j] + bIh[hidden + j]) + (gh[q + hidden + j] + bHh[hidden + j]));
                double hn = gh[q + 2 * hidden + j] + bHh[2 * hidden + j];
                double ng = Math.tanh((gi[g + 2 * hidden + j] + bIh[2 * hidden + j]) + rg * hn);
                gi[g + j] = rg;
                gi[g + hidden + j] = zg;
                gi[g + 2 * hidden + j] = ng;
                ghn[gno + s + j] = hn;
                h[ho + s + j] = ng + zg * (hPrev[hpo + s + j] - ng);
            }
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
    public static void backward(float[] acts, int ao, float[] ghn, int gno, float[] hPrev, int hpo, float[] dhOut, int dho,
                                float[] dh, int dhn, float[] dGi, float[] dGh, int dgo, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int a = ao + r * 3 * hidden, d = dgo + r * 3 * hidden, s = r * hidden;
            int done = Simd.ENABLED ? SimdRecurrent.gruBackward(acts, a, ghn, gno + s, hPrev, hpo + s, dhOut, dho + s,
                    dh, dhn + s, dGi, dGh, d, hidden) : 0;
            for (int j = done; j < hidden; j++) {
                float rg = acts[a + j], zg = acts[a + hidden + j], ng = acts[a + 2 * hidden + j];
                float dht = dhOut[dho + s + j] + dh[dhn + s + j];
                float dn = dht * (1f - zg), dz = dht * (hPrev[hpo + s + j] - ng);
                dh[dhn + s + j] = dht * zg;
                float dnp = dn * (1f - ng * ng);
                float drp = dnp * ghn[gno + s + j] * (rg * (1f - rg)), dzp = dz * (zg * (1f - zg));
                dGi[d + j] = drp;
                dGi[d + hidden + j] = dzp;
                dGi[d + 2 * hidden + j] = dnp;
                dGh[d + j] = drp;
                dGh[d + hidden + j] = dzp;
                dGh[d + 2 * hidden + j] = dnp * rg;
            }
        }
    }

    /** {@link #backward(float[], int, float[], int, float[], int, float[], int, float[], int, float[], float[], int, int, int)} in float64. */
    public static void backward(double[] acts, int ao, double[] ghn, int gno, double[] hPrev, int hpo, double[] dhOut, int dho,
                                double[] dh, int dhn, double[] dGi, double[] dGh, int dgo, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int a = ao + r * 3 * hidden, d = dgo + r * 3 * hidden, s = r * hidden;
            for (int j = 0; j < hidden; j++) {
                double rg = acts[a + j], zg = acts[a + hidden + j], ng = acts[a + 2 * hidden + j];
                double dht = dhOut[dho + s + j] + dh[dhn + s + j];
                double dn = dht * (1d - zg), dz = dht * (hPrev[hpo + s + j] - ng);
                dh[dhn + s + j] = dht * zg;
                double dnp = dn * (1d - ng * ng);
                double drp = dnp * ghn[gno + s + j] * (rg * (1d - rg)), dzp = dz * (zg * (1d - zg));
                dGi[d + j] = drp;
                dGi[d + hidden + j] = dzp;
                dGi[d + 2 * hidden + j] = dnp;
                dGh[d + j] = drp;
                dGh[d + hidden + j] = dzp;
                dGh[d + 2 * hidden + j] = dnp * rg;
            }
        }
    }
}
