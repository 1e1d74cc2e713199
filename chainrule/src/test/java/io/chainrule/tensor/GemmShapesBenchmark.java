package io.chainrule.tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * GEMM speed on the shapes one training step of a 784-256-128-10 MLP produces, run by hand (not a test):
 * {@code java --add-modules jdk.incubator.vector -cp chainrule/target/classes:chainrule/target/test-classes
 * io.chainrule.tensor.GemmShapesBenchmark [f32|f64|both] [rounds]}.
 *
 * <p>A Linear layer with weight W [out,in] runs forward {@code X·Wᵀ} (transB), input gradient {@code dY·W}
 * and weight gradient {@code dYᵀ·X} (transA); the first layer needs no input gradient. Each shape is printed
 * in GFLOP/s ({@code 2mnk} per call) on 1 and 2 threads, best of {@code rounds} rounds (default 30) of about
 * {@value #ROUND_NANOS} ns each, after a warm-up pass over every shape; "step total" sums one batch size's calls.
 * The load average is printed before and after: on a shared machine compare runs made at similar load.
 */
public final class GemmShapesBenchmark {
    private static final long ROUND_NANOS = 2_000_000L;
    private static final long WARMUP_NANOS = 60_000_000L;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();
    private static final int[] BATCHES = {32, 128, 512};
    private static final int[] SQUARES = {256, 512, 1024};
    /** The GEMM calls of one training step, listed per batch size by {@link #shapes}. */
    private static final int SHAPES_PER_BATCH = 8;

    private GemmShapesBenchmark() {}

    /** One GEMM call shape: {@code C[m,n] = op(A)·op(B)} with op given by the flags. */
    private static final class Shape {
        final String name;
        final boolean ta, tb;
        final int m, n, k;

        Shape(String name, boolean ta, boolean tb, int m, int n, int k) {
            this.name = name;
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
        }

        String label() {
            return String.format(Locale.ROOT, "%-12s %s%s m=%-4d n=%-4d k=%-4d", name, ta ? "T" : "N", tb ? "T" : "N",
                    m, n, k);
        }
    }

    private static List<Shape> shapes() {
        List<Shape> s = new ArrayList<>();
        for (int b : BATCHES) {
            s.add(new Shape("B" + b + " L1 fwd", false, true, b, 256, 784));
            s.add(new Shape("B" + b + " L1 dW", true, false, 256, 784, b));
            s.add(new Shape("B" + b + " L2 fwd", false, true, b, 128, 256));
            s.add(new Shape("B" + b + " L2 dX", false, false, b, 256, 128));
            s.add(new Shape("B" + b + " L2 dW", true, false, 128, 256, b));
            s.add(new Shape("B" + b + " L3 fwd", false, true, b, 10, 128));
            s.add(new Shape("B" + b + " L3 dX", false, false, b, 128, 10));
            s.add(new Shape("B" + b + " L3 dW", true, false, 10, 128, b));
        }
        for (int n : SQUARES) s.add(new Shape("square", false, false, n, n, n));
        return s;
    }

    /** Runs one shape repeatedly in one precision. */
    private interface Call {
        void run();
    }

    private static Call call(Shape s, boolean f64, Random r) {
        int lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
        int aLen = s.m * s.k, bLen = s.k * s.n, cLen = s.m * s.n;
        if (f64) {
            double[] a = new double[aLen], b = new double[bLen], c = new double[cLen];
            for (int i = 0; i < aLen; i++) a[i] = r.nextGaussian();
            for (int i = 0; i < bLen; i++) b[i] = r.nextGaussian();
            return () -> Gemm.dgemm(s.ta, s.tb, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false);
        }
        float[] a = new float[aLen], b = new float[bLen], c = new float[cLen];
        for (int i = 0; i < aLen; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < bLen; i++) b[i] = (float) r.nextGaussian();
        return () -> Gemm.sgemm(s.ta, s.tb, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false);
    }

    /** Calls {@code c} until {@code nanos} have passed; returns the number of calls. */
    private static long runFor(Call c, long nanos) {
        long t0 = System.nanoTime(), calls = 0;
        do {
            c.run();
            calls++;
        } while (System.nanoTime() - t0 < nanos);
        return calls;
    }

    /**
     * Seconds per call over {@code reps} calls: CPU time of this thread on one thread, so that time slices lost
     * to other processes on a shared machine do not count; wall time on two.
     */
    private static double secondsPerCall(Call c, long reps, int threads) {
        boolean cpu = threads == 1 && CPU.isCurrentThreadCpuTimeSupported();
        long t0 = cpu ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
        for (long i = 0; i < reps; i++) c.run();
        long t1 = cpu ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
        return (t1 - t0) / 1e9 / reps;
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "f32";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int saved = Parallel.threads();
        List<Shape> shapes = shapes();
        Random r = new Random(1);
        System.out.printf(Locale.ROOT, "load average before: %.2f%n", OS.getSystemLoadAverage());
        for (boolean f64 : new boolean[] {false, true}) {
            if (f64 ? which.equals("f32") : which.equals("f64")) continue;
            List<Call> calls = new ArrayList<>();
            for (Shape s : shapes) calls.add(call(s, f64, r));
            long[][] reps = new long[shapes.size()][2];
            for (int t = 1; t <= 2; t++) { // warm-up: every path compiled before anything is timed
                Parallel.setThreads(t);
                for (int i = 0; i < shapes.size(); i++) runFor(calls.get(i), WARMUP_NANOS);
                for (int i = 0; i < shapes.size(); i++) reps[i][t - 1] = runFor(calls.get(i), ROUND_NANOS);
            }
            // Rounds sweep all shapes, so a burst of load elsewhere hits one round of each, not every round of one.
            double[][] best = new double[shapes.size()][2];
            for (double[] b : best) java.util.Arrays.fill(b, Double.MAX_VALUE);
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < shapes.size(); i++) {
                    for (int t = 1; t <= 2; t++) {
                        Parallel.setThreads(t);
                        best[i][t - 1] = Math.min(best[i][t - 1], secondsPerCall(calls.get(i), reps[i][t - 1], t));
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s GFLOP/s, best of %d rounds (1 thr: thread CPU time, 2 thr: wall)"
                    + "; simd=%b%n", f64 ? "float64" : "float32", rounds, Simd.ENABLED);
            System.out.printf(Locale.ROOT, "%-41s %8s %8s%n", "shape", "1 thr", "2 thr");
            double groupFlops = 0;
            double[] groupSeconds = new double[2];
            for (int i = 0; i < shapes.size(); i++) {
                Shape s = shapes.get(i);
                double flops = 2.0 * s.m * s.n * s.k;
                groupFlops += flops;
                groupSeconds[0] += best[i][0];
                groupSeconds[1] += best[i][1];
                System.out.printf(Locale.ROOT, "%-41s %8.1f %8.1f%n", s.label(), flops / best[i][0] / 1e9,
                        flops / best[i][1] / 1e9);
                if (i % SHAPES_PER_BATCH == SHAPES_PER_BATCH - 1 && i < BATCHES.length * SHAPES_PER_BATCH) {
                    System.out.printf(Locale.ROOT, "%-41s %8.1f %8.1f   (%.0f / %.0f us per step)%n",
                            "  step total " + s.name.substring(0, s.name.indexOf(' ')),
                            groupFlops / groupSeconds[0] / 1e9, groupFlops / groupSeconds[1] / 1e9,
                            groupSeconds[0] * 1e6, groupSeconds[1] * 1e6);
                    groupFlops = 0;
                    groupSeconds = new double[2];
                }
            }
        }
        System.out.printf(Locale.ROOT, "load average after: %.2f%n", OS.getSystemLoadAverage());
        Parallel.setThreads(saved);
    }
}
