package io.chainrule.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Chooses the GEMM micro-kernel's tile shape for the machine, once, from what the JVM reports: the preferred vector
 * size and so the vector registers C2 may use (32 with 512-bit vectors or on AArch64, else 16). The choice is
 * deterministic: calibrating by timing would make it depend on the machine's load at start-up. The shape changes
 * no number ({@link GemmKernel#kernel}); {@code -Dchainrule.gemm.tile=6x4} overrides the large products' tile
 * (rows × vectors, one of {@link GemmKernels#SHAPES}).
 *
 * <p>The tile must hold its accumulators (rows × vectors), one row of B (vectors) and a broadcast of A in
 * registers, with enough accumulators to cover FMA latency × FMA pipes (8 on current x86 cores):
 * <ul>
 *   <li>16 registers (AVX2): 4 × 2 (8 accumulators, 11 registers). 6 × 2 and 4 × 3 fit on paper (15, 16) but
 *       JDK 25 hoists all loads of an iteration above its FMAs and spilled them at half speed;
 *   <li>32 registers (AVX-512): the 6 × 4 tile runs a lone large sgemm 5–20% faster (bench/RESULTS.md), but in a
 *       training step it made the MLP at batch 128 on 2 threads 3.6× slower and the means of every batch size
 *       2–2.6× their bests, where 4 × 2 alone ran within 3%: C1 cannot compile the 24-accumulator kernel ("out of
 *       virtual registers"), so until C2 has compiled it (late, on a busy machine) it runs in the interpreter on the
 *       Vector API's Java fallback. So 4 × 2 is the default here too, and {@code -Dchainrule.gemm.tile=6x4} opts in.
 * </ul>
 * Any tile gives the same numbers, so products may take different tiles by size.
 * Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class GemmTile {
    /** The tile of skinny products, and of every product with 16 vector registers. */
    static final String NARROW = "4x2";
    /**
     * With a wide tile set, products with fewer rows or columns than this keep the narrow one: a 6-row × 64-column
     * tile wastes too much on the edges of a small batch's products (the MLP step at batch 32 ran 1.4× slower).
     */
    static final int WIDE_MIN = 128;
    /** The float32 and float64 kernels of the narrow tile; {@link PackedB} packs for them. */
    static final GemmKernel FLOAT, DOUBLE;
    /** The float32 and float64 kernels of large products. */
    static final GemmKernel FLOAT_LARGE, DOUBLE_LARGE;
    /** Which tiles, for the log line and {@link Gemm#kernelInfo()}. */
    static final String INFO;

    static {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int registers = bits >= 512 || System.getProperty("os.arch", "").equals("aarch64") ? 32 : 16;
        String wanted = System.getProperty("chainrule.gemm.tile");
        String large = wanted != null ? wanted : NARROW;
        if (GemmKernels.of(true, large) == null) {
            throw new IllegalArgumentException("-Dchainrule.gemm.tile=" + wanted + ": no such GEMM tile; one of "
                    + String.join(", ", GemmKernels.SHAPES));
        }
        FLOAT = GemmKernels.of(true, NARROW);
        DOUBLE = GemmKernels.of(false, NARROW);
        FLOAT_LARGE = large.equals(NARROW) ? FLOAT : GemmKernels.of(true, large);
        DOUBLE_LARGE = large.equals(NARROW) ? DOUBLE : GemmKernels.of(false, large);
        INFO = "GEMM tile " + large + (large.equals(NARROW) ? "" : " (" + NARROW + " under " + WIDE_MIN + " rows or columns)")
                + " (rows x vectors) of "
                + bits + "-bit vectors, " + registers + " vector registers"
                + (wanted != null ? ", set by -Dchainrule.gemm.tile" : "");
        System.getLogger("io.chainrule.tensor").log(System.Logger.Level.DEBUG, "chainrule: " + INFO);
    }

    private GemmTile() {}

    /** The float32 kernel for an {@code m × n} product. */
    static GemmKernel floats(int m, int n) {
        return Math.min(m, n) >= WIDE_MIN ? FLOAT_LARGE : FLOAT;
    }

    /** The float64 kernel for an {@code m × n} product. */
    static GemmKernel doubles(int m, int n) {
        return Math.min(m, n) >= WIDE_MIN ? DOUBLE_LARGE : DOUBLE;
    }
}
