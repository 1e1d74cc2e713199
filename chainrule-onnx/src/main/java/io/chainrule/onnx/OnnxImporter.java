package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chainrule.DType;
import io.chainrule.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX file into an {@link OnnxModel}: parses the protobuf (with the schema's generated classes), decodes
 * the initializers, and compiles every node with the op table ({@link OnnxOps}), checking on the way that each value
 * a node reads is produced before it. Everything that can be wrong with a file is found here, at load time: a
 * malformed file is an {@link IOException}, an unsupported op type, attribute or element type an
 * {@link UnsupportedOperationException} naming the op type, the node and the opset.
 */
final class OnnxImporter {
    /**
     * The newest default-domain opset this loader knows. Its ops read every form up to here (opset 18 moved the
     * Reduce* axes to an input; opset 19 gave AveragePool dilations; opset 20 added Gelu, which PyTorch's newer
     * exporter writes); later opsets could change an op's meaning, so they are refused.
     */
    static final int MAX_OPSET = 20;

    /** Protobuf messages cannot exceed 2 GiB; larger ONNX models keep their weights in external files. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    private OnnxImporter() {}

    static OnnxModel load(Path file) throws IOException {
        return new OnnxModel(read(file));
    }

    /** Reads and compiles {@code file}'s graph. */
    static OnnxGraph read(Path file) throws IOException {
        String name = file.toString();
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(name + ": " + size + " bytes is more than a protobuf message can hold (2 GiB); "
                    + "models this large keep their weights as external data, which is not supported");
        }
        byte[] bytes = Files.readAllBytes(file);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(name + ": not a valid ONNX model (protobuf: " + e.getMessage() + ")", e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return compile(model, name, dir);
    }

    /** Checks and compiles {@code model}; {@code file} names it in messages, external data is read from {@code modelDir}. */
    static OnnxGraph compile(ModelProto model, String file, Path modelDir) throws IOException {
        if (!model.hasGraph()) throw new IOException(file + ": not an ONNX model (no graph)");
        int opset = opset(model, file);
        GraphProto graph = model.getGraph();
        if (graph.getSparseInitializerCount() > 0) throw new UnsupportedOperationException(file + ": sparse initializers are not supported");

        Map<String, Tensor> floats = new LinkedHashMap<>(), constants = new LinkedHashMap<>();
        Set<String> defined = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            String where = file + ": initializer '" + t.getName() + "'";
            if (t.getName().isEmpty()) throw new IOException(file + ": an initializer has no name");
            if (!defined.add(t.getName())) throw new IOException(where + " appears twice");
            Tensor value = TensorDecoder.decode(t, where, modelDir);
            (value.dtype().isFloatingPoint() ? floats : constants).put(t.getName(), value);
        }

        List<OnnxGraph.InputSpec> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (v.getName().isEmpty()) throw new IOException(file + ": a graph input has no name");
            if (floats.containsKey(v.getName()) || constants.containsKey(v.getName())) continue; // a default value, not an input
            if (!defined.add(v.getName())) throw new IOException(file + ": graph input '" + v.getName() + "' appears twice");
            inputs.add(spec(v, file));
        }

        List<NodeProto> nodes = graph.getNodeList();
        List<OnnxNode> parsed = new ArrayList<>();
        List<Kernel> kernels = new ArrayList<>();
        for (NodeProto proto : nodes) {
            OnnxNode node = new OnnxNode(proto, opset, file, modelDir);
            String domain = proto.getDomain();
            if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
                throw new UnsupportedOperationException(file + ": op type '" + node.opType + "' of domain '" + domain + "' in "
                        + node.where() + " is not supported (only the default ONNX domain)");
            }
            for (String in : node.inputs) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new IOException(file + ": " + node.where() + " reads '" + in + "', which no graph input, initializer "
                            + "or earlier node produces");
                }
            }
            OpCompiler compiler = OnnxOps.get(node.opType);
            if (compiler == null) {
                throw new UnsupportedOperationException(file + ": op type '" + node.opType + "' (" + node.where()
                        + ") is not supported");
            }
            Kernel kernel = compiler.compile(node);
            node.checkAllAttributesRead();
            for (String out : node.outputs) {
                if (!out.isEmpty() && !defined.add(out)) throw new IOException(file + ": " + node.where() + " writes '" + out + "', which is already defined");
            }
            parsed.add(node);
            kernels.add(kernel);
        }

        List<String> outputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getOutputList()) {
            if (!defined.contains(v.getName())) throw new IOException(file + ": graph output '" + v.getName() + "' is never produced");
            TypeProto type = v.getType();
            if (type.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE && type.getValueCase() != TypeProto.ValueCase.VALUE_NOT_SET
                    || type.hasTensorType() && type.getTensorType().getElemType() != 0
                    && TensorDecoder.dtypeOf(type.getTensorType().getElemType()) == null) {
                throw new UnsupportedOperationException(file + ": graph output '" + v.getName() + "' of type "
                        + (type.hasTensorType() ? TensorDecoder.typeName(type.getTensorType().getElemType()) : type.getValueCase())
                        + " is not supported");
            }
            outputs.add(v.getName());
        }
        if (outputs.isEmpty()) throw new IOException(file + ": the graph has no outputs");
        return new OnnxGraph(steps(parsed, kernels, outputs, floats.keySet(), constants.keySet()), inputs, outputs, floats,
                constants, opset, file);
    }

    /** Each node with the values it is the last to read (graph outputs and initializers are kept). */
    private static List<OnnxGraph.Step> steps(List<OnnxNode> nodes, List<Kernel> kernels, List<String> outputs,
                                              Set<String> floats, Set<String> constants) {
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) for (String in : nodes.get(i).inputs) lastUse.put(in, i);
        List<List<String>> release = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) release.add(new ArrayList<>());
        lastUse.forEach((value, i) -> {
            if (!value.isEmpty() && !outputs.contains(value) && !floats.contains(value) && !constants.contains(value)) {
                release.get(i).add(value);
            }
        });
        List<OnnxGraph.Step> steps = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) steps.add(new OnnxGraph.Step(nodes.get(i), kernels.get(i), List.copyOf(release.get(i))));
        return steps;
    }

    private static int opset(ModelProto model, String file) throws IOException {
        Long version = null;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                if (version != null) throw new IOException(file + ": the default domain's opset is imported twice");
                version = o.getVersion();
            }
        }
        if (version == null) { // allowed when no node uses the default domain (every node then fails as another domain's)
            for (NodeProto n : model.getGraph().getNodeList()) {
                if (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")) {
                    throw new IOException(file + ": node '" + n.getName() + "' (" + n.getOpType() + ") is in the default "
                            + "ONNX domain, but the model imports no opset of it");
                }
            }
            return 0;
        }
        if (version < 1) throw new IOException(file + ": opset version " + version);
        if (version > MAX_OPSET) {
            throw new UnsupportedOperationException(file + ": opset " + version + " is newer than this loader knows (up to "
                    + MAX_OPSET + "); export with opset_version=17 (or up to 20)");
        }
        return version.intValue();
    }

    /** The declared type of a graph input; a non-tensor type or an element type chainrule has no dtype for is refused. */
    private static OnnxGraph.InputSpec spec(ValueInfoProto v, String file) {
        TypeProto type = v.getType();
        if (type.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE && type.getValueCase() != TypeProto.ValueCase.VALUE_NOT_SET) {
            throw new UnsupportedOperationException(file + ": graph input '" + v.getName() + "' of type " + type.getValueCase()
                    + " is not supported (only tensors)");
        }
        if (!type.hasTensorType()) return new OnnxGraph.InputSpec(v.getName(), null, null);
        TypeProto.Tensor t = type.getTensorType();
        DType dtype = t.hasElemType() && t.getElemType() != 0 ? TensorDecoder.dtypeOf(t.getElemType()) : null;
        if (t.hasElemType() && t.getElemType() != 0 && dtype == null) {
            throw new UnsupportedOperationException(file + ": graph input '" + v.getName() + "' has element type "
                    + TensorDecoder.typeName(t.getElemType()) + ", which is not supported");
        }
        if (!t.hasShape()) return new OnnxGraph.InputSpec(v.getName(), dtype, null);
        int[] dims = new int[t.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = t.getShape().getDim(i);
            dims[i] = d.hasDimValue() && d.getDimValue() >= 0 && d.getDimValue() <= Integer.MAX_VALUE ? (int) d.getDimValue() : -1;
        }
        return new OnnxGraph.InputSpec(v.getName(), dtype, dims);
    }
}
