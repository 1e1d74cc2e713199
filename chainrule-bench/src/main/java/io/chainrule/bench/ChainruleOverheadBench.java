package io.chainrule.bench;

import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.nn.F;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.SGD;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fixed per-op and per-step costs, where the arithmetic is negligible: a 1×1 add that records a graph node, and a
 * whole SGD step of a 16-16-10 MLP at batch 1. One thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class ChainruleOverheadBench {
    Tensor a, b;
    Sequential model;
    SGD optimizer;
    Tensor x, y;

    @Setup
    public void setup() {
        Threads.set(1);
        a = Tensor.of(new float[] {0.5f}, 1, 1).requiresGrad(true);
        b = Tensor.of(new float[] {0.25f}, 1, 1);
        model = Workloads.mlp(Workloads.TINY_MLP);
        optimizer = new SGD(model.parameters(), 0.01);
        x = Tensor.of(Workloads.randn(Workloads.TINY_MLP[0], 1), 1, Workloads.TINY_MLP[0]);
        y = Tensor.of(Workloads.labels(1, 10, 2), 1);
    }

    /** A 1×1 add with grad recording (a requires grad); JMH consumes the result. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Tensor add() {
        return a.add(b);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Tensor step() {
        optimizer.zeroGrad();
        Tensor loss = F.crossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss;
    }
}
