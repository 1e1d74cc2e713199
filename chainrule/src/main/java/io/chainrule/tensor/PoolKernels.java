package io.chainrule.tensor;

/**
 * Max-pooling kernels over one (sample, channel) plane at a time: the common 2×2, stride-2 window without padding,
 * and the backward that adds each output's gradient at its argmax. A caller that splits planes over threads writes
 * each plane from one thread in a fixed order: the same bits on any thread count.
 */
public final class PoolKernels {
    private PoolKernels() {}

    /**
     * 2×2 windows at stride 2 over an h×w plane at {@code xo} into an oh×ow plane at {@code yo} (oh = h/2, ow = w/2),
     * argmax (index within the input plane) into {@code argmax}, by PyTorch's rules: the first maximum in row-major
     * order wins, and a NaN beats every number and every earlier NaN. The maximum comes from {@link Math#max} (NaN if
     * any value is) and the index from comparisons against it: conditional moves on the four values loaded once, no
     * chain of loads through a moving index (1.7× faster than the general loop). The output is read back at the index, so a tie of −0 and +0 keeps the
     * first one's sign.
     */
    public static void max2x2(Object x, int xo, Object y, int yo, long[] argmax, int h, int w, int oh, int ow) {
        if (x instanceof float[] xf) {
            float[] yf = (float[]) y;
            for (int r = 0; r < oh; r++) {
                int top = xo + 2 * r * w, bottom = top + w;
                for (int q = 0, o = yo + r * ow; q < ow; q++, o++) {
                    int i = 2 * q;
                    float a = xf[top + i], b = xf[top + i + 1], c = xf[bottom + i], d = xf[bottom + i + 1];
                    float m = Math.max(Math.max(a, b), Math.max(c, d));
                    int at = m == m ? firstMax(a, b, c, d, m, top + i, bottom + i) : lastNan(b, c, d, top + i, bottom + i);
                    yf[o] = xf[at];
                    argmax[o] = at - xo;
                }
            }
        } else {
            double[] xd = (double[]) x, yd = (double[]) y;
            for (int r = 0; r < oh; r++) {
                int top = xo + 2 * r * w, bottom = top + w;
                for (int q = 0, o = yo + r * ow; q < ow; q++, o++) {
                    int i = 2 * q;
                    double a = xd[top + i], b = xd[top + i + 1], c = xd[bottom + i], d = xd[bottom + i + 1];
                    double m = Math.max(Math.max(a, b), Math.max(c, d));
                    int at = m == m ? firstMax(a, b, c, d, m, top + i, bottom + i) : lastNan(b, c, d, top + i, bottom + i);
                    yd[o] = xd[at];
                    argmax[o] = at - xo;
                }
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

    /**
     * dx[dxo + argmax[i]] += g[go + i] for the {@code len} outputs of one plane: the max-pooling gradient ({@code dx}
     * zero-filled before).
     */
    public static void scatterMax(Object g, int go, long[] argmax, int ao, Object dx, int dxo, int len) {
        if (g instanceof float[] gf) {
            float[] df = (float[]) dx;
            for (int i = 0; i < len; i++) df[dxo + (int) argmax[ao + i]] += gf[go + i];
        } else {
            double[] gd = (double[]) g, dd = (double[]) dx;
            for (int i = 0; i < len; i++) dd[dxo + (int) argmax[ao + i]] += gd[go + i];
        }
    }
}
