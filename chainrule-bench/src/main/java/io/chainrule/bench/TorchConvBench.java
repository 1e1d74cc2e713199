package io.chainrule.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** {@link ChainruleConvBench} through libtorch's conv2d (DJL {@code Conv2d.conv2d}), same parameters and input. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xms1g", "-Xmx1g"})
public class TorchConvBench {
    @Param({"1", "2"})
    public int threads;

    NDManager manager;
    NDArray[] params;
    NDArray x;

    @Setup
    public void setup() {
        manager = Torch.start(threads);
        List<Workloads.Param> ps = Workloads.params(Workloads.convs());
        params = new NDArray[ps.size()];
        for (int i = 0; i < params.length; i++) params[i] = Torch.param(manager, ps.get(i));
        x = manager.create(Workloads.randn(Workloads.CONV_BATCH * 28 * 28, 3), new Shape(Workloads.CONV_BATCH, 1, 28, 28));
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public void step() {
        run(false);
    }

    /**
     * One forward + backward; with {@code inspect}, returns the loss and the sum of the first weight's gradient
     * (read before the gradients are zeroed for the next step), else null.
     */
    float[] run(boolean inspect) {
        float[] seen = null;
        try (NDManager step = manager.newSubManager()) {
            x.tempAttach(step);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Shape one = new Shape(1, 1);
                NDArray h = Conv2d.conv2d(x, params[0], params[1], one, one, one, 1).singletonOrThrow();
                h = Activation.relu(h);
                NDArray loss = Conv2d.conv2d(h, params[2], params[3], one, new Shape(0, 0), one, 1)
                        .singletonOrThrow().sum();
                gc.backward(loss);
                if (inspect) seen = new float[] {loss.getFloat(), 0};
            }
            for (int i = 0; i < params.length; i++) {
                try (NDArray g = params[i].getGradient()) {
                    if (inspect && i == 0) {
                        try (NDArray s = g.sum()) {
                            seen[1] = s.getFloat();
                        }
                    }
                    g.subi(g); // zero in place: libtorch accumulates gradients across backward calls
                }
            }
        }
        return seen;
    }
}
