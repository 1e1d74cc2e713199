package io.chainrule.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running self-check of the SIMD GEMM: times a sample of its larger single-thread products and, when three
 * samples in a row run below {@link #FLOOR} GFLOP/s after the kernels had time to compile, says once on stderr
 * that the JIT compiled them without the Vector API's intrinsics. That compile runs the API's boxed plain-Java
 * fallback, 20–100× slower than the intrinsics and several times slower than a scalar loop; the kernels are
 * written so that it cannot happen ({@code GemmGen}), and this line would say if a JVM found another way. The
 * numbers stay right either way, so it only reports. Costs two {@code nanoTime} calls per sampled product.
 */
final class GemmWatch {
    /** Products with fewer multiply-adds are not timed (too short to time reliably). */
    static final long MIN_WORK = 1L << 20;
    /** Eligible products before the first sample: time for C2 to compile the kernels. */
    private static final long WARM = 2000;
    /** Every this many eligible products one is timed. */
    private static final long EVERY = 64;
    /**
     * GFLOP/s below which a kernel is taken to run the Java fallback: that runs at 0.1–0.5, a scalar loop at 2–8,
     * the intrinsified kernels at 20–200, and a thread that gets a tenth of a busy core still above 2.
     */
    static final double FLOOR = 1.0;
    private static final int STRIKES = 3;

    private static final AtomicLong eligible = new AtomicLong();
    private static final AtomicInteger strikes = new AtomicInteger();
    private static volatile boolean reported;

    private GemmWatch() {}

    /** Whether to time this product of {@code work} multiply-adds. */
    static boolean sample(long work) {
        if (reported || work < MIN_WORK) return false;
        long n = eligible.incrementAndGet();
        return n > WARM && n % EVERY == 0;
    }

    /** Records a timed product; reports once after {@link #STRIKES} slow samples in a row. */
    static void record(GemmKernel kernel, boolean float32, long work, long nanos) {
        double gflops = 2.0 * work / Math.max(1, nanos);
        if (gflops >= FLOOR) {
            strikes.set(0);
        } else if (strikes.incrementAndGet() >= STRIKES && !reported) {
            reported = true;
            System.err.printf("chainrule: the %s SIMD GEMM (tile %s) runs at %.2f GFLOP/s: the JIT compiled its "
                    + "kernel without the Vector API intrinsics; results are unaffected, speed is not%n",
                    float32 ? "float32" : "float64", kernel.shape(), gflops);
        }
    }

    /** Whether the report was made (for tests). */
    static boolean reported() {
        return reported;
    }
}
