package io.chainrule.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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

/**
 * {@link ChainruleLstmBench} through libtorch's fused {@code torch::lstm} (what DJL's {@code NDArrayEx.lstm} and its
 * LSTM block call), same parameters (PyTorch layout: weight_ih, weight_hh, bias_ih, bias_hh) and input.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xms1g", "-Xmx1g"})
public class TorchLstmBench {
    @Param({"1", "2"})
    public int threads;

    NDManager manager;
    NDList params;
    NDArray x, h0, c0;

    @Setup
    public void setup() {
        manager = Torch.start(threads);
        List<Workloads.Param> ps = Workloads.params(Workloads.lstm());
        params = new NDList();
        for (Workloads.Param p : ps) params.add(Torch.param(manager, p));
        x = manager.create(Workloads.randn(Workloads.LSTM_BATCH * Workloads.LSTM_SEQ * Workloads.LSTM_INPUT, 4),
                new Shape(Workloads.LSTM_BATCH, Workloads.LSTM_SEQ, Workloads.LSTM_INPUT));
        h0 = manager.zeros(new Shape(1, Workloads.LSTM_BATCH, Workloads.LSTM_HIDDEN));
        c0 = manager.zeros(new Shape(1, Workloads.LSTM_BATCH, Workloads.LSTM_HIDDEN));
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public void step() {
        run(false);
    }

    /** One forward + backward; with {@code inspect}, returns the loss and the sum of weight_ih's gradient, else null. */
    float[] run(boolean inspect) {
        float[] seen = null;
        try (NDManager step = manager.newSubManager()) {
            x.tempAttach(step); // the outputs land in the input's manager
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // Arguments: input, (h0, c0), params, has biases, layers, dropout, training, bidirectional, batch first.
                NDList out = x.getNDArrayInternal().lstm(x, new NDList(h0, c0), params, true, 1, 0, true, false, true);
                NDArray loss = out.get(1).square().sum();
                gc.backward(loss);
                if (inspect) seen = new float[] {loss.getFloat(), 0};
            }
            for (int i = 0; i < params.size(); i++) {
                try (NDArray g = params.get(i).getGradient()) {
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
