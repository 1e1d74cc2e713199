package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.AdaptiveAvgPool2d;
import io.chainrule.nn.AvgPool2d;
import io.chainrule.nn.BatchNorm1d;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv1d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.F;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.GELU;
import io.chainrule.nn.GRU;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.LayerNorm;
import io.chainrule.nn.LeakyReLU;
import io.chainrule.nn.Linear;
import io.chainrule.nn.LogSoftmax;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.Module;
import io.chainrule.nn.RNN;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import io.chainrule.nn.Sigmoid;
import io.chainrule.nn.Softmax;
import io.chainrule.nn.Tanh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chainrule → ONNX ({@link Onnx#export}) → {@link Onnx#load} → the same outputs as the original module, on batch sizes
 * 1 and 7 (the export traced a batch of 3), within 1e-5; and the loaded model's parameters carry the original's
 * state-dict names and values.
 */
class OnnxRoundTripTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    private static IntFunction<Tensor> normal(long seed, int... rest) {
        return batch -> {
            int[] shape = new int[rest.length + 1];
            shape[0] = batch;
            System.arraycopy(rest, 0, shape, 1, rest.length);
            return Tensor.randn(new Generator(seed + batch), shape);
        };
    }

    private double roundTrip(String label, Module model, IntFunction<Tensor> input) throws Exception {
        model.eval();
        Path file = dir.resolve(label + ".onnx");
        Onnx.export(model, input.apply(3), file);
        OnnxModel loaded = Onnx.load(file);
        for (var e : model.stateDict().entrySet()) {
            Tensor p = loaded.namedParameters().get(e.getKey());
            if (e.getValue().dtype().isFloatingPoint() && p != null) {
                assertEquals(0.0, Fixtures.maxAbsDiff(p, e.getValue()), label + ": " + e.getKey());
            }
        }
        double worst = 0;
        try (var g = Autograd.noGrad()) {
            for (int batch : new int[] {1, 7}) {
                Tensor x = input.apply(batch);
                Tensor expected = model.forward(x), actual = loaded.forward(x);
                assertArrayEquals(expected.shape(), actual.shape(), label + " batch " + batch);
                worst = Math.max(worst, Fixtures.maxAbsDiff(actual, expected));
            }
        }
        System.out.printf("ONNX round trip %-16s max |loaded - original| over batches 1 and 7 = %.3g%n", label, worst);
        assertTrue(worst <= TOLERANCE, label + ": " + worst);
        return worst;
    }

    /** A few training steps first, so batch norm's running statistics are not the initial zeros and ones. */
    private static void train(Module m, Tensor x) {
        m.train();
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < 3; i++) m.forward(x);
        }
    }

    @Test
    void mlp() throws Exception {
        Module m = new Sequential(new Linear(12, 16), new ReLU(), new Linear(16, 8), new Tanh(), new Linear(8, 3), new LogSoftmax(1));
        roundTrip("mlp", m, normal(1, 12));
        // the state-dict names survive: 0.weight, 0.bias, 2.weight, ...
        OnnxModel loaded = Onnx.load(dir.resolve("mlp.onnx"));
        assertTrue(loaded.namedParameters().keySet().containsAll(m.namedParameters().keySet()), loaded.namedParameters().keySet().toString());
    }

    @Test
    void cnnWithBatchNormPoolsAndDropout() throws Exception {
        Module m = new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 6, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 2, true), new AvgPool2d(2),
                new AdaptiveAvgPool2d(1, 1), new Dropout(0.3), new Flatten(), new Linear(6, 5), new Softmax(1));
        train(m, Tensor.randn(new Generator(5), 8, 1, 12, 12).mul(2).add(0.5));
        roundTrip("cnn", m, normal(2, 1, 12, 12));
    }

    @Test
    void conv1dWithBatchNorm1d() throws Exception {
        Module m = new Sequential(new Conv1d(3, 4, 3, 2, 1), new BatchNorm1d(4), new Tanh(), new Flatten(), new Linear(24, 2));
        train(m, Tensor.randn(new Generator(6), 8, 3, 12).mul(2).add(1));
        roundTrip("conv1d", m, normal(3, 3, 12));
    }

    @Test
    void embeddingAndLstm() throws Exception {
        roundTrip("embedding_lstm", new OnnxExportTest.TextModel(), b -> Tensor.randint(new Generator(30 + b), 0, 20, b, 5));
    }

    @Test
    void gruAndRnns() throws Exception {
        roundTrip("gru", new GRU(4, 5, 1, true), normal(40, 6, 4));
        roundTrip("rnn_2layer", new RNN(4, 5, 2, true), normal(50, 3, 4));
        roundTrip("lstm_seq_first", new LSTM(4, 5), normal(61, 2, 4));
    }

    @Test
    void layerNormAndGeluBlock() throws Exception {
        Module m = new Sequential(new Linear(6, 8), new LayerNorm(8), new GELU(), new Linear(8, 4), new LeakyReLU(0.1), new Sigmoid());
        roundTrip("layernorm_gelu", m, normal(70, 6));
    }

    static final class Residual extends Module {
        final Linear fc1 = register("fc1", new Linear(6, 6));
        final Linear fc2 = register("fc2", new Linear(6, 6));
        final Linear out = register("out", new Linear(6, 2));

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = x.add(fc2.forward(fc1.forward(x).relu()));
            return out.forward(h.tanh());
        }
    }

    @Test
    void userModuleWithAResidualConnection() throws Exception {
        roundTrip("residual", new Residual(), normal(80, 6));
    }

    /** The loaded copy trains on its own: its gradients match the original module's. */
    @Test
    void gradientsOfTheLoadedModelMatchTheOriginal() throws Exception {
        Residual original = new Residual();
        original.eval();
        Path file = dir.resolve("grad.onnx");
        Onnx.export(original, Tensor.randn(3, 6), file);
        OnnxModel loaded = Onnx.load(file);
        Tensor x = Tensor.randn(new Generator(9), 4, 6);
        Tensor y = Tensor.of(new long[] {0, 1, 1, 0});
        F.crossEntropy(original.forward(x), y).backward();
        F.crossEntropy(loaded.forward(x), y).backward();
        Map<String, Tensor> mine = loaded.namedParameters();
        for (var e : original.namedParameters().entrySet()) {
            assertTrue(Fixtures.maxAbsDiff(mine.get(e.getKey()).grad(), e.getValue().grad()) <= 1e-6, e.getKey());
        }
        assertEquals(DType.FLOAT32, mine.get("fc1.weight").dtype());
    }
}
