package io.chainrule.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
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

/**
 * {@link ChainruleCnnBench} through libtorch: the same parameters and batch, each layer one libtorch op through DJL
 * ({@code conv2d}, {@code batch_norm} in training mode with running statistics, ReLU, {@code max_pool2d},
 * {@code dropout}, {@code linear}), log-softmax + gather for the loss, DJL's Adam (libtorch's fused update, which also
 * zeroes the gradient). Each step runs in a sub-manager, so its intermediate arrays are freed when it ends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xms1g", "-Xmx1g"})
public class TorchCnnBench {
    @Param({"1", "2"})
    public int threads;

    NDManager manager;
    NDArray[] params;
    String[] ids;
    NDArray[] runningMean = new NDArray[2], runningVar = new NDArray[2];
    Optimizer adam;
    NDArray x, y;

    @Setup
    public void setup() {
        manager = Torch.start(threads);
        List<Workloads.Param> ps = Workloads.params(Workloads.cnn());
        params = new NDArray[ps.size()];
        ids = new String[ps.size()];
        for (int i = 0; i < params.length; i++) {
            params[i] = Torch.param(manager, ps.get(i));
            ids[i] = ps.get(i).name();
        }
        for (int b = 0; b < 2; b++) {
            long channels = params[2 + 4 * b].getShape().get(0);
            runningMean[b] = manager.zeros(new Shape(channels));
            runningVar[b] = manager.ones(new Shape(channels));
        }
        adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        int n = Workloads.CNN_BATCH;
        x = manager.create(Workloads.randn(n * 28 * 28, 5), new Shape(n, 1, 28, 28));
        y = manager.create(Workloads.labels(n, 10, 6), new Shape(n));
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public float step() {
        Shape one = new Shape(1, 1), two = new Shape(2, 2), none = new Shape(0, 0);
        try (NDManager step = manager.newSubManager()) {
            x.tempAttach(step);
            y.tempAttach(step);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = x;
                for (int b = 0; b < 2; b++) {
                    int p = 4 * b;
                    h = Conv2d.conv2d(h, params[p], params[p + 1], one, one, one, 1).singletonOrThrow();
                    h = BatchNorm.batchNorm(h, runningMean[b], runningVar[b], params[p + 2], params[p + 3], 1, 0.1f,
                            1e-5f, true).singletonOrThrow();
                    h = Pool.maxPool2d(Activation.relu(h), two, two, none, false);
                }
                h = Dropout.dropout(h.reshape(h.getShape().get(0), -1), 0.25f, true).singletonOrThrow();
                h = Activation.relu(Linear.linear(h, params[8], params[9]).singletonOrThrow());
                h = Dropout.dropout(h, 0.25f, true).singletonOrThrow();
                h = Linear.linear(h, params[10], params[11]).singletonOrThrow();
                NDArray lossArray = h.logSoftmax(1).gather(y.reshape(-1, 1), 1).mean().neg();
                gc.backward(lossArray);
                loss = lossArray.getFloat();
            }
            for (int i = 0; i < params.length; i++) {
                try (NDArray g = params[i].getGradient()) {
                    adam.update(ids[i], params[i], g);
                }
            }
            return loss;
        }
    }
}
