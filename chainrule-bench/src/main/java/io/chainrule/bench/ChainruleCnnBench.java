package io.chainrule.bench;

import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.nn.F;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of the examples' Fashion CNN ({@link Workloads#cnn}) at batch 64, Adam 1e-3, written as
 * {@code FashionCnn} writes it: zero the gradients, forward, cross-entropy, backward, update. An epoch of
 * Fashion-MNIST is 938 such steps.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class ChainruleCnnBench {
    @Param({"1", "2"})
    public int threads;

    Sequential model;
    Adam adam;
    Tensor x, y;

    @Setup
    public void setup() {
        Threads.set(threads);
        model = Workloads.cnn();
        adam = new Adam(model.parameters(), 1e-3);
        x = Tensor.of(Workloads.randn(Workloads.CNN_BATCH * 28 * 28, 5), Workloads.CNN_BATCH, 1, 28, 28);
        y = Tensor.of(Workloads.labels(Workloads.CNN_BATCH, 10, 6), Workloads.CNN_BATCH);
    }

    /** Returns the loss (before the update) so that nothing is dead code. */
    @Benchmark
    public Tensor step() {
        adam.zeroGrad();
        Tensor loss = F.crossEntropy(model.forward(x), y);
        loss.backward();
        adam.step();
        return loss;
    }

    /**
     * Outside JMH, for a profiler (JFR) or a loaded machine: {@code ChainruleCnnBench [threads] [steps]} runs as many
     * warm-up steps, then the steps, and prints wall and CPU time per step. At one thread the CPU time (the calling
     * thread's) is what the step costs, however much of the machine other processes take.
     */
    public static void main(String[] args) {
        ChainruleCnnBench b = new ChainruleCnnBench();
        b.threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        b.setup();
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < steps; i++) b.step();
        long wall = System.nanoTime(), cpu = bean.getCurrentThreadCpuTime();
        for (int i = 0; i < steps; i++) b.step();
        System.out.printf("chainrule CNN step, %d thread(s), %d steps: %.2f ms wall, %.2f ms CPU (calling thread)%n",
                b.threads, steps, (System.nanoTime() - wall) / 1e6 / steps,
                (bean.getCurrentThreadCpuTime() - cpu) / 1e6 / steps);
    }
}
