package io.chainrule.bench;

import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.nn.Conv2d;
import java.util.List;
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
 * Forward + backward of [64, 1, 28, 28] → Conv2d(1, 32, 3, padding 1) → ReLU → Conv2d(32, 64, 3) → sum, gradients
 * zeroed first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class ChainruleConvBench {
    @Param({"1", "2"})
    public int threads;

    Conv2d conv1, conv2;
    Tensor x;

    @Setup
    public void setup() {
        Threads.set(threads);
        List<Conv2d> convs = Workloads.convs();
        conv1 = convs.get(0);
        conv2 = convs.get(1);
        x = Tensor.of(Workloads.randn(Workloads.CONV_BATCH * 28 * 28, 3), Workloads.CONV_BATCH, 1, 28, 28);
    }

    @Benchmark
    public Tensor step() {
        conv1.zeroGrad();
        conv2.zeroGrad();
        Tensor loss = conv2.forward(conv1.forward(x).relu()).sum();
        loss.backward();
        return loss;
    }
}
