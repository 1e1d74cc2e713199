package io.chainrule.tensor;

import java.util.Arrays;

/**
 * The array kernels that lay sliding windows out as matrix columns and back, for one (sample, channel) plane or one
 * sample, over a band of output rows {@code [y0, y1)} so callers can bound their buffers. Every position of the
 * destination is written (padding as zero), so buffers may be reused without clearing; {@code col2im} adds.
 *
 * <p>Arrays are float[] or double[], the same type in one call. The kernels have one body for both and pick the type
 * per run of elements (System.arraycopy, {@link #copy}, {@link Pointwise#accumulateRow}, {@link #addStrided}).
 */
public final class Im2Col {
    private Im2Col() {}

    /** First output column whose input column {@code base + x·s} is ≥ 0, at most {@code count}. */
    private static int firstValid(int base, int s, int count) {
        return base >= 0 ? 0 : Math.min(count, (-base + s - 1) / s);
    }

    /** One past the last output column whose input column {@code base + x·s} is < size, at least {@code lo}. */
    private static int endValid(int base, int s, int size, int count, int lo) {
        if (base >= size) return lo;
        return Math.max(lo, Math.min(count, (size - 1 - base) / s + 1));
    }

    // ------------------------------------------------------------------------------------------------- im2col

    /**
     * Plane {@code x[xo …]} of size h × wd → its kH·kW column rows at {@code cols[co …]}, each holding output rows
     * {@code [y0, y1)} ({@code (y1 − y0)·ow} values), rows ordered (ki, kj).
     */
    public static void im2col(Object x, int xo, Object cols, int co, int h, int wd, ConvWindow w, int ow, int y0, int y1) {
        int lb = (y1 - y0) * ow;
        for (int ki = 0; ki < w.kH(); ki++) {
            for (int kj = 0; kj < w.kW(); kj++) {
                int row = co + (ki * w.kW() + kj) * lb;
                int iw0 = kj * w.dW() - w.pW();
                int lo = firstValid(iw0, w.sW(), ow), hi = endValid(iw0, w.sW(), wd, ow, lo);
                for (int y = y0; y < y1; y++) {
                    int ih = y * w.sH() - w.pH() + ki * w.dH(), d = row + (y - y0) * ow;
                    if (ih < 0 || ih >= h) {
                        zero(cols, d, d + ow);
                        continue;
                    }
                    int s = xo + ih * wd + iw0;
                    if (lo > 0) zero(cols, d, d + lo);
                    if (w.sW() == 1) System.arraycopy(x, s + lo, cols, d + lo, hi - lo);
                    else copy(x, s + lo * w.sW(), w.sW(), cols, d + lo, 1, hi - lo);
                    if (hi < ow) zero(cols, d + hi, d + ow);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- col2im

    /** The adjoint of {@link #im2col}: adds the rows back into the plane. */
    public static void col2im(Object cols, int co, Object x, int xo, int h, int wd, ConvWindow w, int ow, int y0, int y1) {
        int lb = (y1 - y0) * ow;
        for (int ki = 0; ki < w.kH(); ki++) {
            for (int kj = 0; kj < w.kW(); kj++) {
                int row = co + (ki * w.kW() + kj) * lb;
                int iw0 = kj * w.dW() - w.pW();
                int lo = firstValid(iw0, w.sW(), ow), hi = endValid(iw0, w.sW(), wd, ow, lo);
                for (int y = y0; y < y1; y++) {
                    int ih = y * w.sH() - w.pH() + ki * w.dH();
                    if (ih < 0 || ih >= h) continue; // a padding position: its gradient has nowhere to go
                    int d = xo + ih * wd + iw0, s = row + (y - y0) * ow;
                    if (w.sW() == 1) Pointwise.accumulateRow(x, d + lo, cols, s + lo, hi - lo);
                    else addStrided(x, d + lo * w.sW(), w.sW(), cols, s + lo, hi - lo);
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------- transposed im2col

    /** One sample [c, hw] at {@code x[xo …]} → channels-last [hw, c] in {@code xt}, in cache-sized tiles. */
    static void toChannelsLast(Object x, int xo, Object xt, int c, int hw) {
        final int tile = 32;
        for (int c0 = 0; c0 < c; c0 += tile) {
            int c1 = Math.min(c, c0 + tile);
            for (int p0 = 0; p0 < hw; p0 += tile) {
                int p1 = Math.min(hw, p0 + tile);
                for (int ch = c0; ch < c1; ch++) copy(x, xo + ch * hw + p0, 1, xt, p0 * c + ch, c, p1 - p0);
            }
        }
    }

    /**
     * The transposed column matrix of one channels-last sample {@code xt} [h, wd, c], for output rows [y0, y1): row
     * {@code (y − y0)·ow + x} holds, for each group g of {@code cg} channels, the window in (ki, kj, channel) order at
     * column {@code g·kH·kW·cg + (ki·kW + kj)·cg + channel}. Channels-last makes each (ki, kj) one contiguous copy.
     */
    static void im2colT(Object xt, Object out, int c, int cg, int h, int wd, ConvWindow w, int ow, int y0, int y1) {
        int kk = w.kH() * w.kW(), ld = c * kk, groups = c / cg;
        if (groups == 1 && w.dW() == 1) {
            // A kernel row's kW pixels are adjacent in xt and in the output row: one copy of kW·c values.
            for (int y = y0; y < y1; y++) {
                for (int x = 0; x < ow; x++) {
                    int rowBase = ((y - y0) * ow + x) * ld, iw0 = x * w.sW() - w.pW();
                    int lo = Math.max(0, -iw0), hi = Math.max(lo, Math.min(w.kW(), wd - iw0));
                    for (int ki = 0; ki < w.kH(); ki++) {
                        int ih = y * w.sH() - w.pH() + ki * w.dH(), d = rowBase + ki * w.kW() * c;
                        if (ih < 0 || ih >= h) {
                            zero(out, d, d + w.kW() * c);
                            continue;
                        }
                        if (lo > 0) zero(out, d, d + lo * c);
                        System.arraycopy(xt, (ih * wd + iw0 + lo) * c, out, d + lo * c, (hi - lo) * c);
                        if (hi < w.kW()) zero(out, d + hi * c, d + w.kW() * c);
                    }
                }
            }
            return;
        }
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < ow; x++) {
                int rowBase = ((y - y0) * ow + x) * ld;
                for (int ki = 0; ki < w.kH(); ki++) {
                    int ih = y * w.sH() - w.pH() + ki * w.dH();
                    for (int kj = 0; kj < w.kW(); kj++) {
                        int iw = x * w.sW() - w.pW() + kj * w.dW();
                        int d = rowBase + (ki * w.kW() + kj) * cg;
                        boolean inside = ih >= 0 && ih < h && iw >= 0 && iw < wd;
                        int s = (ih * wd + iw) * c;
                        for (int g = 0; g < groups; g++, d += kk * cg, s += cg) {
                            if (inside) System.arraycopy(xt, s, out, d, cg);
                            else zero(out, d, d + cg);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[d + i·ds] = src[s + i·ss]} for i in [0, n), both float[] or both double[]: the copying kernels
     * (im2col, channels-last) have one body for both precisions and pick the type per run of elements.
     */
    private static void copy(Object src, int s, int ss, Object dst, int d, int ds, int n) {
        if (src instanceof float[] f) {
            float[] o = (float[]) dst;
            for (int i = 0; i < n; i++) o[d + i * ds] = f[s + i * ss];
        } else {
            double[] x = (double[]) src, o = (double[]) dst;
            for (int i = 0; i < n; i++) o[d + i * ds] = x[s + i * ss];
        }
    }

    /** {@code dst[d + i·ds] += src[s + i]} for i in [0, n), both float[] or both double[]. */
    private static void addStrided(Object dst, int d, int ds, Object src, int s, int n) {
        if (dst instanceof float[] o) {
            float[] f = (float[]) src;
            for (int i = 0; i < n; i++) o[d + i * ds] += f[s + i];
        } else {
            double[] o = (double[]) dst, x = (double[]) src;
            for (int i = 0; i < n; i++) o[d + i * ds] += x[s + i];
        }
    }

    /** Zeroes {@code [from, to)} of a float[] or double[] (see {@link #copy}). */
    private static void zero(Object a, int from, int to) {
        if (a instanceof float[] f) Arrays.fill(f, from, to, 0f);
        else Arrays.fill((double[]) a, from, to, 0.0);
    }
}
