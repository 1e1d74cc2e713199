package io.chainrule.bench;

import io.chainrule.Threads;
import io.chainrule.tensor.Gemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-thread sgemm and dgemm GFLOP/s of the GEMM tile this JVM chose (or {@code -Dchainrule.gemm.tile=RxV}),
 * next to the FMA peak measured in the same JVM, timed by this thread's CPU time so that other processes on a
 * shared machine disturb the numbers less than wall-clock time would. {@code bench/run.sh tiles} runs it once per
 * tile shape. Arguments: sizes (default 256 512 1024 2048).
 */
public final class GemmTileBench {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private GemmTileBench() {}

    public static void main(String[] args) {
        Threads.set(1);
        int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] {256, 512, 1024, 2048};
        double peak = peak();
        double peak64 = peak * DoubleVector.SPECIES_PREFERRED.length() / F.length();
        System.out.printf("%s; FMA peak %.1f GFLOP/s float32, %.1f float64%n", Gemm.kernelInfo(), peak, peak64);
        for (int n : sizes) {
            double s = sgemm(n), d = dgemm(n);
            System.out.printf("  n=%4d  sgemm %6.1f GFLOP/s (%3.0f%% of peak)  dgemm %6.1f GFLOP/s (%3.0f%%)%n",
                    n, s, 100 * s / peak, d, 100 * d / peak64);
        }
    }

    /** Best of several timed rounds, in GFLOP/s, of {@code flops} per call. */
    private static double best(double flops, Runnable body) {
        long budget = 400_000_000L;
        for (long t = System.nanoTime(); System.nanoTime() - t < budget; ) body.run();
        double best = 0;
        for (int r = 0; r < 7; r++) {
            long cpu = MX.getCurrentThreadCpuTime();
            int calls = 0;
            do {
                body.run();
                calls++;
            } while (MX.getCurrentThreadCpuTime() - cpu < 50_000_000L);
            best = Math.max(best, flops * calls / (MX.getCurrentThreadCpuTime() - cpu));
        }
        return best;
    }

    private static double sgemm(int n) {
        Random r = new Random(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        return best(2.0 * n * n * n, () -> Gemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
    }

    private static double dgemm(int n) {
        Random r = new Random(1);
        double[] a = new double[n * n], b = new double[n * n], c = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextDouble() - 0.5;
            b[i] = r.nextDouble() - 0.5;
        }
        return best(2.0 * n * n * n, () -> Gemm.dgemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
    }

    /** {@link PeakGemmBench}'s loop: twelve independent FMA chains on registers; GFLOP/s float32. */
    private static double peak() {
        float[] operands = {1.0000001f, 1e-7f};
        int iterations = 1 << 16;
        float[] sink = new float[1];
        return best(2.0 * 12 * F.length() * iterations, () -> sink[0] += PeakGemmBench.fmas(operands, iterations));
    }
}
