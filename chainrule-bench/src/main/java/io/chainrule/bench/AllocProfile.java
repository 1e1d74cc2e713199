package io.chainrule.bench;

import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.F;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Bytes allocated, GCs and time per training step of the Fashion-MNIST MLP (784-256-128-10, Adam) and the examples'
 * CNN (conv-BN-ReLU-pool ×2 + MLP head, Adam), on synthetic inputs of the right shapes. Run it under JFR
 * ({@code -XX:StartFlightRecording=settings=profile,filename=x.jfr}) to see which sites allocate.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... io.chainrule.bench.AllocProfile mlp 128 [steps] [threads]</pre>
 */
public final class AllocProfile {
    private AllocProfile() {}

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "mlp";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Threads.set(args.length > 3 ? Integer.parseInt(args[3]) : 1);
        Sequential net;
        Tensor x;
        if (model.equals("cnn")) {
            Tensor.manualSeed(0);
            net = new Sequential(
                    new Conv2d(1, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, 3, 1, 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
                    new Flatten(), new Dropout(0.25), new Linear(64 * 7 * 7, 128), new ReLU(), new Dropout(0.25),
                    new Linear(128, 10));
            x = Tensor.of(Workloads.randn(batch * 28 * 28, 1), batch, 1, 28, 28);
        } else {
            net = Workloads.mlp(Workloads.MLP);
            x = Tensor.of(Workloads.randn(batch * Workloads.MLP[0], 1), batch, Workloads.MLP[0]);
        }
        Tensor y = Tensor.of(Workloads.labels(batch, 10, 2), batch);
        Adam adam = new Adam(net.parameters(), 1e-3);
        int warmup = Math.max(20, steps / 3);
        double loss = 0;
        for (int i = 0; i < warmup; i++) loss += step(net, adam, x, y);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes0 = allocated(threads), gcs0 = gcCount(), gcMs0 = gcMillis();
        long start = System.nanoTime(), best = Long.MAX_VALUE;
        long cpuStart = threads.getCurrentThreadCpuTime(), cpuBest = Long.MAX_VALUE;
        for (int i = 0; i < steps; i++) {
            long t = System.nanoTime(), c = threads.getCurrentThreadCpuTime();
            loss += step(net, adam, x, y);
            best = Math.min(best, System.nanoTime() - t);
            cpuBest = Math.min(cpuBest, threads.getCurrentThreadCpuTime() - c);
        }
        long elapsed = System.nanoTime() - start, cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        long bytes = allocated(threads) - bytes0, gcs = gcCount() - gcs0, gcMs = gcMillis() - gcMs0;
        // On a shared machine the calling thread's CPU time (1 thread: it does all the work but the GC's) is the
        // steadier measure; wall time includes the time other processes held the core.
        System.out.printf("%s batch %d, %d steps: %.1f KB allocated per step, %.1f GCs and %.1f ms GC per 100 steps, "
                        + "step mean %.3f ms, best %.3f ms, CPU time mean %.3f ms, best %.3f ms (loss sum %.4f)%n", model,
                batch, steps, bytes / 1024.0 / steps, 100.0 * gcs / steps, 100.0 * gcMs / steps, elapsed / 1e6 / steps,
                best / 1e6, cpu / 1e6 / steps, cpuBest / 1e6, loss);
    }

    private static double step(Sequential net, Adam adam, Tensor x, Tensor y) {
        adam.zeroGrad();
        Tensor loss = F.crossEntropy(net.forward(x), y);
        loss.backward();
        adam.step();
        return loss.item();
    }

    /** Bytes allocated so far by every live thread (the caller and the worker pool). */
    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) sum += Math.max(b, 0);
        return sum;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += gc.getCollectionCount();
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += gc.getCollectionTime();
        return n;
    }
}
