package io.chainrule.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 GEMM on the Vector API, in the GotoBLAS/BLIS shape: a register-tiled micro-kernel computes
 * {@value #MR} × (2 vectors) tiles of C with all accumulators held in locals, broadcasting elements of A against
 * rows of B. Operands are copied into packed panels (B once per k-block and column block, A once per k-block and
 * row block) except where too little reuse pays for the copy, which matters for the skinny products of a small
 * batch:
 * <ul>
 *   <li>A's rows are read in place when it is not transposed and B has at most {@link #NC} columns;
 *   <li>otherwise B is read in place when it is not transposed and A has at most {@link #MC} rows;
 *   <li>{@code op(A)·Bᵀ} with A much shorter than B (a Linear layer's forward pass) runs as
 *       {@code Cᵀ = B·op(A)ᵀ} into scratch, so B's rows are read in place and the transposing copy is of the
 *       small A instead of the large B;
 *   <li>a ragged last strip of an operand read in place comes from a zero-padded copy, so no kernel reads past
 *       the data.
 * </ul>
 *
 * <p>{@link SimdDgemm} is the same code for the other precision (the Vector API has no generic element type);
 * change both together.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 *
 * <p>Determinism: each C element is {@code C (or 0)} plus, for each k-block in ascending order, an FMA chain over
 * {@code p} ascending that starts from zero; the k-block depth {@link #KC} is a constant. Packing, reading in
 * place and the transposed form all feed the same products to the same chains, so the value does not depend on
 * the path, the tile, or the thread that computes it: results are bit-identical for any thread count.
 */
final class SimdSgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Micro-tile rows: 4 rows × 2 vectors = 8 accumulators, plus 2 vectors of B and 4 broadcasts of A, fit AVX2's
     * 16 vector registers even when C2 hoists every load of an iteration above its FMAs, as JDK 25 does once the
     * bounds checks are gone. With 6 rows (12 accumulators) that schedule spilled an accumulator to the stack and
     * the kernel ran at half speed on JDK 25; 8 accumulators still cover the FMA latency × throughput (4 × 2).
     */
    static final int MR = 4;
    /** Micro-tile columns: two vectors. */
    static final int NR = 2 * L;
    /** k-block depth; a KC × NR panel of B stays in L1 while the micro-kernel sweeps the A block. */
    static final int KC = 256;
    /** Rows of A packed at once (bounds the packing buffer). */
    private static final int MB = 96 * MR;
    /** Columns of B packed at once (bounds the packing buffer). */
    private static final int NB = 128 * NR;
    /** Rows of one parallel task (multiple of MR); fewer when that leaves under {@link #MIN_TASKS} tasks. */
    private static final int MC = 12 * MR;
    private static final int MIN_TASKS = 8;
    /** Columns of one parallel task (multiple of NR). */
    private static final int NC = 4 * NR;
    /** Elements of the scratch {@code Cᵀ} of the transposed form (bounds that buffer). */
    private static final int CT_MAX = 1 << 17;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-caller buffers, grown on demand and reused across calls. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] edgeA = new float[MR * KC];
        float[] edgeB = new float[NR * KC];
        float[] ct = new float[0];
    }

    /**
     * Where the kernel reads one operand of a k-block. Packed: strip {@code t} starts at {@code data[t*step]}
     * with a fixed layout (see {@link #packA}, {@link #packB}). In place: the strip starting at row (of A) or
     * column (of B) {@code i} starts at {@code data[base + i*step]}, and {@code stride} is A's row stride or B's
     * k stride; a ragged last strip, which the kernel would read past, comes zero-padded from {@code edge} (A: MR
     * rows of stride kc; B: rows of NR).
     */
    private static final class Operand {
        float[] data;
        int base, step, stride;
        boolean inPlace;
        final float[] edge;

        Operand(float[] edge) {
            this.edge = edge;
        }

        void set(float[] data, int base, int step, int stride, boolean inPlace) {
            this.data = data;
            this.base = base;
            this.step = step;
            this.stride = stride;
            this.inPlace = inPlace;
        }
    }

    private SimdSgemm() {}

    /** See {@link Gemm#sgemm}; {@code m, n, k > 0}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        Buffers buf = BUFFERS.get();
        if (transB && transposedPays(m, n)) {
            // Cᵀ = B·op(A)ᵀ, in slices of B's rows that bound the scratch: B's rows are read in place as the
            // A operand, and op(A)ᵀ becomes the B operand (a transposing copy, or a plain one under transA).
            int slice = Math.max(MC, CT_MAX / m / MC * MC);
            int len = Math.min(slice, n) * m;
            if (buf.ct.length < len) buf.ct = new float[len];
            float[] ct = buf.ct;
            for (int j0 = 0; j0 < n; j0 += slice) {
                int ns = Math.min(slice, n - j0);
                if (accumulate) transpose(c, cOff + j0, ldc, m, ns, ct, 0, m);
                blocked(false, !transA, ns, m, k, b, bOff + j0 * ldb, ldb, a, aOff, lda, ct, 0, m, accumulate,
                        parallel, buf, null);
                transpose(ct, 0, m, ns, m, c, cOff + j0, ldc);
            }
        } else {
            blocked(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, parallel, buf, null);
        }
    }

    /** See {@link Gemm}'s product with a {@link PackedB}: {@code panels} from {@link #pack}. */
    static void gemm(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, float[][] panels,
                     float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        blocked(transA, false, m, n, k, a, aOff, lda, null, 0, 0, c, cOff, ldc, accumulate, parallel, BUFFERS.get(),
                panels);
    }

    /**
     * B packed as {@link #blocked} packs it, one panel per column block and k-block in the order it visits them,
     * for products that reuse one B ({@link PackedB}).
     */
    static float[][] pack(boolean transB, int n, int k, float[] b, int bOff, int ldb) {
        float[][] panels = new float[((n + NB - 1) / NB) * ((k + KC - 1) / KC)][];
        int i = 0;
        for (int j0 = 0; j0 < n; j0 += NB) {
            int nb = Math.min(NB, n - j0), strips = (nb + NR - 1) / NR;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                panels[i] = new float[strips * NR * kc];
                packB(transB, b, bOff, ldb, j0, nb, p0, kc, panels[i++], 0, strips);
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

    /** {@code dst(j, i) = src(i, j)} for an {@code rows × cols} src. */
    private static void transpose(float[] src, int sOff, int lds, int rows, int cols,
                                  float[] dst, int dOff, int ldd) {
        for (int i = 0; i < rows; i++) {
            int s = sOff + i * lds;
            for (int j = 0; j < cols; j++) dst[dOff + j * ldd + i] = src[s + j];
        }
    }

    /**
     * The blocked product: column blocks, k-blocks, row blocks, then parallel tiles. B comes from {@code panels}
     * (see {@link #pack}) when not null.
     */
    private static void blocked(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, boolean parallel, Buffers buf,
                                float[][] panels) {
        // Read in place what too few strips would reuse to pay for its copy: A's rows when B is one task column
        // wide, else B when all of A's rows fit in one task row (measured 1.2× at m = 10, a loss from m = 128 on).
        // Not both: next to A's rows the kernel wants B packed, where its index is linear in the loop counter and
        // the JIT drops the bounds checks.
        boolean aInPlace = !transA && n <= NC;
        boolean bInPlace = panels == null && !transB && m <= MC && !aInPlace;
        int maxMb = roundUp(Math.min(MB, m), MR), maxNb = roundUp(Math.min(NB, n), NR);
        int kcMax = Math.min(KC, k);
        if (!aInPlace && buf.a.length < maxMb * kcMax) buf.a = new float[maxMb * kcMax];
        if (!bInPlace && panels == null && buf.b.length < maxNb * kcMax) buf.b = new float[maxNb * kcMax];
        float[] ap = buf.a, bp = buf.b;
        Operand opA = new Operand(buf.edgeA), opB = new Operand(buf.edgeB);
        int panel = 0;
        for (int j0 = 0; j0 < n; j0 += NB) {
            int nb = Math.min(NB, n - j0), jb = j0;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0), pb = p0;
                if (panels != null) {
                    opB.set(panels[panel++], 0, kc, NR, false);
                } else if (bInPlace) {
                    opB.set(b, bOff + p0 * ldb + j0, 1, ldb, true);
                    int full = nb / NR * NR;
                    if (full < nb) packB(false, b, bOff, ldb, j0 + full, nb - full, p0, kc, opB.edge, 0, 1);
                } else {
                    int bStrips = (nb + NR - 1) / NR;
                    run(bStrips, 4, parallel && (long) nb * kc >= 1 << 15,
                            (s0, s1) -> packB(transB, b, bOff, ldb, jb, nb, pb, kc, bp, s0, s1));
                    opB.set(bp, 0, kc, NR, false);
                }
                for (int i0 = 0; i0 < m; i0 += MB) {
                    int mb = Math.min(MB, m - i0), ib = i0;
                    if (aInPlace) {
                        opA.set(a, aOff + i0 * lda + p0, lda, lda, true);
                        int full = mb / MR * MR;
                        if (full < mb) copyRows(a, aOff + (i0 + full) * lda + p0, lda, mb - full, kc, opA.edge);
                    } else {
                        int aStrips = (mb + MR - 1) / MR;
                        run(aStrips, 8, parallel && (long) mb * kc >= 1 << 15,
                                (s0, s1) -> packA(transA, a, aOff, lda, ib, mb, pb, kc, ap, s0, s1));
                        opA.set(ap, 0, kc, MR, false);
                    }
                    tiles(opA, mb, opB, nb, kc, c, cOff + i0 * ldc + j0, ldc, !accumulate && p0 == 0, parallel);
                }
            }
        }
    }

    /**
     * Runs the tiles of one block, MC × NC each, in parallel when asked; a block with few tiles (a skinny product)
     * gets shorter ones, so two threads still split it evenly.
     */
    private static void tiles(Operand opA, int mb, Operand opB, int nb, int kc, float[] c, int cBase, int ldc,
                              boolean overwrite, boolean parallel) {
        int colTiles = (nb + NC - 1) / NC, mc = MC;
        while (parallel && mc > MR && (long) ((mb + mc - 1) / mc) * colTiles < MIN_TASKS) mc -= MR;
        int rows = mc, rowTiles = (mb + mc - 1) / mc;
        run(rowTiles * colTiles, 1, parallel, (t0, t1) -> {
            float[] tile = new float[MR * NR];
            for (int t = t0; t < t1; t++) {
                int r0 = (t / colTiles) * rows, q0 = (t % colTiles) * NC;
                macro(kc, opA, r0, Math.min(rows, mb - r0), opB, q0, Math.min(NC, nb - q0),
                        c, cBase + r0 * ldc + q0, ldc, overwrite, tile);
            }
        });
    }

    private static void run(int n, int grain, boolean parallel, Parallel.RangeBody body) {
        if (parallel) Parallel.forChunks(n, grain, body);
        else body.run(0, n);
    }

    /** Computes rows [r0, r0+rows) × columns [q0, q0+cols) of the block product into C at {@code ci}. */
    private static void macro(int kc, Operand opA, int r0, int rows, Operand opB, int q0, int cols,
                              float[] c, int ci, int ldc, boolean overwrite, float[] tile) {
        for (int jr = 0; jr < cols; jr += NR) {
            int nr = Math.min(NR, cols - jr);
            boolean bEdge = opB.inPlace && nr < NR;
            float[] bd = bEdge ? opB.edge : opB.data;
            int bi = bEdge ? 0 : opB.base + (q0 + jr) * opB.step, bs = bEdge ? NR : opB.stride;
            for (int ir = 0; ir < rows; ir += MR) {
                int mr = Math.min(MR, rows - ir);
                boolean aEdge = opA.inPlace && mr < MR;
                float[] ad = aEdge ? opA.edge : opA.data;
                int ai = aEdge ? 0 : opA.base + (r0 + ir) * opA.step, lda = aEdge ? kc : opA.stride;
                int cIdx = ci + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernel(kc, opA.inPlace, opB.inPlace, ad, ai, lda, bd, bi, bs, c, cIdx, ldc, overwrite);
                } else {
                    // Edge tile: same kernel into a scratch tile, so the arithmetic per element is identical.
                    kernel(kc, opA.inPlace, opB.inPlace, ad, ai, lda, bd, bi, bs, tile, 0, NR, true);
                    for (int rr = 0; rr < mr; rr++) {
                        int cr = cIdx + rr * ldc, tr = rr * NR;
                        if (overwrite) {
                            System.arraycopy(tile, tr, c, cr, nr);
                        } else {
                            for (int j = 0; j < nr; j++) c[cr + j] += tile[tr + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * C[MR × NR] (+)= A strip · B strip over {@code kc}: A(r, p) at {@code a[ai + r*lda + p]} when {@code aRows},
     * else at {@code a[ai + p*MR + r]} (packed); row p of the B strip at {@code b[bi + p*bs]} ({@code bs = NR}
     * unless {@code bStrided}, which never comes with {@code aRows}). Three copies of one loop, so that each has constant strides where it can: a stride
     * the JIT sees as a constant folds into the addressing, and an index linear in the loop counter lets it hoist
     * the bounds checks. A run uses one copy for all its tiles, edges included, so no copy runs uncompiled (Vector
     * API code is ~100× slower before C2 compiles it) just for the edges.
     *
     * <p>Each copy writes C itself, with no helper taking vectors: a call C2 does not inline (cold, or past its
     * node budget) passes its vector arguments boxed and runs the Vector API's plain-Java fallback, which made a
     * whole training step 3× slower. The copies are also too big for C2 to inline into their callers, so each
     * compiles on its own.
     */
    private static void kernel(int kc, boolean aRows, boolean bStrided, float[] a, int ai, int lda,
                               float[] b, int bi, int bs, float[] c, int ci, int ldc, boolean overwrite) {
        if (aRows) kernelRows(kc, a, ai, lda, b, bi, c, ci, ldc, overwrite);
        else if (bStrided) kernelStrided(kc, a, ai, b, bi, bs, c, ci, ldc, overwrite);
        else kernelPacked(kc, a, ai, b, bi, c, ci, ldc, overwrite);
    }

    /** {@link #kernel} for a packed A and a B strip with any row stride. */
    private static void kernelStrided(int kc, float[] ap, int ai, float[] b, int bi, int bs,
                                      float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, bi += bs) {
            int ao = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ao]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        if (overwrite) {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
        } else {
            FloatVector.fromArray(S, c, ci).add(c00).intoArray(c, ci);
            FloatVector.fromArray(S, c, ci + L).add(c01).intoArray(c, ci + L);
            FloatVector.fromArray(S, c, ci + ldc).add(c10).intoArray(c, ci + ldc);
            FloatVector.fromArray(S, c, ci + ldc + L).add(c11).intoArray(c, ci + ldc + L);
            FloatVector.fromArray(S, c, ci + 2 * ldc).add(c20).intoArray(c, ci + 2 * ldc);
            FloatVector.fromArray(S, c, ci + 2 * ldc + L).add(c21).intoArray(c, ci + 2 * ldc + L);
            FloatVector.fromArray(S, c, ci + 3 * ldc).add(c30).intoArray(c, ci + 3 * ldc);
            FloatVector.fromArray(S, c, ci + 3 * ldc + L).add(c31).intoArray(c, ci + 3 * ldc + L);
        }
    }

    /** {@link #kernel} for a packed A and a packed B; all accumulators stay in registers. */
    private static void kernelPacked(int kc, float[] ap, int ai, float[] b, int bi,
                                     float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        for (int p = 0; p < kc; p++) {
            int ao = ai + p * MR, bo = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector x = FloatVector.broadcast(S, ap[ao]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        if (overwrite) {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
        } else {
            FloatVector.fromArray(S, c, ci).add(c00).intoArray(c, ci);
            FloatVector.fromArray(S, c, ci + L).add(c01).intoArray(c, ci + L);
            FloatVector.fromArray(S, c, ci + ldc).add(c10).intoArray(c, ci + ldc);
            FloatVector.fromArray(S, c, ci + ldc + L).add(c11).intoArray(c, ci + ldc + L);
            FloatVector.fromArray(S, c, ci + 2 * ldc).add(c20).intoArray(c, ci + 2 * ldc);
            FloatVector.fromArray(S, c, ci + 2 * ldc + L).add(c21).intoArray(c, ci + 2 * ldc + L);
            FloatVector.fromArray(S, c, ci + 3 * ldc).add(c30).intoArray(c, ci + 3 * ldc);
            FloatVector.fromArray(S, c, ci + 3 * ldc + L).add(c31).intoArray(c, ci + 3 * ldc + L);
        }
    }

    /**
     * {@link #kernel} for A read in place from four rows and a packed B. Indexing each row of A and the B strip by
     * the loop counter lets the JIT hoist their bounds checks out of the loop.
     */
    private static void kernelRows(int kc, float[] a, int ai, int lda, float[] b, int bi,
                                   float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        int a0 = ai, a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        if (overwrite) {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
        } else {
            FloatVector.fromArray(S, c, ci).add(c00).intoArray(c, ci);
            FloatVector.fromArray(S, c, ci + L).add(c01).intoArray(c, ci + L);
            FloatVector.fromArray(S, c, ci + ldc).add(c10).intoArray(c, ci + ldc);
            FloatVector.fromArray(S, c, ci + ldc + L).add(c11).intoArray(c, ci + ldc + L);
            FloatVector.fromArray(S, c, ci + 2 * ldc).add(c20).intoArray(c, ci + 2 * ldc);
            FloatVector.fromArray(S, c, ci + 2 * ldc + L).add(c21).intoArray(c, ci + 2 * ldc + L);
            FloatVector.fromArray(S, c, ci + 3 * ldc).add(c30).intoArray(c, ci + 3 * ldc);
            FloatVector.fromArray(S, c, ci + 3 * ldc + L).add(c31).intoArray(c, ci + 3 * ldc + L);
        }
    }

    /** Copies {@code rows} rows of {@code kc} elements at stride {@code lda} into MR rows of stride kc, zero-padded. */
    private static void copyRows(float[] a, int src, int lda, int rows, int kc, float[] dst) {
        for (int r = 0; r < MR; r++) {
            if (r < rows) System.arraycopy(a, src + r * lda, dst, r * kc, kc);
            else java.util.Arrays.fill(dst, r * kc, (r + 1) * kc, 0f);
        }
    }

    /**
     * Packs rows [i0, i0+mb) × k-columns [p0, p0+kc) of A, strips [s0, s1) of MR rows: strip s holds
     * {@code A(i0+s*MR+r, p0+p)} at {@code s*MR*kc + p*MR + r}; rows past {@code mb} are zero.
     */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mb, int p0, int kc,
                              float[] ap, int s0, int s1) {
        for (int s = s0; s < s1; s++) {
            int base = s * MR * kc, rows = Math.min(MR, mb - s * MR), i = i0 + s * MR;
            if (transA) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i, dst = base + p * MR;
                    for (int r = 0; r < rows; r++) ap[dst + r] = a[src + r];
                    for (int r = rows; r < MR; r++) ap[dst + r] = 0f;
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    int dst = base + r;
                    if (r < rows) {
                        int src = aOff + (i + r) * lda + p0;
                        for (int p = 0; p < kc; p++) ap[dst + p * MR] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) ap[dst + p * MR] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs k-rows [p0, p0+kc) × columns [j0, j0+nb) of B, strips [s0, s1) of NR columns: strip s holds
     * {@code B(p0+p, j0+s*NR+j)} at {@code s*NR*kc + p*NR + j}; columns past {@code nb} are zero.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int j0, int nb, int p0, int kc,
                              float[] bp, int s0, int s1) {
        for (int s = s0; s < s1; s++) {
            int base = s * NR * kc, cols = Math.min(NR, nb - s * NR), j = j0 + s * NR;
            if (transB) {
                for (int q = 0; q < NR; q++) {
                    int dst = base + q;
                    if (q < cols) {
                        int src = bOff + (j + q) * ldb + p0;
                        for (int p = 0; p < kc; p++) bp[dst + p * NR] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) bp[dst + p * NR] = 0f;
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j, dst = base + p * NR;
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j, dst = base + p * NR;
                    System.arraycopy(b, src, bp, dst, cols);
                    java.util.Arrays.fill(bp, dst + cols, dst + NR, 0f);
                }
            }
        }
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
