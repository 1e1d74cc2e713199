package io.chainrule.onnx;

import io.chainrule.Generator;
import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.AdaptiveAvgPool2d;
import io.chainrule.nn.AvgPool2d;
import io.chainrule.nn.BatchNorm1d;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv1d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.Embedding;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.GELU;
import io.chainrule.nn.GRU;
import io.chainrule.nn.Identity;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every export runs in ONNX Runtime: exported once from a batch of 3, then run on batches of 1 and 7 (so the batch
 * dimension really is symbolic), its outputs within 1e-5 of chainrule's own forward. Each file also passes
 * {@link OnnxChecks}. Set {@code -Donnx.export.dir=DIR} to keep the files (for Python's onnx.checker).
 */
class OnnxExportTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /** Exports {@code model} on a batch of 3 and compares ONNX Runtime with chainrule on batches 1 and 7. */
    private double exportAndCompare(String label, Module model, IntFunction<Tensor> inputOfBatch) throws Exception {
        Path file = dir.resolve(label + ".onnx");
        Onnx.export(model, inputOfBatch.apply(3), file);
        OnnxChecks.check(file, model);
        String keep = System.getProperty("onnx.export.dir");
        if (keep != null) {
            Files.createDirectories(Path.of(keep));
            Files.copy(file, Path.of(keep, label + ".onnx"), StandardCopyOption.REPLACE_EXISTING);
        }
        double worst = 0;
        try (OrtRunner ort = new OrtRunner(file); var g = Autograd.noGrad()) {
            for (int batch : new int[] {1, 7}) {
                Tensor x = inputOfBatch.apply(batch);
                Tensor expected = model.forward(x);
                Tensor got = ort.run(x);
                assertArrayEquals(expected.shape(), got.shape(), label + ": output shape at batch " + batch);
                worst = Math.max(worst, got.sub(expected.to(got.dtype())).abs().max().item());
            }
        }
        System.out.printf("ONNX export %-22s max |ORT - chainrule| over batches 1 and 7 = %.3g%n", label, worst);
        assertTrue(worst <= TOLERANCE, label + ": largest difference " + worst);
        return worst;
    }

    private static IntFunction<Tensor> normal(long seed, int... rest) {
        return batch -> {
            int[] shape = new int[rest.length + 1];
            shape[0] = batch;
            System.arraycopy(rest, 0, shape, 1, rest.length);
            return Tensor.randn(new Generator(seed + batch), shape);
        };
    }

    private static Module evalAfterTraining(Module m, Tensor... batches) {
        // a few training-mode passes move batch norm's running statistics away from 0 and 1
        m.train();
        try (var g = Autograd.noGrad()) {
            for (Tensor b : batches) m.forward(b);
        }
        return m.eval();
    }

    @Test
    void mlp() throws Exception {
        Tensor.manualSeed(1);
        Module mlp = new Sequential(new Flatten(), new Linear(12, 16), new ReLU(), new Linear(16, 8), new Tanh(),
                new Linear(8, 3), new LogSoftmax(1)).eval();
        exportAndCompare("mlp", mlp, normal(10, 3, 4));
    }

    @Test
    void cnnWithBatchNormPoolsAndDropout() throws Exception {
        Tensor.manualSeed(2);
        Module cnn = new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 6, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 2, true),
                new AvgPool2d(3, 2, 1), new Dropout(0.3), new Flatten(), new Linear(54, 10), new Softmax(1));
        evalAfterTraining(cnn, Tensor.randn(new Generator(5), 8, 1, 12, 12).mul(2).add(0.5));
        exportAndCompare("cnn", cnn, normal(20, 1, 12, 12));
    }

    /** Embedding (INT64 input) into a 2-layer batch-first LSTM and a linear head over every step. */
    static final class TextModel extends Module {
        final Embedding emb = register("emb", new Embedding(20, 8));
        final LSTM lstm = register("lstm", new LSTM(8, 6, 2, true));
        final Linear head = register("head", new Linear(6, 3));

        @Override
        public Tensor forward(Tensor tokens) {
            return head.forward(lstm.forward(emb.forward(tokens)));
        }
    }

    @Test
    void embeddingAndLstm() throws Exception {
        Tensor.manualSeed(3);
        exportAndCompare("embedding_lstm", new TextModel().eval(), b -> Tensor.randint(new Generator(30 + b), 0, 20, b, 5));
    }

    @Test
    void gru() throws Exception {
        Tensor.manualSeed(4);
        exportAndCompare("gru", new GRU(4, 5, 1, true).eval(), normal(40, 6, 4));
    }

    @Test
    void twoLayerRnnSequenceFirst() throws Exception {
        Tensor.manualSeed(5);
        // not batch-first: dimension 0 is the sequence, which the export keeps symbolic as well
        exportAndCompare("rnn_2layer", new RNN(4, 5, 2, false).eval(), normal(50, 3, 4));
    }

    @Test
    void reluRnnAndSingleLayerLstm() throws Exception {
        Tensor.manualSeed(6);
        exportAndCompare("rnn_relu", new RNN(4, 5, 1, true, "relu").eval(), normal(60, 6, 4));
        exportAndCompare("lstm", new LSTM(4, 5).eval(), normal(61, 2, 4));
    }

    /** The cells, unrolled in a user forward over a [N, 3, 4] sequence with a state carried from step to step. */
    static final class Unrolled extends Module {
        final io.chainrule.nn.LSTMCell lstm = register("lstm", new io.chainrule.nn.LSTMCell(4, 5));
        final io.chainrule.nn.GRUCell gru = register("gru", new io.chainrule.nn.GRUCell(5, 3));
        final io.chainrule.nn.RNNCell rnn = register("rnn", new io.chainrule.nn.RNNCell(3, 2, "relu"));

        @Override
        public Tensor forward(Tensor x) {
            io.chainrule.nn.RecurrentOutput state = null;
            Tensor h = null, out = null;
            for (int t = 0; t < x.size(1); t++) {
                state = lstm.forward(x.select(1, t), state);
                h = h == null ? gru.forward(state.h()) : gru.forward(state.h(), new io.chainrule.nn.RecurrentOutput(null, h, null)).h();
                out = rnn.forward(h);
            }
            return out.add(state.c().sum(1, true));
        }
    }

    @Test
    void recurrentCellsUnrolledInForward() throws Exception {
        Tensor.manualSeed(14);
        exportAndCompare("cells_unrolled", new Unrolled().eval(), normal(150, 3, 4));
    }

    @Test
    void layerNormAndGeluBlock() throws Exception {
        Tensor.manualSeed(7);
        Module block = new Sequential(new Linear(6, 8), new LayerNorm(8), new GELU(), new Linear(8, 4), new LeakyReLU(0.1),
                new Sigmoid()).eval();
        exportAndCompare("layernorm_gelu", block, normal(70, 6));
        // over a sequence: Linear on 3-D input (MatMul + Add) and LayerNorm on the last dimension
        exportAndCompare("layernorm_gelu_seq", block, normal(71, 5, 6));
    }

    /** A user-written module: a residual connection and tensor ops written directly in forward. */
    static final class ResidualNet extends Module {
        final Linear fc1 = register("fc1", new Linear(6, 6));
        final Linear fc2 = register("fc2", new Linear(6, 6));
        final Tensor mix = registerParameter("mix", Tensor.randn(6, 4));

        @Override
        public Tensor forward(Tensor x) {                                   // x [N, 2, 3]
            Tensor flat = x.reshape(-1, 6);
            Tensor h = fc1.forward(flat).relu();
            Tensor y = fc2.forward(h).add(flat);                           // the residual connection
            Tensor z = y.matmul(mix).tanh().mul(0.5).sub(y.narrow(1, 1, 4).sigmoid());
            Tensor both = Tensor.cat(List.of(z, y.narrow(1, 0, 2).exp().neg(), y.abs().sqrt().narrow(1, 2, 2)), 1); // [N, 8]
            Tensor t = both.view(-1, 2, 4).transpose(1, 2).permute(0, 2, 1).unsqueeze(1);           // [N, 1, 2, 4]
            Tensor pooled = t.squeeze(1).mean(2, false).add(t.sum(3, true).flatten(1, -1).max(1, true)); // [N, 2]
            Tensor gated = pooled.gt(0).where(pooled, pooled.mul(0.1)).maximum(pooled.pow(2).sub(1));
            Tensor picked = gated.argmax(1, true).to(gated.dtype()).mul(0.01);   // indices, traced, cast back
            return gated.clamp(-3, 3).div(gated.abs().add(1)).softmax(-1).log().add(picked);
        }
    }

    @Test
    void userModuleWithResidualAndTensorOps() throws Exception {
        Tensor.manualSeed(8);
        exportAndCompare("residual_user_module", new ResidualNet().eval(), normal(80, 2, 3));
    }

    @Test
    void conv1d() throws Exception {
        Tensor.manualSeed(9);
        Module m = new Sequential(new Conv1d(3, 4, 3, 2, 1), new Tanh(), new Flatten(), new Linear(20, 2)).eval();
        exportAndCompare("conv1d", m, normal(90, 3, 10));
    }

    @Test
    void batchNorm1dOnFeaturesAndSequences() throws Exception {
        Tensor.manualSeed(10);
        Module features = new Sequential(new Linear(5, 4), new BatchNorm1d(4), new ReLU());
        evalAfterTraining(features, Tensor.randn(new Generator(11), 16, 5).mul(3).add(1));
        exportAndCompare("batchnorm1d_2d", features, normal(100, 5));
        Module sequences = new Sequential(new BatchNorm1d(3), new Identity());
        evalAfterTraining(sequences, Tensor.randn(new Generator(12), 8, 3, 6).mul(2).sub(1));
        exportAndCompare("batchnorm1d_3d", sequences, normal(101, 3, 6));
    }

    @Test
    void adaptiveAvgPool() throws Exception {
        Tensor.manualSeed(11);
        exportAndCompare("adaptive_avgpool_2x2", new Sequential(new Conv2d(2, 3, 3, 1, 1), new AdaptiveAvgPool2d(2, 2),
                new Flatten()).eval(), normal(110, 2, 4, 4));
        exportAndCompare("adaptive_avgpool_1x1", new Sequential(new Conv2d(2, 3, 3, 1, 1), new AdaptiveAvgPool2d(1, 1),
                new Flatten()).eval(), normal(111, 2, 5, 5));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () ->
                Onnx.export(new Sequential(new AdaptiveAvgPool2d(3, 3)), Tensor.randn(2, 2, 4, 4), dir.resolve("a.onnx")));
        assertTrue(e.getMessage().contains("AdaptiveAvgPool2DBackward0") && e.getMessage().contains("module '0'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("a.onnx")));
    }

    /** A module whose forward uses an op ONNX has no mapping for (unfold, im2col). */
    static final class Unfolder extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return LayerPrimitives.unfold(x, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1});
        }
    }

    static final class Net extends Module {
        final Sequential features = register("features", new Sequential(new Conv2d(1, 2, 3, 1, 1), new ReLU(),
                new Identity(), new Unfolder()));
        final Flatten flatten = register("flatten", new Flatten());

        @Override
        public Tensor forward(Tensor x) {
            return flatten.forward(features.forward(x));
        }
    }

    @Test
    void unsupportedOpNamesOpAndModulePathAndWritesNothing() throws Exception {
        Path file = dir.resolve("net.onnx");
        Net net = new Net();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Onnx.export(net, Tensor.randn(2, 1, 6, 6), file));
        assertTrue(e.getMessage().contains("Im2ColBackward0"), e.getMessage());
        assertTrue(e.getMessage().contains("'features.3'"), e.getMessage());
        assertFalse(Files.exists(file), "nothing written");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "no temporary file left behind");
        }
    }

    @Test
    void failedExportLeavesAnExistingFileAsItWas() throws Exception {
        Path file = dir.resolve("model.onnx");
        Onnx.export(new Sequential(new Linear(3, 2)), Tensor.randn(2, 3), file);
        byte[] before = Files.readAllBytes(file);
        assertThrows(UnsupportedOperationException.class, () -> Onnx.export(new Net(), Tensor.randn(2, 1, 6, 6), file));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary file left behind");
        }
    }

    @Test
    void trainingModeIsRestored() throws Exception {
        Sequential m = new Sequential(new Linear(3, 3), new Dropout(0.5), new Sequential(new BatchNorm1d(3)));
        m.train();
        m.get(2).eval();
        Onnx.export(m, Tensor.randn(4, 3), dir.resolve("m.onnx"));
        assertTrue(m.isTraining() && m.get(0).isTraining() && m.get(1).isTraining());
        assertFalse(m.get(2).isTraining() || ((Sequential) m.get(2)).get(0).isTraining());
        // and in eval mode the export has no dropout: ORT equals the eval forward
        m.eval();
        exportAndCompare("dropout_identity", m, normal(120, 3));
    }

    /** In-place ops in a forward (allowed without gradients) rebind the tensor to the op's result. */
    static final class InPlace extends Module {
        final Linear fc = register("fc", new Linear(4, 4, false));

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = fc.forward(x).relu();
            h.muli(2.0).addi(x).subi(x.mul(0.5));
            return h.divi(Tensor.full(3.0, 4));
        }
    }

    @Test
    void inPlaceOpsAndLayersWithoutBiasOrAffine() throws Exception {
        Tensor.manualSeed(12);
        exportAndCompare("in_place_ops", new InPlace().eval(), normal(130, 4));
        exportAndCompare("no_bias_no_affine", new Sequential(new Linear(4, 5, false), new LayerNorm(5, 1e-3, false),
                new Conv1dOverFeatures()).eval(), normal(131, 3, 4));
    }

    /** A Conv1d without bias applied to [N, C, L] made by a transpose in forward. */
    static final class Conv1dOverFeatures extends Module {
        @Override
        public Tensor forward(Tensor x) {
            Tensor w = Tensor.ones(2, 5, 2).mul(0.25);
            return io.chainrule.nn.F.conv1d(x.transpose(1, 2), w, null, 1, 0);
        }
    }

    /** A tensor made with the example's batch size inside forward would freeze that size into the file: refused. */
    static final class BatchSizedConstant extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.add(Tensor.ones(x.size(0), x.size(1)));
        }
    }

    /** An in-place write through a view changes the base too, which a traced graph cannot express: refused. */
    static final class WriteThroughView extends Module {
        @Override
        public Tensor forward(Tensor x) {
            Tensor h = x.exp();
            h.narrow(1, 0, 2).muli(2.0);
            return h;
        }
    }

    /** Control flow on the batch size: the two traces differ, so no single graph serves every batch size. */
    static final class BatchDependentBranch extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.size(0) > 3 ? x.exp() : x.relu();
        }
    }

    @Test
    void whatATraceCannotKeepSymbolicIsRefusedClearly() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Onnx.export(new BatchSizedConstant(), Tensor.randn(2, 3), dir.resolve("c.onnx")));
        assertTrue(e.getMessage().contains("AddBackward0") && e.getMessage().contains("changes with the batch size"),
                e.getMessage());
        e = assertThrows(UnsupportedOperationException.class,
                () -> Onnx.export(new WriteThroughView(), Tensor.randn(2, 3), dir.resolve("v.onnx")));
        assertTrue(e.getMessage().contains("MulBackward0") && e.getMessage().contains("writes in place"), e.getMessage());
        e = assertThrows(UnsupportedOperationException.class,
                () -> Onnx.export(new BatchDependentBranch(), Tensor.randn(3, 3), dir.resolve("b.onnx")));
        assertTrue(e.getMessage().contains("different ops for batch sizes 3 and 4"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("c.onnx")) || Files.exists(dir.resolve("b.onnx")));
    }

    @Test
    void float64ModelExportsAsDouble() throws Exception {
        Tensor.manualSeed(13);
        Module m = new Sequential(new Linear(5, 6), new Tanh(), new LayerNorm(6), new Linear(6, 2), new LogSoftmax(1))
                .to(io.chainrule.DType.FLOAT64).eval();
        double worst = exportAndCompare("mlp_float64", m, b -> normal(140, 5).apply(b).to(io.chainrule.DType.FLOAT64));
        assertTrue(worst < 1e-10, "float64 end to end: " + worst);
    }

    /** Two children of one class: an op that reads no parameter of either is reported with both paths. */
    static final class TwoBlocks extends Module {
        final Unfolder a = register("a", new Unfolder());
        final Unfolder b = register("b", new Unfolder());

        @Override
        public Tensor forward(Tensor x) {
            return b.forward(x).add(a.forward(x));
        }
    }

    @Test
    void ambiguousModulePathNamesEveryCandidate() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Onnx.export(new TwoBlocks(), Tensor.randn(2, 1, 4, 4), dir.resolve("t.onnx")));
        assertTrue(e.getMessage().contains("Im2ColBackward0 in module 'a|b'"), e.getMessage());
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> Onnx.export(null, Tensor.randn(2, 3), dir.resolve("x.onnx")));
        assertThrows(IllegalArgumentException.class,
                () -> Onnx.export(new Linear(3, 2), Tensor.scalar(1), dir.resolve("x.onnx")));
        assertTrue(Arrays.asList(dir.toFile().list()).isEmpty());
    }
}
