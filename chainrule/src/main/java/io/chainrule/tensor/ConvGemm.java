package io.chainrule.tensor;

/**
 * The raw kernels of 2-D convolution (no graph), PyTorch's CPU path: one sample at a time, its windows laid out as
 * columns in a per-thread buffer that is reused, and one GEMM per group straight into the NCHW result.
 * <ul>
 *   <li>{@link #forward}: y[n] = W · cols(x[n]) + b, bias written first and accumulated onto;</li>
 *   <li>{@link #inputGrad}: dx[n] = col2im(Wᵀ · dy[n]), the transposed convolution;</li>
 *   <li>{@link #weightGrad}: dW = Σ_n dy[n] · cols(x[n])ᵀ, cols rebuilt per sample rather than stored.</li>
 * </ul>
 * A 1×1, stride-1, unpadded convolution needs no columns: the sample itself is the matrix.
 *
 * <p>Samples are split over threads in chunks whose size depends only on the problem; each sample's result is
 * computed by one thread, and the weight gradient sums per-chunk partials in chunk order, so results are
 * bit-identical on any thread count. Operands are contiguous arrays, all float[] or all double[]; results go into
 * arrays the caller allocates (zero-filled, as {@code new float[]} leaves them).
 */
public final class ConvGemm {
    /** Multiply-adds that pay for a parallel task. */
    private static final long TASK_WORK = 1L << 18;
    /** Column-buffer elements worth building at once; larger samples are processed in bands of output rows. */
    private static final long BAND_ELEMENTS = 1L << 20;
    /** At most this many weight-gradient partials, each the size of the weight. */
    private static final int MAX_PARTIALS = 16;
    /** Bound on the total size of the weight-gradient partials, in elements. */
    private static final long PARTIAL_ELEMENTS = 1L << 22;
    /** Windows narrower than this (channels × kernel area) take the transposed weight-gradient product. */
    private static final int NARROW_ROWS = 16;

    private ConvGemm() {}

    /**
     * The sizes of one convolution: input [n, c, h, w], weight [o, c/groups, kH, kW], output [n, o, oh, ow]; {@code W}
     * is the caller's window type, handed back by {@link #win()}.
     */
    public record Geometry<W extends ConvWindow>(int n, int c, int h, int w, int o, int groups, int oh, int ow, W win) {
        int cg() {
            return c / groups;
        }

        int og() {
            return o / groups;
        }

        int kk() {
            return win.kH() * win.kW();
        }

        /** The GEMM depth of one group: its channels times the kernel area. */
        int rows() {
            return cg() * kk();
        }

        int l() {
            return oh * ow;
        }

        /** A 1×1 kernel at stride 1 without padding reads every pixel once, in order: no column matrix needed. */
        boolean pointwise() {
            return win.kH() == 1 && win.kW() == 1 && win.sH() == 1 && win.sW() == 1 && win.pH() == 0 && win.pW() == 0;
        }

        /** Output rows per band, so that a column buffer stays near {@link #BAND_ELEMENTS}. */
        int bandRows() {
            return (int) Math.max(1, Math.min(oh, BAND_ELEMENTS / Math.max(1L, (long) c * kk() * ow)));
        }

        long workPerSample() {
            return (long) o * rows() * l();
        }

        /** Samples per parallel task for the forward and input-gradient passes. */
        int samplesPerTask() {
            return (int) Math.max(1, TASK_WORK / Math.max(1, workPerSample()));
        }

        public int[] inputShape() {
            return new int[] {n, c, h, w};
        }

        public int[] weightShape() {
            return new int[] {o, cg(), win.kH(), win.kW()};
        }

        public int[] outputShape() {
            return new int[] {n, o, oh, ow};
        }
    }

    /**
     * Per-thread buffers, grown on demand and kept, since columns are rebuilt for every sample of every call: a band
     * of about {@link #BAND_ELEMENTS} column values (more only when one output row needs more) and one sample.
     */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        float[] f0 = new float[0], f1 = new float[0];
        double[] d0 = new double[0], d1 = new double[0];

        /** Slot {@code slot}'s buffer of at least {@code size} elements, float[] when {@code like} is. */
        static Object get(Object like, int slot, int size) {
            Scratch s = LOCAL.get();
            if (like instanceof float[]) {
                if (slot == 0) return s.f0.length >= size ? s.f0 : (s.f0 = new float[size]);
                return s.f1.length >= size ? s.f1 : (s.f1 = new float[size]);
            }
            if (slot == 0) return s.d0.length >= size ? s.d0 : (s.d0 = new double[size]);
            return s.d1.length >= size ? s.d1 : (s.d1 = new double[size]);
        }
    }

    // ------------------------------------------------------------------------------------------------ forward

    /** y = conv(x, W) + b into {@code od} [n, o, oh, ow], for x [n, c, h, w], W [o, c/g, kH, kW], b [o] or null. */
    public static void forward(Object xd, int xOff, Object wd, int wOff, Object bd, int bOff, Object od, Geometry<?> g) {
        int c = g.c, hw = g.h * g.w, l = g.l(), og = g.og(), rows = g.rows(), band = g.bandRows();
        Parallel.forChunks(g.n, g.samplesPerTask(), (from, to) -> {
            Object cols = g.pointwise() ? null : Scratch.get(xd, 0, c * g.kk() * band * g.ow);
            for (int i = from; i < to; i++) {
                int xi = xOff + i * c * hw, oi = i * g.o * l;
                for (int y0 = 0; y0 < g.oh; y0 += band) {
                    int y1 = Math.min(g.oh, y0 + band), lb = (y1 - y0) * g.ow, p0 = y0 * g.ow;
                    Object src = xd;
                    int srcOff = xi + p0, ldb = l;
                    if (cols != null) {
                        for (int ch = 0; ch < c; ch++) im2col(xd, xi + ch * hw, cols, ch * g.kk() * lb, g, y0, y1);
                        src = cols;
                        srcOff = 0;
                        ldb = lb;
                    }
                    for (int grp = 0; grp < g.groups; grp++) {
                        int ci = oi + grp * og * l + p0;
                        if (bd != null) fillRows(bd, bOff + grp * og, od, ci, og, lb, l);
                        gemm(false, false, og, lb, rows, wd, wOff + grp * og * rows, rows,
                                src, srcOff + grp * rows * ldb, ldb, od, ci, l, bd != null);
                    }
                }
            }
        });
    }

    /** c[ci + r·ldc + j] = bias[bo + r] for r < m, j < cols. */
    private static void fillRows(Object bias, int bo, Object c, int ci, int m, int cols, int ldc) {
        for (int r = 0; r < m; r++) {
            int at = ci + r * ldc;
            if (c instanceof float[] f) java.util.Arrays.fill(f, at, at + cols, ((float[]) bias)[bo + r]);
            else java.util.Arrays.fill((double[]) c, at, at + cols, ((double[]) bias)[bo + r]);
        }
    }

    // ------------------------------------------------------------------------------------------- input gradient

    /**
     * dx = convᵀ(dy, W): for dy [n, o, oh, ow] and W, the gradient [n, c, h, w] of conv(x, W)·dy in x, into the
     * zero-filled {@code xd} (col2im adds into it).
     */
    public static void inputGrad(Object dyd, int dyOff, Object wd, int wOff, Object xd, Geometry<?> g) {
        int c = g.c, hw = g.h * g.w, l = g.l(), og = g.og(), rows = g.rows(), band = g.bandRows();
        Parallel.forChunks(g.n, g.samplesPerTask(), (from, to) -> {
            Object cols = g.pointwise() ? null : Scratch.get(xd, 0, c * g.kk() * band * g.ow);
            for (int i = from; i < to; i++) {
                int xi = i * c * hw, di = dyOff + i * g.o * l;
                for (int y0 = 0; y0 < g.oh; y0 += band) {
                    int y1 = Math.min(g.oh, y0 + band), lb = (y1 - y0) * g.ow, p0 = y0 * g.ow;
                    for (int grp = 0; grp < g.groups; grp++) {
                        int ai = wOff + grp * og * rows, bi = di + grp * og * l + p0;
                        if (cols == null) gemm(true, false, rows, lb, og, wd, ai, rows, dyd, bi, l, xd, xi + grp * rows * l + p0, l, false);
                        else gemm(true, false, rows, lb, og, wd, ai, rows, dyd, bi, l, cols, grp * rows * lb, lb, false);
                    }
                    if (cols != null) {
                        for (int ch = 0; ch < c; ch++) col2im(cols, ch * g.kk() * lb, xd, xi + ch * hw, g, y0, y1);
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------ weight gradient

    /**
     * dW = Σ_n dy[n] · cols(x[n])ᵀ: for x and dy, the gradient [o, c/g, kH, kW] of conv(x, W)·dy in W, into
     * {@code dwd}.
     *
     * <p>The GEMM wants its right operand with contiguous rows, so the columns are built transposed, one window per
     * row, from a channels-last copy of the sample. When a group's window is narrower than a vector tile (a one- or
     * two-channel input), dWᵀ = cols · dyᵀ is computed instead, so that the output channels fill the tile.
     */
    public static void weightGrad(Object xd, int xOff, Object dyd, int dyOff, Object dwd, Geometry<?> g) {
        int c = g.c, hw = g.h * g.w, l = g.l(), og = g.og(), rows = g.rows(), band = g.bandRows(), kk = g.kk();
        int per = g.o * rows;
        if (g.n == 0) return;
        // Fixed-size chunks of samples, each summed into its own partial: the split depends on sizes only.
        long byWork = (TASK_WORK + g.workPerSample() - 1) / Math.max(1, g.workPerSample());
        long byCount = (g.n + MAX_PARTIALS - 1) / MAX_PARTIALS;
        long byMemory = ((long) g.n * per + PARTIAL_ELEMENTS - 1) / PARTIAL_ELEMENTS;
        int chunkSize = (int) Math.max(1, Math.max(byWork, Math.max(byCount, byMemory)));
        int chunks = (g.n + chunkSize - 1) / chunkSize;
        boolean narrow = rows < NARROW_ROWS;
        Object parts = xd instanceof float[] ? new float[chunks * per] : new double[chunks * per];
        Parallel.forChunks(chunks, 1, (k0, k1) -> {
            Object xt = narrow ? null : Scratch.get(xd, 1, c * hw);
            Object cols = g.pointwise() ? null : Scratch.get(xd, 0, band * g.ow * c * kk);
            for (int k = k0; k < k1; k++) {
                boolean first = true;
                for (int i = k * chunkSize; i < Math.min(g.n, (k + 1) * chunkSize); i++) {
                    int xi = xOff + i * c * hw, di = dyOff + i * g.o * l;
                    if (!narrow) Im2Col.toChannelsLast(xd, xi, xt, c, hw);
                    for (int y0 = 0; y0 < g.oh; y0 += band) {
                        int y1 = Math.min(g.oh, y0 + band), lb = (y1 - y0) * g.ow, p0 = y0 * g.ow;
                        if (narrow) {
                            // partial [groups][rows][og] += cols_g [rows, lb] · dy_gᵀ [lb, og]
                            Object a = xd;
                            int aOff = xi + p0, lda = l;
                            if (cols != null) {
                                for (int ch = 0; ch < c; ch++) im2col(xd, xi + ch * hw, cols, ch * kk * lb, g, y0, y1);
                                a = cols;
                                aOff = 0;
                                lda = lb;
                            }
                            for (int grp = 0; grp < g.groups; grp++) {
                                gemm(false, true, rows, og, lb, a, aOff + grp * rows * lda, lda, dyd, di + grp * og * l + p0, l,
                                        parts, k * per + grp * rows * og, og, !first);
                            }
                        } else {
                            // partial [o][(ki, kj, channel)] += dy_g [og, lb] · colsT_g [lb, rows]
                            Object b = xt;
                            int bOff = p0 * c;
                            if (cols != null) {
                                Im2Col.im2colT(xt, cols, g.c, g.cg(), g.h, g.w, g.win, g.ow, y0, y1);
                                b = cols;
                                bOff = 0;
                            }
                            for (int grp = 0; grp < g.groups; grp++) {
                                gemm(false, false, og, rows, lb, dyd, di + grp * og * l + p0, l, b, bOff + grp * rows, c * kk,
                                        parts, k * per + grp * og * rows, rows, !first);
                            }
                        }
                        first = false;
                    }
                }
            }
        });
        // Sum the partials in chunk order, from their layout into the weight's [o][(channel, ki, kj)].
        int cg = g.cg();
        for (int oc = 0; oc < g.o; oc++) {
            for (int r = 0; r < rows; r++) {
                int src = narrow ? (oc / og) * rows * og + r * og + oc % og : oc * rows + (r % kk) * cg + r / kk;
                if (parts instanceof float[] p) {
                    float s = p[src];
                    for (int k = 1; k < chunks; k++) s += p[k * per + src];
                    ((float[]) dwd)[oc * rows + r] = s;
                } else {
                    double[] p = (double[]) parts;
                    double s = p[src];
                    for (int k = 1; k < chunks; k++) s += p[k * per + src];
                    ((double[]) dwd)[oc * rows + r] = s;
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------------- bias gradient

    /**
     * db[oc] = Σ_{i, p} dy[i, oc, p] for dy [n, o, l], into {@code out} [o]: one channel per task, summed in a fixed
     * order (float in double, as {@code Tensor.sum} does).
     */
    public static void biasGrad(Object d, int off, int n, int o, int l, Object out) {
        int grain = (int) Math.max(1, TASK_WORK / Math.max(1L, (long) n * l));
        Parallel.forChunks(o, grain, (from, to) -> {
            for (int oc = from; oc < to; oc++) {
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0; // four chains: no add-latency stall, still a fixed order
                for (int i = 0; i < n; i++) {
                    int s = off + (i * o + oc) * l, e = s + l, p = s;
                    if (d instanceof float[] f) {
                        for (; p + 3 < e; p += 4) { a0 += f[p]; a1 += f[p + 1]; a2 += f[p + 2]; a3 += f[p + 3]; }
                        for (; p < e; p++) a0 += f[p];
                    } else {
                        double[] x = (double[]) d;
                        for (; p + 3 < e; p += 4) { a0 += x[p]; a1 += x[p + 1]; a2 += x[p + 2]; a3 += x[p + 3]; }
                        for (; p < e; p++) a0 += x[p];
                    }
                }
                double sum = (a0 + a1) + (a2 + a3);
                if (out instanceof float[] f) f[oc] = (float) sum;
                else ((double[]) out)[oc] = sum;
            }
        });
    }

    // ------------------------------------------------------------------------------------- dtype dispatch

    private static void gemm(boolean ta, boolean tb, int m, int n, int k, Object a, int aOff, int lda,
                             Object b, int bOff, int ldb, Object c, int cOff, int ldc, boolean accumulate) {
        if (c instanceof float[] cf) {
            Gemm.sgemm(ta, tb, m, n, k, (float[]) a, aOff, lda, (float[]) b, bOff, ldb, cf, cOff, ldc, accumulate);
        } else {
            Gemm.dgemm(ta, tb, m, n, k, (double[]) a, aOff, lda, (double[]) b, bOff, ldb, (double[]) c, cOff, ldc, accumulate);
        }
    }

    private static void im2col(Object x, int xo, Object cols, int co, Geometry<?> g, int y0, int y1) {
        Im2Col.im2col(x, xo, cols, co, g.h, g.w, g.win, g.ow, y0, y1);
    }

    private static void col2im(Object cols, int co, Object x, int xo, Geometry<?> g, int y0, int y1) {
        Im2Col.col2im(cols, co, x, xo, g.h, g.w, g.win, g.ow, y0, y1);
    }

}
