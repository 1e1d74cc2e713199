package io.chainrule.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The same MLP SGD step as {@link ChainruleMlpBench} through libtorch ({@link TorchMlp}, DJL's SGD). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xms1g", "-Xmx1g"})
public class TorchMlpBench {
    @Param({"32", "128", "512"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    NDManager manager;
    TorchMlp mlp;
    NDArray x, y;

    @Setup
    public void setup() {
        manager = Torch.start(threads);
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build();
        mlp = new TorchMlp(manager, Workloads.params(Workloads.mlp(Workloads.MLP)), sgd);
        x = manager.create(Workloads.randn(batch * Workloads.MLP[0], 1), new Shape(batch, Workloads.MLP[0]));
        y = manager.create(Workloads.labels(batch, 10, 2), new Shape(batch));
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public void step() {
        mlp.step(x, y, false);
    }
}
