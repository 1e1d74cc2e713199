// twin: float -> FloatPoolRows
package io.chainrule.tensor;

/** The loops of {@link PoolKernels} on float64 planes (the float32 twin is generated). */
final class DoublePoolRows {
    private DoublePoolRows() {}

    /** See {@link PoolKernels#max2x2}. */
    static void max2x2(double[] x, int xo, double[] y, int yo, int[] argmax, int w, int oh, int ow) {
        for (int r = 0; r < oh; r++) {
            int top = xo + 2 * r * w, bottom = top + w;
            for (int q = 0, o = yo + r * ow; q < ow; q++, o++) {
                int i = 2 * q;
                double a = x[top + i], b = x[top + i + 1], c = x[bottom + i], d = x[bottom + i + 1];
                double m = Math.max(Math.max(a, b), Math.max(c, d));
                int at = m == m ? firstMax(a, b, c, d, m, top + i, bottom + i) : lastNan(b, c, d, top + i, bottom + i);
                y[o] = x[at];
                argmax[o] = at - xo;
            }
        }
    }

    // One select per step, the last candidate first: each compiles to a conditional move. Nested selects compile to
    // branches, which data without order mispredicts (twice the time).

    private static int firstMax(double a, double b, double c, double d, double m, int top, int bottom) {
        int at = bottom + 1;
        at = c == m ? bottom : at;
        at = b == m ? top + 1 : at;
        return a == m ? top : at;
    }

    private static int lastNan(double b, double c, double d, int top, int bottom) {
        int at = top;
        at = b != b ? top + 1 : at;
        at = c != c ? bottom : at;
        return d != d ? bottom + 1 : at;
    }

    /** See {@link PoolKernels#scatterMax}. */
    static void scatterMax(double[] g, int go, int[] argmax, int ao, double[] dx, int dxo, int len) {
        for (int i = 0; i < len; i++) dx[dxo + argmax[ao + i]] += g[go + i];
    }
}
