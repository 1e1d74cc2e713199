package io.chainrule.bench;

import io.chainrule.Threads;
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

/** The same MLP SGD step as {@link ChainruleMlpBench}, written by hand on float arrays ({@link HandMlp}). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class HandMlpBench {
    @Param({"32", "128", "512"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    HandMlp mlp;
    float[] x;
    long[] y;

    @Setup
    public void setup() {
        Threads.set(threads);
        mlp = new HandMlp(Workloads.MLP, batch, Workloads.params(Workloads.mlp(Workloads.MLP)), 0.01f);
        x = Workloads.randn(batch * Workloads.MLP[0], 1);
        y = Workloads.labels(batch, 10, 2);
    }

    @Benchmark
    public float step() {
        return mlp.step(x, y);
    }
}
