package io.chainrule.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float64 GEMM on the Vector API, in the GotoBLAS/BLIS shape: A and B are copied into packed panels
 * (transposition is absorbed by the packing), and a register-tiled micro-kernel computes
 * {@value #MR} × (2 vectors) tiles of C with all accumulators held in locals.
 *
 * <p>{@link SimdSgemm} is the same code for the other precision (the Vector API has no generic element type);
 * change both together.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 *
 * <p>Determinism: each C element is the sum, in ascending k-block order, of per-block FMA chains running over
 * {@code p} in ascending order; the k-block depth {@link #KC} is a constant. Which thread computes a tile never
 * changes its value, so results are bit-identical for any thread count.
 */
final class SimdDgemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Micro-tile rows: 6 rows × 2 vectors = 12 accumulators, leaving registers for B and the broadcast. */
    static final int MR = 6;
    /** Micro-tile columns: two vectors. */
    static final int NR = 2 * L;
    /** k-block depth; a KC × NR panel of B stays in L1 while the micro-kernel sweeps the A block. */
    static final int KC = 256;
    /** Rows of A packed at once (bounds the packing buffer). */
    private static final int MB = 64 * MR;
    /** Columns of B packed at once (bounds the packing buffer). */
    private static final int NB = 128 * NR;
    /** Rows of one parallel task (multiple of MR). */
    private static final int MC = 8 * MR;
    /** Columns of one parallel task (multiple of NR). */
    private static final int NC = 4 * NR;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-caller packing buffers, grown on demand and reused across calls. */
    private static final class Buffers {
        double[] a = new double[0];
        double[] b = new double[0];
    }

    private SimdDgemm() {}

    /** See {@link Gemm#dgemm}; {@code m, n, k > 0}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     double[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        Buffers buf = BUFFERS.get();
        int maxMb = roundUp(Math.min(MB, m), MR), maxNb = roundUp(Math.min(NB, n), NR);
        int kcMax = Math.min(KC, k);
        if (buf.a.length < maxMb * kcMax) buf.a = new double[maxMb * kcMax];
        if (buf.b.length < maxNb * kcMax) buf.b = new double[maxNb * kcMax];
        double[] ap = buf.a, bp = buf.b;
        for (int i0 = 0; i0 < m; i0 += MB) {
            int mb = Math.min(MB, m - i0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                kBlock(transA, transB, n, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                        i0, mb, p0, kc, !accumulate && p0 == 0, parallel, ap, bp);
            }
        }
    }

    /** One k-block of one row block: pack A, then for each column block pack B and run the tiles. */
    private static void kBlock(boolean transA, boolean transB, int n,
                               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                               double[] c, int cOff, int ldc, int i0, int mb, int p0, int kc,
                               boolean overwrite, boolean parallel, double[] ap, double[] bp) {
        int aStrips = (mb + MR - 1) / MR;
        run(aStrips, 8, parallel && (long) mb * kc >= 1 << 15,
                (s0, s1) -> packA(transA, a, aOff, lda, i0, mb, p0, kc, ap, s0, s1));
        for (int j0 = 0; j0 < n; j0 += NB) {
            int nb = Math.min(NB, n - j0);
            int bStrips = (nb + NR - 1) / NR, jb = j0;
            run(bStrips, 4, parallel && (long) nb * kc >= 1 << 15,
                    (s0, s1) -> packB(transB, b, bOff, ldb, jb, nb, p0, kc, bp, s0, s1));
            int rowTiles = (mb + MC - 1) / MC, colTiles = (nb + NC - 1) / NC;
            int cBase = cOff + i0 * ldc + j0;
            run(rowTiles * colTiles, 1, parallel, (t0, t1) -> {
                double[] tile = new double[MR * NR];
                for (int t = t0; t < t1; t++) {
                    int r0 = (t / colTiles) * MC, q0 = (t % colTiles) * NC;
                    macro(kc, ap, r0, Math.min(MC, mb - r0), bp, q0, Math.min(NC, nb - q0),
                            c, cBase + r0 * ldc + q0, ldc, overwrite, tile);
                }
            });
        }
    }

    private static void run(int n, int grain, boolean parallel, Parallel.RangeBody body) {
        if (parallel) Parallel.forChunks(n, grain, body);
        else body.run(0, n);
    }

    /** Computes rows [r0, r0+rows) × columns [q0, q0+cols) of the packed block product into C at {@code ci}. */
    private static void macro(int kc, double[] ap, int r0, int rows, double[] bp, int q0, int cols,
                              double[] c, int ci, int ldc, boolean overwrite, double[] tile) {
        for (int jr = 0; jr < cols; jr += NR) {
            int nr = Math.min(NR, cols - jr);
            int bi = (q0 + jr) * kc; // strip (q0+jr)/NR starts at strip*NR*kc
            for (int ir = 0; ir < rows; ir += MR) {
                int mr = Math.min(MR, rows - ir);
                int ai = (r0 + ir) * kc;
                int cIdx = ci + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernel(kc, ap, ai, bp, bi, c, cIdx, ldc, overwrite);
                } else {
                    // Edge tile: same kernel into a scratch tile, so the arithmetic per element is identical.
                    kernel(kc, ap, ai, bp, bi, tile, 0, NR, true);
                    for (int r = 0; r < mr; r++) {
                        int cr = cIdx + r * ldc, tr = r * NR;
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

    /** C[MR × NR] (+)= packed A strip · packed B strip over {@code kc}; accumulators stay in registers. */
    private static void kernel(int kc, double[] ap, int ai, double[] bp, int bi,
                               double[] c, int ci, int ldc, boolean overwrite) {
        DoubleVector z = DoubleVector.zero(S);
        DoubleVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        DoubleVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
            DoubleVector x = DoubleVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = DoubleVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = DoubleVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = DoubleVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = DoubleVector.broadcast(S, ap[ai + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = DoubleVector.broadcast(S, ap[ai + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
        }
        store(c00, c01, c, ci, overwrite);
        store(c10, c11, c, ci + ldc, overwrite);
        store(c20, c21, c, ci + 2 * ldc, overwrite);
        store(c30, c31, c, ci + 3 * ldc, overwrite);
        store(c40, c41, c, ci + 4 * ldc, overwrite);
        store(c50, c51, c, ci + 5 * ldc, overwrite);
    }

    private static void store(DoubleVector v0, DoubleVector v1, double[] c, int ci, boolean overwrite) {
        if (!overwrite) {
            v0 = DoubleVector.fromArray(S, c, ci).add(v0);
            v1 = DoubleVector.fromArray(S, c, ci + L).add(v1);
        }
        v0.intoArray(c, ci);
        v1.intoArray(c, ci + L);
    }

    /**
     * Packs rows [i0, i0+mb) × k-columns [p0, p0+kc) of A, strips [s0, s1) of MR rows: strip s holds
     * {@code A(i0+s*MR+r, p0+p)} at {@code s*MR*kc + p*MR + r}; rows past {@code mb} are zero.
     */
    private static void packA(boolean transA, double[] a, int aOff, int lda, int i0, int mb, int p0, int kc,
                              double[] ap, int s0, int s1) {
        for (int s = s0; s < s1; s++) {
            int base = s * MR * kc, rows = Math.min(MR, mb - s * MR), i = i0 + s * MR;
            if (transA) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i, dst = base + p * MR;
                    for (int r = 0; r < rows; r++) ap[dst + r] = a[src + r];
                    for (int r = rows; r < MR; r++) ap[dst + r] = 0d;
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    int dst = base + r;
                    if (r < rows) {
                        int src = aOff + (i + r) * lda + p0;
                        for (int p = 0; p < kc; p++) ap[dst + p * MR] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) ap[dst + p * MR] = 0d;
                    }
                }
            }
        }
    }

    /**
     * Packs k-rows [p0, p0+kc) × columns [j0, j0+nb) of B, strips [s0, s1) of NR columns: strip s holds
     * {@code B(p0+p, j0+s*NR+j)} at {@code s*NR*kc + p*NR + j}; columns past {@code nb} are zero.
     */
    private static void packB(boolean transB, double[] b, int bOff, int ldb, int j0, int nb, int p0, int kc,
                              double[] bp, int s0, int s1) {
        for (int s = s0; s < s1; s++) {
            int base = s * NR * kc, cols = Math.min(NR, nb - s * NR), j = j0 + s * NR;
            if (transB) {
                for (int q = 0; q < NR; q++) {
                    int dst = base + q;
                    if (q < cols) {
                        int src = bOff + (j + q) * ldb + p0;
                        for (int p = 0; p < kc; p++) bp[dst + p * NR] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) bp[dst + p * NR] = 0d;
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j, dst = base + p * NR;
                    DoubleVector.fromArray(S, b, src).intoArray(bp, dst);
                    DoubleVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j, dst = base + p * NR;
                    System.arraycopy(b, src, bp, dst, cols);
                    java.util.Arrays.fill(bp, dst + cols, dst + NR, 0d);
                }
            }
        }
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
