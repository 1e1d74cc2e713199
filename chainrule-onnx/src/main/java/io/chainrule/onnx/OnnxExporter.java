package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.io.AtomicFiles;
import io.chainrule.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Traces a Module's forward pass in eval mode and writes it as ONNX (see {@link Onnx#export}).
 *
 * <p>The forward pass runs twice under an {@link io.chainrule.OpTracer}: on the example, and on the example
 * with its first row appended (batch + 1). The first trace gives the graph; comparing the two says which dimensions
 * follow the batch size, so they stay symbolic ({@link ExportGraph}). Both run without gradients.
 */
final class OnnxExporter {
    private OnnxExporter() {}

    static void export(Module model, Tensor example, Path file) throws IOException {
        if (model == null || example == null || file == null) {
            throw new IllegalArgumentException("Onnx.export: model, example and file must not be null");
        }
        if (example.dim() == 0 || example.size(0) < 1) {
            throw new IllegalArgumentException("Onnx.export: the example needs a batch dimension of size >= 1, got shape "
                    + java.util.Arrays.toString(example.shape()));
        }
        byte[] bytes = toBytes(model, example);
        AtomicFiles.write(file, bytes); // only once the whole model is built: an unsupported op writes nothing
    }

    /** The ONNX model of {@code model} traced on {@code example}, serialised. */
    static byte[] toBytes(Module model, Tensor example) {
        List<Map.Entry<Module, Boolean>> modes = new ArrayList<>();
        collectModes(model, modes);
        model.eval();
        try {
            return build(model, example.detach()).toByteArray();
        } finally {
            // parents first, so each child's own mode wins
            for (Map.Entry<Module, Boolean> m : modes) {
                if (m.getValue()) m.getKey().train();
                else m.getKey().eval();
            }
        }
    }

    private static void collectModes(Module m, List<Map.Entry<Module, Boolean>> out) {
        out.add(Map.entry(m, m.isTraining()));
        for (Module child : m.namedChildren().values()) collectModes(child, out);
    }

    /** A protobuf message holds at most 2 GiB; the graph itself needs a little room next to the weights. */
    private static final long MAX_STATE_BYTES = (1L << 31) - (64L << 20);

    private static ModelProto build(Module model, Tensor example) {
        long stateBytes = 0;
        for (Tensor t : model.stateDict().values()) stateBytes += (long) t.numel() * (t.dtype().isFloatingPoint()
                ? (t.dtype() == io.chainrule.DType.FLOAT32 ? 4 : 8) : t.dtype() == io.chainrule.DType.INT64 ? 8 : 1);
        if (stateBytes > MAX_STATE_BYTES) {
            throw new UnsupportedOperationException("ONNX export: the model's parameters and buffers take " + stateBytes
                    + " bytes, more than one ONNX protobuf file holds (2 GiB); external data files are not supported yet");
        }
        Map<Tensor, String> stateNames = new IdentityHashMap<>();
        model.namedParameters().forEach((k, v) -> stateNames.put(v, k));
        model.namedBuffers().forEach((k, v) -> stateNames.put(v, k));
        Tensor wider = Tensor.cat(List.of(example, example.narrow(0, 0, 1)), 0);
        ForwardTrace a = new ForwardTrace(model, example, stateNames);
        ForwardTrace b = new ForwardTrace(model, wider, stateNames);
        Tensor outA, outB;
        try (var g = Autograd.noGrad()) {
            outA = a.run(model);
            outB = b.run(model);
        }
        if (outA == null) throw new IllegalArgumentException("Onnx.export: " + model.getClass().getSimpleName() + ".forward returned null");
        GraphProto.Builder graph = GraphProto.newBuilder().setName(model.getClass().getSimpleName());
        new ExportGraph(a, b, example, wider, outA, outB, stateNames, graph).build();
        model.stateDict().forEach((key, t) -> graph.addInitializer(TensorProtos.of(key, t.contiguous())));
        graph.addInput(valueInfo("input", example, wider));
        graph.addOutput(valueInfo("output", outA, outB));
        return ModelProto.newBuilder()
                .setIrVersion(Onnx.IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(Onnx.OPSET))
                .setProducerName("chainrule")
                .setGraph(graph)
                .build();
    }

    /** Type and shape of a graph input or output; a dimension that follows the batch is symbolic ("batch" for dim 0). */
    private static ValueInfoProto valueInfo(String name, Tensor a, Tensor b) {
        int[] sa = a.shape(), sb = b.shape();
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < sa.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (sb.length == sa.length && sa[i] != sb[i]) d.setDimParam(i == 0 ? "batch" : "batch_" + name + "_" + i);
            else d.setDimValue(sa[i]);
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProtos.elementType(a.dtype())).setShape(shape)))
                .build();
    }
}
