package io.chainrule.bench;

import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.nn.LSTM;
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
 * Forward + backward of LSTM(28, 128, one layer, batch first) over [64, 28, 28] (row-by-row MNIST), loss = sum of
 * the final h squared, gradients zeroed first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class ChainruleLstmBench {
    @Param({"1", "2"})
    public int threads;

    LSTM lstm;
    Tensor x;

    @Setup
    public void setup() {
        Threads.set(threads);
        lstm = Workloads.lstm();
        x = Tensor.of(Workloads.randn(Workloads.LSTM_BATCH * Workloads.LSTM_SEQ * Workloads.LSTM_INPUT, 4),
                Workloads.LSTM_BATCH, Workloads.LSTM_SEQ, Workloads.LSTM_INPUT);
    }

    @Benchmark
    public Tensor step() {
        lstm.zeroGrad();
        Tensor loss = lstm.forward(x, null).h().square().sum();
        loss.backward();
        return loss;
    }
}
