package io.chainrule.bench;

import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.F;
import io.chainrule.nn.LSTM;
import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import io.chainrule.optim.SGD;
import io.chainrule.tensor.Gemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reproduces the JIT's bad compile of chainrule's GEMM kernels (issue 15): a JVM that first runs other Vector API
 * code, with every species through shared helpers and odd shapes, pollutes the type profiles inside the Vector API's
 * own methods, and on JDK 17 a kernel compiled after that could bind its vector calls virtually and run the API's
 * plain-Java fallback, several times slower. Run as {@code JitPollutionBench polluted} and {@code JitPollutionBench
 * plain} (two JVMs, {@code bench/run.sh jit} runs both): it prints the MLP step (784-256-128-10, batch 32, 1
 * thread), sgemm n = 256, an elementwise chain and an Adam step over 256×256 floats (the pointwise, SimdMath and
 * update kernels) and a batch norm and an LSTM forward and backward (the norm and recurrent kernels), best and mean,
 * which should agree between the two.
 */
public final class JitPollutionBench {
    private JitPollutionBench() {}

    public static void main(String[] args) {
        boolean polluted = args.length > 0 && args[0].equals("polluted");
        Threads.set(1);
        long t0 = System.nanoTime();
        double sink = polluted ? pollute() : 0;
        System.out.printf("%s: other Vector API code ran %.1f s first (sink %.3g)%n",
                polluted ? "polluted" : "plain", (System.nanoTime() - t0) / 1e9, sink);
        mlp();
        sgemm();
        elementwise();
        adam();
        normAndLstm();
    }

    /** Vector code over every float and double species through one helper each, with odd lengths. */
    static double pollute() {
        @SuppressWarnings("unchecked")
        VectorSpecies<Float>[] fs = new VectorSpecies[] {FloatVector.SPECIES_64, FloatVector.SPECIES_128,
            FloatVector.SPECIES_256, FloatVector.SPECIES_512, FloatVector.SPECIES_MAX};
        @SuppressWarnings("unchecked")
        VectorSpecies<Double>[] ds = new VectorSpecies[] {DoubleVector.SPECIES_128, DoubleVector.SPECIES_256,
            DoubleVector.SPECIES_512, DoubleVector.SPECIES_64};
        float[] a = new float[1031], b = new float[1031], c = new float[1031];
        double[] x = new double[1031], y = new double[1031], z = new double[1031];
        Arrays.fill(a, 0.5f);
        Arrays.fill(b, 0.25f);
        Arrays.fill(x, 0.5);
        Arrays.fill(y, 0.25);
        double sink = 0;
        for (int round = 0; round < 3000; round++) {
            int n = 7 + round % 1024;
            for (VectorSpecies<Float> s : fs) sink += floats(s, a, b, c, n);
            for (VectorSpecies<Double> s : ds) sink += doubles(s, x, y, z, n);
        }
        return sink;
    }

    private static float floats(VectorSpecies<Float> s, float[] a, float[] b, float[] c, int n) {
        FloatVector acc = FloatVector.zero(s);
        int i = 0;
        for (; i < s.loopBound(n); i += s.length()) {
            FloatVector u = FloatVector.fromArray(s, a, i), v = FloatVector.fromArray(s, b, i);
            acc = u.fma(v, acc);
            u.lanewise(VectorOperators.MUL, v).add(acc).intoArray(c, i);
            // the other operations chainrule's pointwise and update kernels use
            u.sub(v).div(v.abs().add(1)).max(u.neg()).blend(0, u.compare(VectorOperators.LE, 0)).sqrt().intoArray(c, i);
        }
        for (; i < n; i++) c[i] = a[i] * b[i];
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static double doubles(VectorSpecies<Double> s, double[] a, double[] b, double[] c, int n) {
        DoubleVector acc = DoubleVector.zero(s);
        int i = 0;
        for (; i < s.loopBound(n); i += s.length()) {
            DoubleVector u = DoubleVector.fromArray(s, a, i), v = DoubleVector.fromArray(s, b, i);
            acc = u.fma(v, acc);
            u.lanewise(VectorOperators.MUL, v).add(acc).intoArray(c, i);
            // the other operations chainrule's pointwise and update kernels use
            u.sub(v).div(v.abs().add(1)).max(u.neg()).blend(0, u.compare(VectorOperators.LE, 0)).sqrt().intoArray(c, i);
        }
        for (; i < n; i++) c[i] = a[i] * b[i];
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static void mlp() {
        Sequential model = Workloads.mlp(Workloads.MLP);
        SGD optimizer = new SGD(model.parameters(), 0.01);
        int batch = 32;
        Tensor x = Tensor.of(Workloads.randn(batch * Workloads.MLP[0], 1), batch, Workloads.MLP[0]);
        Tensor y = Tensor.of(Workloads.labels(batch, 10, 2), batch);
        report("MLP step b32", 3000, () -> {
            optimizer.zeroGrad();
            F.crossEntropy(model.forward(x), y).backward();
            optimizer.step();
        });
    }

    /** relu, add, mul, sigmoid, a scalar mul and tanh over a 256×256 float tensor, no autograd. */
    private static void elementwise() {
        Tensor x = Tensor.of(Workloads.randn(256 * 256, 5), 256, 256);
        Tensor y = Tensor.of(Workloads.randn(256 * 256, 6), 256, 256);
        report("pointwise 256²", 3000, () -> x.relu().add(y).mul(y).sigmoid().mul(2.0).tanh());
    }

    /** One Adam step on a 256×256 float parameter (gradient fixed). */
    private static void adam() {
        Tensor w = Tensor.of(Workloads.randn(256 * 256, 7), 256, 256).requiresGrad(true);
        Tensor y = Tensor.of(Workloads.randn(256 * 256, 8), 256, 256);
        w.mul(y).sum().backward();
        Adam optimizer = new Adam(java.util.List.of(w), 1e-3);
        report("Adam 256²", 3000, optimizer::step);
    }

    /** BatchNorm2d(16) over 32×16×16×16 and LSTM(28, 64) over 16 sequences of 8, each forward and backward. */
    private static void normAndLstm() {
        BatchNorm2d norm = new BatchNorm2d(16);
        Tensor images = Tensor.of(Workloads.randn(32 * 16 * 16 * 16, 9), 32, 16, 16, 16);
        report("batchnorm f+b", 1000, () -> norm.forward(images).sum().backward());
        LSTM lstm = new LSTM(28, 64, 1, true);
        Tensor seqs = Tensor.of(Workloads.randn(16 * 8 * 28, 10), 16, 8, 28);
        report("LSTM f+b", 500, () -> lstm.forward(seqs).sum().backward());
    }

    private static void sgemm() {
        int n = 256;
        float[] a = Workloads.randn(n * n, 3), b = Workloads.randn(n * n, 4), c = new float[n * n];
        report("sgemm n=256", 1000, () -> Gemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
    }

    /**
     * Runs {@code body} in 10 timed batches of {@code reps / 10} after as many untimed; prints the best and mean
     * time per call, wall clock and this thread's CPU time (which other processes on a busy machine disturb less).
     */
    private static void report(String name, int reps, Runnable body) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < reps; i++) body.run();
        double best = Double.MAX_VALUE, sum = 0, cpuBest = Double.MAX_VALUE, cpuSum = 0;
        for (int r = 0; r < 10; r++) {
            long t = System.nanoTime(), cpu = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps / 10; i++) body.run();
            double ms = (System.nanoTime() - t) / 1e6 / (reps / 10);
            double cpuMs = (mx.getCurrentThreadCpuTime() - cpu) / 1e6 / (reps / 10);
            best = Math.min(best, ms);
            sum += ms;
            cpuBest = Math.min(cpuBest, cpuMs);
            cpuSum += cpuMs;
        }
        System.out.printf("  %-14s wall best %.3f ms, mean %.3f ms; CPU best %.3f ms, mean %.3f ms%n",
                name, best, sum / 10, cpuBest, cpuSum / 10);
    }
}
