package io.chainrule.tensor;

/**
 * Drives the pointwise kernels over strided, broadcast operands. Dimensions that are laid out back to back in
 * every operand are merged first, so contiguous tensors become one long row; rows of the last dimension are then
 * split into fixed chunks across threads (the chunking depends on the sizes only, so results never depend on the
 * thread count). The output is always a fresh contiguous array of the iteration shape unless stated otherwise.
 */
public final class Loops {
    /** Elements per parallel chunk: below this, work stays on the calling thread. */
    public static final int GRAIN = 1 << 15;

    private Loops() {}

    /** A merged iteration space: {@code shape} and one stride vector per operand. */
    private record Space(int[] shape, int[][] strides) {
        int rank() { return shape.length; }
        int rowLength() { return shape.length == 0 ? 1 : shape[shape.length - 1]; }
        int rows() { return shape.length == 0 ? 1 : Shapes.prod(shape, 0, shape.length - 1); }
        int rowStride(int operand) { return shape.length == 0 ? 0 : strides[operand][shape.length - 1]; }
    }

    /** Drops size-1 dimensions and merges neighbours that are contiguous with each other in every operand. */
    private static Space merge(int[] shape, int[]... strides) {
        int k = strides.length;
        int[] s = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (r > 0) {
                boolean mergeable = true;
                for (int j = 0; j < k; j++) {
                    if (st[j][r - 1] != strides[j][d] * shape[d]) { mergeable = false; break; }
                }
                if (mergeable) {
                    s[r - 1] *= shape[d];
                    for (int j = 0; j < k; j++) st[j][r - 1] = strides[j][d];
                    continue;
                }
            }
            s[r] = shape[d];
            for (int j = 0; j < k; j++) st[j][r] = strides[j][d];
            r++;
        }
        int[] shapeOut = java.util.Arrays.copyOf(s, r);
        int[][] stridesOut = new int[k][];
        for (int j = 0; j < k; j++) stridesOut[j] = java.util.Arrays.copyOf(st[j], r);
        return new Space(shapeOut, stridesOut);
    }

    /**
     * 1 when {@code strides} lay {@code shape} out contiguously (size-1 dimensions aside), 0 when every dimension
     * is broadcast (one value), otherwise -1.
     */
    private static int flatStride(int[] shape, int[] strides) {
        boolean contiguous = true, broadcast = true;
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            contiguous &= strides[d] == expected;
            broadcast &= strides[d] == 0;
            expected *= shape[d];
        }
        return contiguous ? 1 : broadcast ? 0 : -1;
    }

    /** A row visitor: {@code offsets[j]} is operand j's offset of the row's first element. */
    private interface RowBody {
        void row(int[] offsets, int n);
    }

    /** Visits every row of the space, rows split into fixed chunks across threads. */
    private static void forEachRow(Space sp, int[] baseOffsets, RowBody body) {
        int n = sp.rowLength();
        int rows = sp.rows();
        int total = rows * n;
        if (total == 0) return;
        int grain = Math.max(1, GRAIN / Math.max(n, 1));
        int outerRank = Math.max(sp.rank() - 1, 0);
        int k = baseOffsets.length;
        Parallel.forChunks(rows, rows * (long) n <= GRAIN ? rows : grain, (start, end) -> {
            int[] idx = new int[outerRank];
            int[] off = baseOffsets.clone();
            int rem = start;
            for (int d = outerRank - 1; d >= 0; d--) {
                idx[d] = rem % sp.shape[d];
                rem /= sp.shape[d];
                for (int j = 0; j < k; j++) off[j] += idx[d] * sp.strides[j][d];
            }
            for (int row = start; row < end; row++) {
                body.row(off, n);
                for (int d = outerRank - 1; d >= 0; d--) {
                    idx[d]++;
                    for (int j = 0; j < k; j++) off[j] += sp.strides[j][d];
                    if (idx[d] < sp.shape[d]) break;
                    for (int j = 0; j < k; j++) off[j] -= sp.strides[j][d] * sp.shape[d];
                    idx[d] = 0;
                }
            }
        });
    }

    /** Applies a unary op to a contiguous input, in parallel chunks. {@code x} and {@code y} may be the same array. */
    public static void unary(Pointwise.Unary op, double p, double q, Object x, int xo, Object y, int yo, int n) {
        int grain = n <= GRAIN ? Math.max(n, 1) : GRAIN;
        Parallel.forChunks(n, grain, (s, e) -> Pointwise.unary(op, p, q, x, xo + s, y, yo + s, e - s));
    }

    /** {@code out = op(a, b)} over {@code shape}; a and b are float[] or double[] (the same type as out). */
    public static void binary(Pointwise.Binary op, Object a, int ao, int[] as, Object b, int bo, int[] bs,
                              Object out, int oo, int[] os, int[] shape) {
        // The common small case, without merging dimensions: one row with each operand contiguous or one value.
        int count = Shapes.numel(shape), sa1 = flatStride(shape, as), sb1 = flatStride(shape, bs);
        if (count <= GRAIN && sa1 >= 0 && sb1 >= 0 && flatStride(shape, os) == 1) {
            Pointwise.binaryRow(op, a, ao, sa1, b, bo, sb1, out, oo, count);
            return;
        }
        Space sp = merge(shape, as, bs, os);
        int sa = sp.rowStride(0), sb = sp.rowStride(1), so = sp.rowStride(2);
        if (so != 1 && sp.rank() > 0) throw new IllegalStateException("binary: output rows must be contiguous");
        if (out instanceof float[] of) {
            float[] af = (float[]) a, bf = (float[]) b;
            forEachRow(sp, new int[] {ao, bo, oo}, (off, n) -> FloatPointwise.binaryRow(op, af, off[0], sa, bf, off[1], sb, of, off[2], n));
        } else {
            double[] ad = (double[]) a, bd = (double[]) b, od = (double[]) out;
            forEachRow(sp, new int[] {ao, bo, oo}, (off, n) -> DoublePointwise.binaryRow(op, ad, off[0], sa, bd, off[1], sb, od, off[2], n));
        }
    }

    /** {@code out = a op b} into a contiguous boolean[] of {@code shape}; a and b both float[] or both double[]. */
    public static void compare(Pointwise.Compare op, Object a, int ao, int[] as, Object b, int bo, int[] bs,
                               boolean[] out, int[] shape) {
        Space sp = merge(shape, as, bs, Shapes.contiguousStrides(shape));
        int sa = sp.rowStride(0), sb = sp.rowStride(1);
        if (a instanceof float[] af) {
            float[] bf = (float[]) b;
            forEachRow(sp, new int[] {ao, bo, 0}, (off, n) -> FloatPointwise.compareRow(op, af, off[0], sa, bf, off[1], sb, out, off[2], n));
        } else {
            double[] ad = (double[]) a, bd = (double[]) b;
            forEachRow(sp, new int[] {ao, bo, 0}, (off, n) -> DoublePointwise.compareRow(op, ad, off[0], sa, bd, off[1], sb, out, off[2], n));
        }
    }

    /** {@code out = cond ? a : b}; a, b and out share one array type, out is contiguous. */
    public static void where(boolean[] c, int co, int[] cs, Object a, int ao, int[] as, Object b, int bo, int[] bs,
                             Object out, int[] shape) {
        Space sp = merge(shape, cs, as, bs, Shapes.contiguousStrides(shape));
        int sc = sp.rowStride(0), sa = sp.rowStride(1), sb = sp.rowStride(2);
        forEachRow(sp, new int[] {co, ao, bo, 0}, (off, n) -> {
            int oc = off[0], oa = off[1], ob = off[2], oo = off[3];
            if (out instanceof float[] o) {
                float[] x = (float[]) a, y = (float[]) b;
                for (int i = 0; i < n; i++) o[oo + i] = c[oc + i * sc] ? x[oa + i * sa] : y[ob + i * sb];
            } else if (out instanceof double[] o) {
                double[] x = (double[]) a, y = (double[]) b;
                for (int i = 0; i < n; i++) o[oo + i] = c[oc + i * sc] ? x[oa + i * sa] : y[ob + i * sb];
            } else if (out instanceof long[] o) {
                long[] x = (long[]) a, y = (long[]) b;
                for (int i = 0; i < n; i++) o[oo + i] = c[oc + i * sc] ? x[oa + i * sa] : y[ob + i * sb];
            } else {
                boolean[] o = (boolean[]) out, x = (boolean[]) a, y = (boolean[]) b;
                for (int i = 0; i < n; i++) o[oo + i] = c[oc + i * sc] ? x[oa + i * sa] : y[ob + i * sb];
            }
        });
    }

    /**
     * Copies a strided source into a strided destination of the same shape, converting the element type when the
     * arrays differ (floats to integers truncate toward zero, anything to boolean tests {@code != 0}).
     */
    public static void copy(Object src, int so, int[] ss, Object dst, int dOff, int[] ds, int[] shape) {
        Space sp = merge(shape, ss, ds);
        int rs = sp.rowStride(0), rd = sp.rowStride(1);
        forEachRow(sp, new int[] {so, dOff}, (off, n) -> copyRow(src, off[0], rs, dst, off[1], rd, n));
    }

    private static void copyRow(Object src, int s, int ss, Object dst, int d, int ds, int n) {
        if (src instanceof float[] a && dst instanceof float[] b) {
            if (ss == 1 && ds == 1) System.arraycopy(a, s, b, d, n);
            else for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
        } else if (src instanceof double[] a && dst instanceof double[] b) {
            if (ss == 1 && ds == 1) System.arraycopy(a, s, b, d, n);
            else for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
        } else if (src instanceof long[] a && dst instanceof long[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
        } else if (src instanceof boolean[] a && dst instanceof boolean[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
        } else if (src instanceof float[] a && dst instanceof double[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
        } else if (src instanceof double[] a && dst instanceof float[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = (float) a[s + i * ss];
        } else if (src instanceof boolean[] a && dst instanceof float[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss] ? 1f : 0f;
        } else if (src instanceof boolean[] a && dst instanceof double[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss] ? 1d : 0d;
        } else if (src instanceof long[] a && dst instanceof double[] b) {
            for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
        } else {
            for (int i = 0; i < n; i++) write(dst, d + i * ds, read(src, s + i * ss));
        }
    }

    /** Reads one element of any storage array as a double (booleans as 0 or 1). */
    public static double read(Object array, int i) {
        if (array instanceof float[] f) return f[i];
        if (array instanceof double[] d) return d[i];
        if (array instanceof long[] l) return l[i];
        return ((boolean[]) array)[i] ? 1.0 : 0.0;
    }

    /** Writes one element of any storage array from a double. */
    public static void write(Object array, int i, double v) {
        if (array instanceof float[] f) f[i] = (float) v;
        else if (array instanceof double[] d) d[i] = v;
        else if (array instanceof long[] l) l[i] = (long) v;
        else ((boolean[]) array)[i] = v != 0;
    }
}
