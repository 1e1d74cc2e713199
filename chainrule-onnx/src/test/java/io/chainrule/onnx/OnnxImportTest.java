package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.autograd.GradCheck;
import io.chainrule.nn.Embedding;
import io.chainrule.nn.F;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models exported by torch.onnx.export (opset 17) load, reproduce PyTorch's outputs, and train. */
class OnnxImportTest {
    static List<String> fixtures() {
        return Fixtures.NAMES;
    }

    /** Float32 throughout, so the only differences are summation order: 1e-5 holds for every fixture. */
    @ParameterizedTest
    @MethodSource("fixtures")
    void reproducesPyTorchOutputsAtBatchSizes1And5(String name) throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx(name));
        Map<String, Tensor> data = Fixtures.data(name);
        assertEquals(List.of("input"), model.inputNames());
        assertEquals(List.of("output"), model.outputNames());
        for (int batch : new int[] {1, 5}) {
            Tensor expected = data.get("output_" + batch);
            Tensor actual;
            try (var g = Autograd.noGrad()) {
                actual = model.forward(data.get("input_" + batch));
            }
            double diff = Fixtures.maxAbsDiff(actual, expected);
            System.out.printf("ONNX import %s batch %d: max |chainrule - torch| = %.3g%n", name, batch, diff);
            assertTrue(diff <= 1e-5, name + " batch " + batch + ": max difference " + diff);
        }
    }

    @Test
    void floatInitializersAreParametersUnderTheirOwnNames() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("mlp"));
        assertEquals(List.of("net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias", "net.4.weight", "net.4.bias",
                "net.6.weight", "net.6.bias", "net.8.weight", "net.8.bias"), new ArrayList<>(model.namedParameters().keySet()));
        for (Tensor p : model.parameters()) assertTrue(p.requiresGrad());
        assertEquals(model.namedParameters().keySet(), model.stateDict().keySet());
    }

    @Test
    void integerInitializersAreConstantsNotParameters() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("embedding_lstm"));
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            assertTrue(e.getValue().dtype().isFloatingPoint(), e.getKey());
        }
        assertTrue(model.namedParameters().containsKey("embed.weight"), model.namedParameters().keySet().toString());
    }

    /** The same Embedding + LSTM + Linear, built from chainrule's layers. */
    static final class TextModel extends Module {
        final Embedding embed = register("embed", new Embedding(20, 8));
        final LSTM lstm = register("lstm", new LSTM(8, 12, 1, true));
        final Linear head = register("head", new Linear(12, 3));

        @Override
        public Tensor forward(Tensor tokens) {
            return head.forward(lstm.forward(embed.forward(tokens)));
        }
    }

    /**
     * Exported without constant folding, the initializers are PyTorch's own parameters (the graph re-orders the LSTM's
     * gates itself): the imported state dict loads into the same model built from chainrule's layers, which then
     * gives PyTorch's outputs too.
     */
    @Test
    void unfoldedExportsKeepPyTorchsNamesAndLoadIntoChainrulesLayers() throws Exception {
        OnnxModel imported = Onnx.load(Fixtures.onnx("embedding_lstm_unfolded"));
        assertEquals(List.of("embed.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                "head.weight", "head.bias"), new ArrayList<>(imported.stateDict().keySet()));
        TextModel native_ = new TextModel();
        native_.loadStateDict(imported.stateDict());
        Map<String, Tensor> data = Fixtures.data("embedding_lstm_unfolded");
        try (var g = Autograd.noGrad()) {
            assertTrue(Fixtures.maxAbsDiff(native_.forward(data.get("input_5")), data.get("output_5")) <= 1e-5);
        }
    }

    /** Fine-tuning the imported CNN on a fixed batch with Adam: the loss falls, and every parameter moved. */
    @Test
    void fineTunesWithChainrulesOptimizer() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("cnn"));
        Tensor x = Fixtures.data("cnn").get("input_5");
        Tensor y = Tensor.of(new long[] {0, 1, 2, 3, 4});
        Map<String, Tensor> before = new java.util.LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> before.put(k, v.clone()));
        Adam opt = new Adam(model.parameters(), 0.01);
        double first = 0, last = 0;
        for (int step = 0; step < 30; step++) {
            opt.zeroGrad();
            // the graph ends in Softmax: cross-entropy on probabilities is the NLL of their log
            Tensor loss = F.nllLoss(model.forward(x).log(), y);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        System.out.printf("ONNX import fine-tuning (cnn, Adam 0.01, 30 steps): loss %.4f -> %.4f%n", first, last);
        assertTrue(last < first * 0.7, "loss " + first + " -> " + last);
        for (var e : model.namedParameters().entrySet()) {
            assertTrue(Fixtures.maxAbsDiff(e.getValue(), before.get(e.getKey())) > 0, e.getKey() + " did not move");
        }
    }

    @Test
    void saveAndLoadRestoreTheParameters(@TempDir Path dir) throws Exception {
        OnnxModel trained = Onnx.load(Fixtures.onnx("residual"));
        try (var g = Autograd.noGrad()) {
            for (Tensor p : trained.parameters()) p.addi(0.25);
        }
        Path file = dir.resolve("residual.safetensors");
        trained.save(file);
        OnnxModel fresh = Onnx.load(Fixtures.onnx("residual"));
        Tensor x = Fixtures.data("residual").get("input_5");
        assertTrue(Fixtures.maxAbsDiff(fresh.forward(x), trained.forward(x)) > 1e-3);
        fresh.load(file);
        assertEquals(0.0, Fixtures.maxAbsDiff(fresh.forward(x), trained.forward(x)));
    }

    /** Gradients through the imported graph (Gemm, LayerNormalization, the Erf GELU, BatchNormalization, Softmax). */
    @Test
    void gradientsPassGradCheckInFloat64() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("layernorm_gelu"));
        model.to(DType.FLOAT64);
        Tensor x = Fixtures.data("layernorm_gelu").get("input_1").to(DType.FLOAT64).requiresGrad(true);
        Tensor weights = Tensor.randn(new io.chainrule.Generator(3), 1, 6).to(DType.FLOAT64);
        assertTrue(GradCheck.check(in -> model.forward(in.get(0)).mul(weights).sum(), List.of(x)));
    }

    /** to(FLOAT64) converts the parameters; float32 constants in the graph (zero initial states, say) follow. */
    @ParameterizedTest
    @MethodSource("fixtures")
    void runsInFloat64AfterTo(String name) throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx(name));
        model.to(DType.FLOAT64);
        Map<String, Tensor> data = Fixtures.data(name);
        Tensor x = data.get("input_5");
        Tensor y = model.forward(x.dtype().isFloatingPoint() ? x.to(DType.FLOAT64) : x);
        assertEquals(DType.FLOAT64, y.dtype(), name);
        assertTrue(Fixtures.maxAbsDiff(y, data.get("output_5")) <= 1e-5, name);
    }

    /**
     * The window ops' less common paths, differentiated: a grouped, strided ConvTranspose with asymmetric pads and
     * output_padding, an AveragePool with ceil_mode and uncounted asymmetric padding, a MaxPool padded asymmetrically.
     */
    @Test
    void gradientsThroughWindowOpsPassGradCheck(@TempDir Path dir) throws Exception {
        float[] w = new float[2 * 1 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i + 1);
        var model = TestModels.model(17, List.of(
                TestModels.node("ConvTranspose", "up", List.of("x", "w"), List.of("a"), TestModels.intsAttr("strides", 2, 2),
                        TestModels.intsAttr("pads", 1, 0, 0, 1), TestModels.intsAttr("output_padding", 1, 0), TestModels.intAttr("group", 2)),
                TestModels.node("AveragePool", "avg", List.of("a"), List.of("b"), TestModels.intsAttr("kernel_shape", 3, 2),
                        TestModels.intsAttr("strides", 2, 2), TestModels.intsAttr("pads", 1, 0, 0, 1), TestModels.intAttr("ceil_mode", 1)),
                TestModels.node("MaxPool", "max", List.of("b"), List.of("y"), TestModels.intsAttr("kernel_shape", 2, 2),
                        TestModels.intsAttr("pads", 0, 1, 1, 0))),
                List.of(TestModels.floatInput("x", 1, 2, 3, 3)), List.of(TestModels.output("y")),
                List.of(TestModels.floats("w", w, 2, 1, 3, 3)));
        OnnxModel m = Onnx.load(TestModels.write(model, dir.resolve("windows.onnx")));
        m.to(DType.FLOAT64);
        Tensor x = Tensor.randn(new io.chainrule.Generator(4), 1, 2, 3, 3).to(DType.FLOAT64).requiresGrad(true);
        Tensor y = m.forward(x);
        Tensor weights = Tensor.randn(new io.chainrule.Generator(5), y.shape()).to(DType.FLOAT64);
        assertTrue(GradCheck.check(in -> m.forward(in.get(0)).mul(weights).sum(), List.of(x)));
    }

    /** Parameter gradients against central differences (the parameters live inside the module, not in GradCheck's list). */
    @Test
    void parameterGradientsMatchFiniteDifferences() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("residual"));
        model.to(DType.FLOAT64);
        Tensor x = Fixtures.data("residual").get("input_5").to(DType.FLOAT64);
        model.zeroGrad();
        model.forward(x).square().sum().backward();
        double eps = 1e-6;
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            double[] grad = p.grad().toDoubleArray();
            for (int i = 0; i < Math.min(4, p.numel()); i++) {
                double[] v = p.toDoubleArray();
                double orig = v[i];
                double plus, minus;
                try (var g = Autograd.noGrad()) {
                    v[i] = orig + eps;
                    p.copyFrom(Tensor.of(v, p.shape()));
                    plus = model.forward(x).square().sum().item();
                    v[i] = orig - eps;
                    p.copyFrom(Tensor.of(v, p.shape()));
                    minus = model.forward(x).square().sum().item();
                    v[i] = orig;
                    p.copyFrom(Tensor.of(v, p.shape()));
                }
                double numerical = (plus - minus) / (2 * eps);
                assertEquals(numerical, grad[i], 1e-5 + 1e-4 * Math.abs(numerical), e.getKey() + "[" + i + "]");
            }
        }
    }

    @Test
    void forwardByNameGivesEveryOutput() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("gru"));
        Map<String, Tensor> data = Fixtures.data("gru");
        Map<String, Tensor> out = model.forward(Map.of("input", data.get("input_5")));
        assertEquals(List.of("output"), new ArrayList<>(out.keySet()));
        assertTrue(Fixtures.maxAbsDiff(out.get("output"), data.get("output_5")) <= 1e-5);
    }

    @Test
    void badInputsAreClearErrors() throws Exception {
        OnnxModel model = Onnx.load(Fixtures.onnx("mlp"));
        var missing = assertThrows(IllegalArgumentException.class, () -> model.forward(Map.of()));
        assertTrue(missing.getMessage().contains("'input' is missing"), missing.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> model.forward(Map.of("input", Tensor.zeros(1, 8), "x", Tensor.zeros(1))));
        assertTrue(unknown.getMessage().contains("'x' is not an input"), unknown.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(2, 9)));
        assertTrue(shape.getMessage().contains("[?, 8]"), shape.getMessage());
        var type = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.of(new long[] {1, 2}, 1, 2)));
        assertTrue(type.getMessage().contains("must be float32, got int64"), type.getMessage());
    }

    @Test
    void printsAsAModule() throws Exception {
        String s = Onnx.load(Fixtures.onnx("mlp")).toString();
        assertTrue(s.startsWith("OnnxModel(inputs=[input], outputs=[output], nodes="), s);
        assertFalse(s.contains("null"));
        assertNotNull(Onnx.load(Fixtures.onnx("mlp")).opset() == 17 ? "" : null);
    }
}
