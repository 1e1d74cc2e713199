package io.chainrule.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ChainruleOverheadBench}'s two measurements through libtorch, one intra-op thread. libtorch records a graph
 * only inside a {@link GradientCollector}, so the add benchmark keeps one open for each measured iteration (opened
 * on the benchmark thread: grad mode is per thread); each result is closed at once, as DJL requires.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xms1g", "-Xmx1g"})
public class TorchOverheadBench {
    NDManager manager;
    NDArray a, b;
    GradientCollector recording;
    TorchMlp mlp;
    NDArray x, y;

    @Setup
    public void setup() {
        manager = Torch.start(1);
        a = manager.create(new float[] {0.5f}, new Shape(1, 1));
        a.setRequiresGradient(true);
        b = manager.create(new float[] {0.25f}, new Shape(1, 1));
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build();
        mlp = new TorchMlp(manager, Workloads.params(Workloads.mlp(Workloads.TINY_MLP)), sgd);
        x = manager.create(Workloads.randn(Workloads.TINY_MLP[0], 1), new Shape(1, Workloads.TINY_MLP[0]));
        y = manager.create(Workloads.labels(1, 10, 2), new Shape(1));
    }

    /** Only the add benchmark records outside a step; the step opens its own collector (they cannot nest). */
    @Setup(Level.Iteration)
    public void openRecording(BenchmarkParams params) {
        if (params.getBenchmark().endsWith(".add")) recording = Engine.getInstance().newGradientCollector();
    }

    @TearDown(Level.Iteration)
    public void closeRecording() {
        if (recording != null) recording.close();
        recording = null;
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void add(Blackhole bh) {
        try (NDArray sum = a.add(b)) {
            bh.consume(sum);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void step() {
        mlp.step(x, y, false);
    }
}
