// twin: float -> FloatRecurrentRows
package io.chainrule.tensor;

import io.chainrule.tensor.Pointwise.Binary;
import io.chainrule.tensor.Pointwise.Unary;

/**
 * The float64 rows of {@link RecurrentKernels} (LSTM) and {@link GruKernels}: forwards composed from
 * {@link DoublePointwise} rows, backwards as vector bodies ({@link DoubleSimdRecurrent}) with scalar tails that
 * compute the same numbers, so results do not depend on how rows are split between threads.
 */
final class DoubleRecurrentRows {
    private DoubleRecurrentRows() {}

    /** See {@link RecurrentKernels#lstmForward}. */
    static void lstmForward(double[] gates, int go, double[] bias, double[] cPrev, int cpo, double[] c, int co,
                            double[] tc, int tco, double[] h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int g = go + r * 4 * hidden, s = r * hidden;
            // One pass per function, each a small loop: see SimdMath on why they are not fused.
            DoublePointwise.binaryRow(Binary.ADD, gates, g, 1, bias, 0, 1, gates, g, 4 * hidden);
            DoublePointwise.unary(Unary.SIGMOID, 0, 0, gates, g, gates, g, 2 * hidden); // i and f are adjacent
            DoublePointwise.unary(Unary.TANH, 0, 0, gates, g + 2 * hidden, gates, g + 2 * hidden, hidden);
            DoublePointwise.unary(Unary.SIGMOID, 0, 0, gates, g + 3 * hidden, gates, g + 3 * hidden, hidden);
            int done = Simd.ENABLED ? DoubleSimdRecurrent.cellState(gates, g, cPrev, cpo + s, c, co + s, hidden) : 0;
            for (int j = done; j < hidden; j++) {
                c[co + s + j] = gates[g + hidden + j] * cPrev[cpo + s + j] + gates[g + j] * gates[g + 2 * hidden + j];
            }
            DoublePointwise.unary(Unary.TANH, 0, 0, c, co + s, tc, tco + s, hidden);
            DoublePointwise.binaryRow(Binary.MUL, gates, g + 3 * hidden, 1, tc, tco + s, 1, h, ho + s, hidden);
        }
    }

    /** See {@link RecurrentKernels#lstmBackward}. */
    static void lstmBackward(double[] acts, int ao, double[] cPrev, int cpo, double[] tcs, int tco, double[] dhOut,
                             int dho, double[] dhNext, int dhn, double[] dc, int dco, double[] dGates, int dgo, int rows,
                             int hidden) {
        for (int r = 0; r < rows; r++) {
            int a = ao + r * 4 * hidden, d = dgo + r * 4 * hidden, s = r * hidden;
            int done = Simd.ENABLED ? DoubleSimdRecurrent.lstmBackward(acts, a, cPrev, cpo + s, tcs, tco + s, dhOut, dho + s,
                    dhNext, dhn + s, dc, dco + s, dGates, d, hidden) : 0;
            for (int j = done; j < hidden; j++) {
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

    /** See {@link GruKernels#forward}. */
    static void gruForward(double[] gi, int go, double[] bIh, double[] gh, int gho, double[] bHh, double[] hPrev, int hpo,
                           double[] ghn, int gno, double[] h, int ho, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int g = go + r * 3 * hidden, q = gho + r * 3 * hidden, s = r * hidden, n = g + 2 * hidden, qn = q + 2 * hidden;
            DoublePointwise.binaryRow(Binary.ADD, gi, g, 1, bIh, 0, 1, gi, g, 3 * hidden);
            DoublePointwise.binaryRow(Binary.ADD, gh, q, 1, bHh, 0, 1, gh, q, 3 * hidden);
            DoublePointwise.binaryRow(Binary.ADD, gi, g, 1, gh, q, 1, gi, g, 2 * hidden);
            DoublePointwise.unary(Unary.SIGMOID, 0, 0, gi, g, gi, g, 2 * hidden);
            System.arraycopy(gh, qn, ghn, gno + s, hidden);
            DoublePointwise.binaryRow(Binary.MUL, gi, g, 1, gh, qn, 1, gh, qn, hidden);
            DoublePointwise.binaryRow(Binary.ADD, gi, n, 1, gh, qn, 1, gi, n, hidden);
            DoublePointwise.unary(Unary.TANH, 0, 0, gi, n, gi, n, hidden);
            DoublePointwise.binaryRow(Binary.SUB, hPrev, hpo + s, 1, gi, n, 1, h, ho + s, hidden);
            DoublePointwise.binaryRow(Binary.MUL, gi, g + hidden, 1, h, ho + s, 1, h, ho + s, hidden);
            DoublePointwise.binaryRow(Binary.ADD, gi, n, 1, h, ho + s, 1, h, ho + s, hidden);
        }
    }

    /** See {@link GruKernels#backward}. */
    static void gruBackward(double[] acts, int ao, double[] ghn, int gno, double[] hPrev, int hpo, double[] dhOut, int dho,
                            double[] dh, int dhn, double[] dGi, double[] dGh, int dgo, int rows, int hidden) {
        for (int r = 0; r < rows; r++) {
            int a = ao + r * 3 * hidden, d = dgo + r * 3 * hidden, s = r * hidden;
            int done = Simd.ENABLED ? DoubleSimdRecurrent.gruBackward(acts, a, ghn, gno + s, hPrev, hpo + s, dhOut, dho + s,
                    dh, dhn + s, dGi, dGh, d, hidden) : 0;
            for (int j = done; j < hidden; j++) {
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
