package io.chainrule.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Split;
import io.chainrule.data.TensorDataset;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * {@link ChainruleEpochBench} through libtorch: the images are read once into Java arrays; each batch gathers the
 * rows of a fresh Fisher–Yates permutation into a buffer and copies it into an NDArray; {@link TorchMlp} takes the
 * step with DJL's Adam optimizer (libtorch's fused Adam update). The fork has the default heap limit: loading the
 * images through a chainrule tensor and copying them out briefly holds two copies (the peak RSS column shows what
 * the process really used).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class TorchEpochBench {
    private static final int BATCH = 128, PIXELS = 784;

    @Param({"1", "2"})
    public int threads;

    NDManager manager;
    TorchMlp mlp;
    private float[] images;
    private long[] labels;
    private int[] order;
    private final Random random = new Random(0);
    private double lastLoss;

    @Setup
    public void setup() throws IOException {
        manager = Torch.start(threads);
        TensorDataset train = FashionMnist.load(Split.TRAIN);
        images = train.x().toFloatArray();
        labels = train.y().toLongArray();
        order = new int[labels.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        mlp = new TorchMlp(manager, Workloads.params(Workloads.mlp(Workloads.MLP)), adam);
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public double epoch() {
        return lastLoss = train(Integer.MAX_VALUE);
    }

    @TearDown(Level.Iteration)
    public void report() {
        System.out.printf("(libtorch epoch mean loss %.4f) ", lastLoss);
    }

    /** Trains on up to {@code maxBatches} batches of a fresh epoch; returns their mean loss. */
    double train(int maxBatches) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double sum = 0;
        int n = 0;
        for (int start = 0; start < order.length && n < maxBatches; start += BATCH, n++) {
            int size = Math.min(BATCH, order.length - start);
            float[] xb = new float[size * PIXELS];
            long[] yb = new long[size];
            for (int r = 0; r < size; r++) {
                int src = order[start + r];
                System.arraycopy(images, src * PIXELS, xb, r * PIXELS, PIXELS);
                yb[r] = labels[src];
            }
            try (NDArray x = manager.create(xb, new Shape(size, PIXELS)); NDArray y = manager.create(yb, new Shape(size))) {
                sum += mlp.step(x, y, true);
            }
        }
        return sum / n;
    }
}
