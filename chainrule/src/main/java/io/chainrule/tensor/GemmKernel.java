package io.chainrule.tensor;

/**
 * The type-specific half of {@link SimdGemm}: one precision's micro-kernels of one tile shape, and the packing
 * and copying around them. Generated ({@code src/build/java/io/chainrule/build/GemmGen.java} writes {@code SgemmKernel}, {@code
 * DgemmKernel} and a subclass per tile shape, e.g. {@code SgemmKernel6x4}); {@link GemmTile} picks the shape.
 * Arrays are {@code float[]} or {@code double[]} as the precision says; no vector crosses this interface, so a
 * kernel never passes vectors boxed to a call C2 did not inline.
 */
abstract class GemmKernel {
    /** Rows of the micro-tile. */
    final int mr;
    /** Columns of the micro-tile: {@link #vectors} vectors. */
    final int nr;
    /** Vectors per row of the micro-tile. */
    final int vectors;
    /**
     * k-block depth: a kc × nr panel of B stays in L1 while the micro-kernel sweeps the A block. It sets where
     * each element's sum restarts its FMA chain, so it is fixed per JVM (the tile's) and never per thread count.
     */
    final int kc;
    /** Per-caller buffers of this kernel's precision and tile, grown on demand and reused across calls. */
    final ThreadLocal<SimdGemm.Buffers> buffers = ThreadLocal.withInitial(() -> new SimdGemm.Buffers(this));

    GemmKernel(int mr, int vectors, int lanes) {
        this.mr = mr;
        this.vectors = vectors;
        this.nr = vectors * lanes;
        this.kc = 256;
    }

    /** The tile shape in rows × vectors, e.g. {@code 6x4}. */
    abstract String shape();

    /** A zeroed array of this precision. */
    abstract Object newArray(int n);

    /** The length of an array of this precision. */
    abstract int length(Object array);

    /**
     * C[mr × nr] (+)= A strip · B strip over {@code kc}: A(r, p) at {@code a[ai + r*lda + p]} when {@code aRows},
     * else at {@code a[ai + p*mr + r]} (packed); row p of the B strip at {@code b[bi + p*bs]} ({@code bs = nr}
     * unless {@code bStrided}, which never comes with {@code aRows}). Each element is C (or 0) plus one FMA chain
     * over p ascending from zero, so the tile shape does not change the numbers.
     */
    abstract void kernel(boolean aRows, boolean bStrided, int kc, Object a, int ai, int lda, Object b, int bi,
                         int bs, Object c, int ci, int ldc, boolean overwrite);

    /** {@code c[cOff + j] += tile[tOff + j]} for {@code j < n}. */
    abstract void addRow(Object tile, int tOff, Object c, int cOff, int n);

    /** {@code dst(j, i) = src(i, j)} for an {@code rows × cols} src. */
    abstract void transpose(Object src, int sOff, int lds, int rows, int cols, Object dst, int dOff, int ldd);

    /** Copies {@code rows} rows of {@code kc} elements at stride {@code lda} into mr rows of stride kc, zero-padded. */
    abstract void copyRows(Object a, int src, int lda, int rows, int kc, Object dst);

    /**
     * Packs rows [i0, i0+mb) × k-columns [p0, p0+kc) of A, strips [s0, s1) of mr rows: strip s holds
     * {@code A(i0+s*mr+r, p0+p)} at {@code s*mr*kc + p*mr + r}; rows past {@code mb} are zero.
     */
    abstract void packA(boolean transA, Object a, int aOff, int lda, int i0, int mb, int p0, int kc,
                        Object ap, int s0, int s1);

    /**
     * Packs k-rows [p0, p0+kc) × columns [j0, j0+nb) of B, strips [s0, s1) of nr columns: strip s holds
     * {@code B(p0+p, j0+s*nr+j)} at {@code s*nr*kc + p*nr + j}; columns past {@code nb} are zero.
     */
    abstract void packB(boolean transB, Object b, int bOff, int ldb, int j0, int nb, int p0, int kc,
                        Object bp, int s0, int s1);
}
