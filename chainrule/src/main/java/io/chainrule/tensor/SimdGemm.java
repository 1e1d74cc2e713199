package io.chainrule.tensor;

/**
 * GEMM on the Vector API, in the GotoBLAS/BLIS shape, for both precisions: a register-tiled micro-kernel
 * ({@link GemmKernel}, generated per precision and tile shape; {@link GemmTile} picks the shape for the machine)
 * computes {@code mr × nr} tiles of C with all accumulators held in registers, broadcasting elements of A against
 * rows of B. Operands are copied into packed panels (B once per k-block and column block, A once per k-block and
 * row block) except where too little reuse pays for the copy, which matters for the skinny products of a small
 * batch:
 * <ul>
 *   <li>A's rows are read in place when it is not transposed and B has at most {@code nc} columns;
 *   <li>otherwise B is read in place when it is not transposed and A has at most {@code mc} rows;
 *   <li>{@code op(A)·Bᵀ} with A much shorter than B (a Linear layer's forward pass) runs as
 *       {@code Cᵀ = B·op(A)ᵀ} into scratch, so B's rows are read in place and the transposing copy is of the
 *       small A instead of the large B;
 *   <li>a ragged last strip of an operand read in place comes from a zero-padded copy, so no kernel reads past
 *       the data.
 * </ul>
 *
 * <p>Arrays are {@code float[]} or {@code double[]}, as the kernel's precision says. Only loaded after
 * {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 *
 * <p>Determinism: each C element is {@code C (or 0)} plus, for each k-block in ascending order, an FMA chain over
 * {@code p} ascending that starts from zero; the k-block depth {@link GemmKernel#kc} is the same for every tile.
 * Packing, reading in place, the transposed form and the tile shape all feed the same products to the same chains,
 * so the value does not depend on the path, the tile, or the thread that computes it: results are bit-identical for
 * any thread count.
 */
final class SimdGemm {
    private static final int MIN_TASKS = 8;
    /** Elements of the scratch {@code Cᵀ} of the transposed form (bounds that buffer). */
    private static final int CT_MAX = 1 << 17;
    /** Multiply-adds from which a parallel product runs as independent ranges ({@link #split}): about 320³. */
    private static final long SPLIT_MIN = 1L << 25;
    /** Ranges per thread in {@link #split}: more than one, so a thread that starts late is made up for. */
    private static final int RANGES_PER_THREAD = 2;

    /** Per-caller buffers of one kernel, grown on demand and reused across calls. */
    static final class Buffers {
        Object a, b, ct;
        final Object edgeA, edgeB;

        Buffers(GemmKernel k) {
            a = k.newArray(0);
            b = k.newArray(0);
            ct = k.newArray(0);
            edgeA = k.newArray(k.mr * k.kc);
            edgeB = k.newArray(k.nr * k.kc);
        }
    }

    /**
     * Where the kernel reads one operand of a k-block. Packed: strip {@code t} starts at {@code data[t*step]}
     * with a fixed layout (see {@link GemmKernel#packA}, {@link GemmKernel#packB}). In place: the strip starting
     * at row (of A) or column (of B) {@code i} starts at {@code data[base + i*step]}, and {@code stride} is A's
     * row stride or B's k stride; a ragged last strip, which the kernel would read past, comes zero-padded from
     * {@code edge} (A: mr rows of stride kc; B: rows of nr).
     */
    private static final class Operand {
        Object data;
        int base, step, stride;
        boolean inPlace;
        final Object edge;

        Operand(Object edge) {
            this.edge = edge;
        }

        void set(Object data, int base, int step, int stride, boolean inPlace) {
            this.data = data;
            this.base = base;
            this.step = step;
            this.stride = stride;
            this.inPlace = inPlace;
        }
    }

    /** The blocking of one kernel's tile: block and task sizes in multiples of its mr and nr. */
    private static final class Blocking {
        final int mr, nr;
        /** Rows of A packed at once (bounds the packing buffer). */
        final int mb;
        /** Columns of B packed at once (bounds the packing buffer). */
        final int nb;
        /** Rows of one parallel task (multiple of mr); fewer when that leaves under {@link #MIN_TASKS} tasks. */
        final int mc;
        /** Columns of one parallel task (multiple of nr). */
        final int nc;

        Blocking(GemmKernel k) {
            mr = k.mr;
            nr = k.nr;
            // In vectors of columns, as the 4-row × 2-vector tile had them: B blocks of 256 vectors' width, tasks of
            // 48 rows by 8 vectors (rounded down to whole tiles, at least one).
            mb = Math.max(1, 384 / mr) * mr;
            nb = Math.max(1, 256 / k.vectors) * nr;
            mc = Math.max(1, 48 / mr) * mr;
            nc = Math.max(1, 8 / k.vectors) * nr;
        }
    }

    private SimdGemm() {}

    /** See {@link Gemm#sgemm}; {@code m, n, k > 0}; arrays of {@code kern}'s precision. */
    static void gemm(GemmKernel kern, boolean transA, boolean transB, int m, int n, int k,
                     Object a, int aOff, int lda, Object b, int bOff, int ldb,
                     Object c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        Buffers buf = kern.buffers.get();
        Blocking bl = new Blocking(kern);
        if (transB && transposedPays(m, n)) {
            // Cᵀ = B·op(A)ᵀ, in slices of B's rows that bound the scratch: B's rows are read in place as the
            // A operand, and op(A)ᵀ becomes the B operand (a transposing copy, or a plain one under transA).
            int slice = Math.max(bl.mc, CT_MAX / m / bl.mc * bl.mc);
            int len = Math.min(slice, n) * m;
            if (kern.length(buf.ct) < len) buf.ct = kern.newArray(len);
            Object ct = buf.ct;
            for (int j0 = 0; j0 < n; j0 += slice) {
                int ns = Math.min(slice, n - j0);
                if (accumulate) kern.transpose(c, cOff + j0, ldc, m, ns, ct, 0, m);
                blocked(kern, bl, false, !transA, ns, m, k, b, bOff + j0 * ldb, ldb, a, aOff, lda, ct, 0, m,
                        accumulate, parallel, buf, null);
                kern.transpose(ct, 0, m, ns, m, c, cOff + j0, ldc);
            }
        } else if (!(parallel && (long) m * n * k >= SPLIT_MIN
                && split(kern, bl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate))) {
            blocked(kern, bl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                    parallel, buf, null);
        }
    }

    /**
     * A large product as independent sub-products over ranges of C's columns (or rows, when C is taller than wide),
     * a few per thread, each packing its own operands on the thread that runs it: one fork and one join per product
     * instead of one per k-block, row block and packing pass, whose joins left a thread idle (n = 512 ran 1.16x
     * faster on two threads than on one, now 1.9x). Every range is whole tiles wide and each C element gets the same chains
     * whatever range it falls in, so the values do not change. Returns false, having done nothing, when C has too
     * few tiles for the ranges.
     */
    private static boolean split(GemmKernel kern, Blocking bl, boolean transA, boolean transB, int m, int n, int k,
                                 Object a, int aOff, int lda, Object b, int bOff, int ldb, Object c, int cOff, int ldc,
                                 boolean accumulate) {
        boolean byColumns = n >= m;
        int len = byColumns ? n : m, unit = byColumns ? bl.nr : bl.mr;
        int parts = RANGES_PER_THREAD * Parallel.threads(), units = (len + unit - 1) / unit;
        if (units < parts) return false;
        int width = (units + parts - 1) / parts * unit, ranges = (len + width - 1) / width;
        Parallel.forChunks(ranges, 1, (r0, r1) -> {
            Buffers own = kern.buffers.get();
            for (int r = r0; r < r1; r++) {
                int s = r * width, w = Math.min(len, s + width) - s;
                if (byColumns) {
                    blocked(kern, bl, transA, transB, m, w, k, a, aOff, lda, b, bOff + (transB ? s * ldb : s), ldb,
                            c, cOff + s, ldc, accumulate, false, own, null);
                } else {
                    blocked(kern, bl, transA, transB, w, n, k, a, aOff + (transA ? s : s * lda), lda, b, bOff, ldb,
                            c, cOff + s * ldc, ldc, accumulate, false, own, null);
                }
            }
        });
        return true;
    }

    /** See {@link Gemm}'s product with a {@link PackedB}: {@code panels} from {@link #pack} with the same kernel. */
    static void gemm(GemmKernel kern, boolean transA, int m, int n, int k, Object a, int aOff, int lda,
                     Object[] panels, Object c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        blocked(kern, new Blocking(kern), transA, false, m, n, k, a, aOff, lda, null, 0, 0, c, cOff, ldc,
                accumulate, parallel, kern.buffers.get(), panels);
    }

    /**
     * B packed as {@link #blocked} packs it, one panel per column block and k-block in the order it visits them,
     * for products that reuse one B ({@link PackedB}).
     */
    static Object[] pack(GemmKernel kern, boolean transB, int n, int k, Object b, int bOff, int ldb) {
        Blocking bl = new Blocking(kern);
        Object[] panels = new Object[((n + bl.nb - 1) / bl.nb) * ((k + kern.kc - 1) / kern.kc)];
        int i = 0;
        for (int j0 = 0; j0 < n; j0 += bl.nb) {
            int nb = Math.min(bl.nb, n - j0), strips = (nb + bl.nr - 1) / bl.nr;
            for (int p0 = 0; p0 < k; p0 += kern.kc) {
                int kc = Math.min(kern.kc, k - p0);
                panels[i] = kern.newArray(strips * bl.nr * kc);
                kern.packB(transB, b, bOff, ldb, j0, nb, p0, kc, panels[i++], 0, strips);
            }
        }
        return panels;
    }

    /**
     * {@code op(A)·Bᵀ} runs as {@code Cᵀ = B·op(A)ᵀ} when A has at most a quarter of B's rows: the transposing
     * copy is then of A (m × k) instead of B (n × k), plus copying the m × n result back (and C in first, when
     * accumulating). Measured (AVX2) on a 784-256-128-10 MLP's layers: 1.4× at m = 32, n = 256; a loss at
     * m = 128, n = 256, and for n = 10, where reading A in place and packing the few rows of B wins.
     */
    private static boolean transposedPays(int m, int n) {
        return 4L * m <= n;
    }

    /**
     * The blocked product: column blocks, k-blocks, row blocks, then parallel tiles. B comes from {@code panels}
     * (see {@link #pack}) when not null.
     */
    private static void blocked(GemmKernel kern, Blocking bl, boolean transA, boolean transB, int m, int n, int k,
                                Object a, int aOff, int lda, Object b, int bOff, int ldb,
                                Object c, int cOff, int ldc, boolean accumulate, boolean parallel, Buffers buf,
                                Object[] panels) {
        // Read in place what too few strips would reuse to pay for its copy: A's rows when B is one task column
        // wide, else B when all of A's rows fit in one task row (measured 1.2× at m = 10, a loss from m = 128 on).
        // Not both: next to A's rows the kernel wants B packed, where its index is linear in the loop counter and
        // the JIT drops the bounds checks.
        int mr = bl.mr, nr = bl.nr;
        boolean aInPlace = !transA && n <= bl.nc;
        boolean bInPlace = panels == null && !transB && m <= bl.mc && !aInPlace;
        int maxMb = roundUp(Math.min(bl.mb, m), mr), maxNb = roundUp(Math.min(bl.nb, n), nr);
        int kcMax = Math.min(kern.kc, k);
        if (!aInPlace && kern.length(buf.a) < maxMb * kcMax) buf.a = kern.newArray(maxMb * kcMax);
        if (!bInPlace && panels == null && kern.length(buf.b) < maxNb * kcMax) buf.b = kern.newArray(maxNb * kcMax);
        Object ap = buf.a, bp = buf.b;
        Operand opA = new Operand(buf.edgeA), opB = new Operand(buf.edgeB);
        int panel = 0;
        for (int j0 = 0; j0 < n; j0 += bl.nb) {
            int nb = Math.min(bl.nb, n - j0), jb = j0;
            for (int p0 = 0; p0 < k; p0 += kern.kc) {
                int kc = Math.min(kern.kc, k - p0), pb = p0;
                if (panels != null) {
                    opB.set(panels[panel++], 0, kc, nr, false);
                } else if (bInPlace) {
                    opB.set(b, bOff + p0 * ldb + j0, 1, ldb, true);
                    int full = nb / nr * nr;
                    if (full < nb) kern.packB(false, b, bOff, ldb, j0 + full, nb - full, p0, kc, opB.edge, 0, 1);
                } else {
                    int bStrips = (nb + nr - 1) / nr;
                    run(bStrips, 4, parallel && (long) nb * kc >= 1 << 15,
                            (s0, s1) -> kern.packB(transB, b, bOff, ldb, jb, nb, pb, kc, bp, s0, s1));
                    opB.set(bp, 0, kc, nr, false);
                }
                for (int i0 = 0; i0 < m; i0 += bl.mb) {
                    int mb = Math.min(bl.mb, m - i0), ib = i0;
                    if (aInPlace) {
                        opA.set(a, aOff + i0 * lda + p0, lda, lda, true);
                        int full = mb / mr * mr;
                        if (full < mb) kern.copyRows(a, aOff + (i0 + full) * lda + p0, lda, mb - full, kc, opA.edge);
                    } else {
                        int aStrips = (mb + mr - 1) / mr;
                        run(aStrips, 8, parallel && (long) mb * kc >= 1 << 15,
                                (s0, s1) -> kern.packA(transA, a, aOff, lda, ib, mb, pb, kc, ap, s0, s1));
                        opA.set(ap, 0, kc, mr, false);
                    }
                    tiles(kern, bl, opA, mb, opB, nb, kc, c, cOff + i0 * ldc + j0, ldc, !accumulate && p0 == 0,
                            parallel);
                }
            }
        }
    }

    /**
     * Runs the tiles of one block, mc × nc each, in parallel when asked; a block with few tiles (a skinny product)
     * gets shorter ones, so two threads still split it evenly.
     */
    private static void tiles(GemmKernel kern, Blocking bl, Operand opA, int mb, Operand opB, int nb, int kc,
                              Object c, int cBase, int ldc, boolean overwrite, boolean parallel) {
        int nc = bl.nc, colTiles = (nb + nc - 1) / nc, mc = bl.mc;
        while (parallel && mc > bl.mr && (long) ((mb + mc - 1) / mc) * colTiles < MIN_TASKS) mc -= bl.mr;
        int rows = mc, rowTiles = (mb + mc - 1) / mc;
        run(rowTiles * colTiles, 1, parallel, (t0, t1) -> {
            Object tile = kern.newArray(bl.mr * bl.nr);
            for (int t = t0; t < t1; t++) {
                int r0 = (t / colTiles) * rows, q0 = (t % colTiles) * nc;
                macro(kern, kc, opA, r0, Math.min(rows, mb - r0), opB, q0, Math.min(nc, nb - q0),
                        c, cBase + r0 * ldc + q0, ldc, overwrite, tile);
            }
        });
    }

    private static void run(int n, int grain, boolean parallel, Parallel.RangeBody body) {
        if (parallel) Parallel.forChunks(n, grain, body);
        else body.run(0, n);
    }

    /**
     * Computes rows [r0, r0+rows) × columns [q0, q0+cols) of the block product into C at {@code ci}. A run uses
     * one kernel variant for all its tiles, edges included, so no variant runs uncompiled just for the edges.
     */
    private static void macro(GemmKernel kern, int kc, Operand opA, int r0, int rows, Operand opB, int q0,
                              int cols, Object c, int ci, int ldc, boolean overwrite, Object tile) {
        int mr = kern.mr, nr = kern.nr;
        for (int jr = 0; jr < cols; jr += nr) {
            int n = Math.min(nr, cols - jr);
            boolean bEdge = opB.inPlace && n < nr;
            Object bd = bEdge ? opB.edge : opB.data;
            int bi = bEdge ? 0 : opB.base + (q0 + jr) * opB.step, bs = bEdge ? nr : opB.stride;
            for (int ir = 0; ir < rows; ir += mr) {
                int m = Math.min(mr, rows - ir);
                boolean aEdge = opA.inPlace && m < mr;
                Object ad = aEdge ? opA.edge : opA.data;
                int ai = aEdge ? 0 : opA.base + (r0 + ir) * opA.step, lda = aEdge ? kc : opA.stride;
                int cIdx = ci + ir * ldc + jr;
                if (m == mr && n == nr) {
                    kern.kernel(opA.inPlace, opB.inPlace, kc, ad, ai, lda, bd, bi, bs, c, cIdx, ldc, overwrite);
                } else {
                    // Edge tile: same kernel into a scratch tile, so the arithmetic per element is identical.
                    kern.kernel(opA.inPlace, opB.inPlace, kc, ad, ai, lda, bd, bi, bs, tile, 0, nr, true);
                    for (int rr = 0; rr < m; rr++) {
                        int cr = cIdx + rr * ldc, tr = rr * nr;
                        if (overwrite) System.arraycopy(tile, tr, c, cr, n);
                        else kern.addRow(tile, tr, c, cr, n);
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
