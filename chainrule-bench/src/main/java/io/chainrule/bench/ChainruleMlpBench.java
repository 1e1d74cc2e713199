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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SGD step of the 784-256-128-10 MLP, written as a chainrule user writes it. Six warm-up seconds (all sides of
 * the step, conv and LSTM suites alike): with three, on a busy 2-core machine, C2 compiles of the step's ~200 methods
 * still landed in the first measured iterations (PrintCompilation), and Vector API code not yet compiled by C2 runs
 * the API's Java fallback, so those iterations pulled the mean far above the best (bench/RESULTS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class ChainruleMlpBench {
    @Param({"32", "128", "512"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    Sequential model;
    SGD optimizer;
    Tensor x, y;

    @Setup
    public void setup() {
        Threads.set(threads);
        model = Workloads.mlp(Workloads.MLP);
        optimizer = new SGD(model.parameters(), 0.01);
        x = Tensor.of(Workloads.randn(batch * Workloads.MLP[0], 1), batch, Workloads.MLP[0]);
        y = Tensor.of(Workloads.labels(batch, 10, 2), batch);
    }

    /** Returns the loss (before the update) so that nothing is dead code. */
    @Benchmark
    public Tensor step() {
        optimizer.zeroGrad();
        Tensor loss = F.crossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss;
    }
}
