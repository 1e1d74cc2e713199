package io.chainrule.bench;

import io.chainrule.Threads;
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

/** The 16-16-10 batch-1 SGD step of {@link ChainruleOverheadBench}, by hand: what the arithmetic alone costs. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class HandOverheadBench {
    HandMlp mlp;
    float[] x;
    long[] y;

    @Setup
    public void setup() {
        Threads.set(1);
        mlp = new HandMlp(Workloads.TINY_MLP, 1, Workloads.params(Workloads.mlp(Workloads.TINY_MLP)), 0.01f);
        x = Workloads.randn(Workloads.TINY_MLP[0], 1);
        y = Workloads.labels(1, 10, 2);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float step() {
        return mlp.step(x, y);
    }
}
