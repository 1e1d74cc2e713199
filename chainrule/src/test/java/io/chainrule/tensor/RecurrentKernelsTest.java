package io.chainrule.tensor;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The LSTM and GRU step kernels against the step's formulas written out here one element at a time, bit for bit: hidden
 * sizes that are whole vectors, a vector and a tail, and shorter than a vector, so the vector bodies and the scalar
 * loops are both held to the same numbers.
 */
class RecurrentKernelsTest {
    private static float[] randn(Generator g, int n, double scale) {
        return Tensor.randn(g, n).mul(scale).toFloatArray();
    }

    private static void assertBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 3})
    void forwardStepIsTheFormula(int hidden) {
        Generator g = new Generator(hidden);
        int rows = 3, gw = 4 * hidden;
        float[] pre = randn(g, rows * gw, 2), bias = randn(g, gw, 1), cPrev = randn(g, rows * hidden, 1);
        float[] gates = new float[rows * gw + 5];
        System.arraycopy(pre, 0, gates, 5, pre.length);
        float[] c = new float[rows * hidden], tc = new float[rows * hidden], h = new float[rows * hidden];
        RecurrentKernels.lstmForward(gates, 5, bias, cPrev, 0, c, 0, tc, 0, h, 0, rows, hidden);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < hidden; j++) {
                int p = r * gw + j, s = r * hidden + j;
                float i = MathFns.sigmoid(pre[p] + bias[j]), f = MathFns.sigmoid(pre[p + hidden] + bias[hidden + j]);
                float u = MathFns.tanh(pre[p + 2 * hidden] + bias[2 * hidden + j]);
                float o = MathFns.sigmoid(pre[p + 3 * hidden] + bias[3 * hidden + j]);
                float cj = f * cPrev[s] + i * u;
                String at = "row " + r + " column " + j;
                assertBits(i, gates[5 + p], "i " + at);
                assertBits(f, gates[5 + p + hidden], "f " + at);
                assertBits(u, gates[5 + p + 2 * hidden], "g " + at);
                assertBits(o, gates[5 + p + 3 * hidden], "o " + at);
                assertBits(cj, c[s], "c " + at);
                assertBits(MathFns.tanh(cj), tc[s], "tanh c " + at);
                assertBits(o * MathFns.tanh(cj), h[s], "h " + at);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 3})
    void backwardStepIsTheFormula(int hidden) {
        Generator g = new Generator(100 + hidden);
        int rows = 3, gw = 4 * hidden, n = rows * hidden;
        float[] acts = Tensor.rand(g, rows * gw).toFloatArray(); // activations in (0, 1); g may be too
        float[] cPrev = randn(g, n, 1), c = randn(g, n, 1), dhOut = randn(g, n, 1), dhNext = randn(g, n, 1);
        float[] dc = randn(g, n, 1), dc0 = dc.clone(), tcs = new float[n];
        for (int k = 0; k < n; k++) tcs[k] = MathFns.tanh(c[k]);
        float[] dGates = new float[rows * gw];
        RecurrentKernels.lstmBackward(acts, 0, cPrev, 0, tcs, 0, dhOut, 0, dhNext, 0, dc, 0, dGates, 0, rows, hidden);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < hidden; j++) {
                int p = r * gw + j, s = r * hidden + j;
                float i = acts[p], f = acts[p + hidden], u = acts[p + 2 * hidden], o = acts[p + 3 * hidden];
                float tc = MathFns.tanh(c[s]);
                float dh = dhOut[s] + dhNext[s];
                float dct = dc0[s] + dh * o * (1f - tc * tc);
                String at = "row " + r + " column " + j;
                assertBits(dct * u * (i * (1f - i)), dGates[p], "d_i " + at);
                assertBits(dct * cPrev[s] * (f * (1f - f)), dGates[p + hidden], "d_f " + at);
                assertBits(dct * i * (1f - u * u), dGates[p + 2 * hidden], "d_g " + at);
                assertBits(dh * tc * (o * (1f - o)), dGates[p + 3 * hidden], "d_o " + at);
                assertBits(dct * f, dc[s], "dcPrev " + at);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 3})
    void gruBackwardStepIsTheFormula(int hidden) {
        Generator g = new Generator(200 + hidden);
        int rows = 3, gw = 3 * hidden, n = rows * hidden;
        float[] acts = Tensor.rand(g, rows * gw).toFloatArray();
        float[] ghn = randn(g, n, 1), hPrev = randn(g, n, 1), dhOut = randn(g, n, 1), dh = randn(g, n, 1), dh0 = dh.clone();
        float[] dGi = new float[rows * gw], dGh = new float[rows * gw];
        GruKernels.backward(acts, 0, ghn, 0, hPrev, 0, dhOut, 0, dh, 0, dGi, dGh, 0, rows, hidden);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < hidden; j++) {
                int p = r * gw + j, s = r * hidden + j;
                float rg = acts[p], zg = acts[p + hidden], ng = acts[p + 2 * hidden];
                float dht = dhOut[s] + dh0[s];
                float dnp = dht * (1f - zg) * (1f - ng * ng);
                float drp = dnp * ghn[s] * (rg * (1f - rg)), dzp = dht * (hPrev[s] - ng) * (zg * (1f - zg));
                String at = "row " + r + " column " + j;
                assertBits(drp, dGi[p], "d_r " + at);
                assertBits(dzp, dGi[p + hidden], "d_z " + at);
                assertBits(dnp, dGi[p + 2 * hidden], "d_n " + at);
                assertBits(drp, dGh[p], "d_r (h side) " + at);
                assertBits(dzp, dGh[p + hidden], "d_z (h side) " + at);
                assertBits(dnp * rg, dGh[p + 2 * hidden], "d_n·r " + at);
                assertBits(dht * zg, dh[s], "dh direct " + at);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 31, 32, 33, 70})
    void columnSumsAddBlocksOfRowsInRowOrder(int rows) {
        Generator g = new Generator(rows);
        int cols = 21;
        float[] m = randn(g, 2 + rows * cols, 1);
        double[] total = new double[cols];
        total[0] = 0.25;
        RecurrentKernels.addColumnSums(m, 2, rows, cols, total);
        for (int j = 0; j < cols; j++) {
            double expected = j == 0 ? 0.25 : 0;
            for (int r0 = 0; r0 < rows; r0 += 32) {
                float block = 0;
                for (int r = r0; r < Math.min(rows, r0 + 32); r++) block += m[2 + r * cols + j];
                expected += block;
            }
            assertEquals(expected, total[j], 0.0, "column " + j);
        }
    }
}
