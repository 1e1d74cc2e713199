package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.chainrule.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node of an ONNX graph as an op compiler sees it: its inputs, outputs and attributes. The attributes an op reads
 * are remembered, so that an attribute no op read — one the loader does not implement — is reported by name instead
 * of being silently ignored ({@link #checkAllAttributesRead()}).
 */
final class OnnxNode {
    final String name;
    final String opType;
    final int opset;
    final String file;
    /** The model file's folder, where external tensor data lives. */
    private final Path modelDir;
    final List<String> inputs;
    final List<String> outputs;
    private final Map<String, AttributeProto> attributes = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    OnnxNode(NodeProto proto, int opset, String file, Path modelDir) throws IOException {
        this.name = proto.getName();
        this.opType = proto.getOpType();
        this.opset = opset;
        this.file = file;
        this.modelDir = modelDir;
        this.inputs = List.copyOf(proto.getInputList());
        this.outputs = List.copyOf(proto.getOutputList());
        for (AttributeProto a : proto.getAttributeList()) {
            if (a.getName().isEmpty()) throw new IOException(file + ": " + where() + " has an attribute without a name");
            if (attributes.put(a.getName(), a) != null) {
                throw new IOException(file + ": " + where() + " has attribute '" + a.getName() + "' twice");
            }
        }
    }

    /** "node 'name' (OpType, opset 17)", for messages. */
    String where() {
        return "node '" + name + "' (" + opType + ", opset " + opset + ")";
    }

    /** An error for something this node asks for that the loader does not implement. */
    UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(file + ": " + what + " in " + where() + " is not supported");
    }

    /** Fails with {@link #unsupported} unless {@code ok}: for attribute values the loader does not implement. */
    void require(boolean ok, String what) {
        if (!ok) throw unsupported(what);
    }

    /** An error for a value that breaks the op's specification (a malformed file). */
    IOException malformed(String what) {
        return new IOException(file + ": " + where() + ": " + what);
    }

    /** An error for a bad value met while running (shapes that do not fit, a bad index in the data). */
    IllegalArgumentException badInput(String what) {
        return new IllegalArgumentException("ONNX " + where() + ": " + what);
    }

    // ---------------------------------------------------------------------------------------- inputs, outputs

    /** Whether optional input {@code i} is given (present and not the empty name). */
    boolean hasInput(int i) {
        return i < inputs.size() && !inputs.get(i).isEmpty();
    }

    /** Whether output {@code i} is asked for. */
    boolean hasOutput(int i) {
        return i < outputs.size() && !outputs.get(i).isEmpty();
    }

    /** Fails unless the node has between {@code min} and {@code max} inputs. */
    void expectInputs(int min, int max) throws IOException {
        if (inputs.size() < min || inputs.size() > max) {
            throw malformed("expects " + (min == max ? min : min + " to " + max) + " inputs, has " + inputs.size());
        }
        for (int i = 0; i < min; i++) if (inputs.get(i).isEmpty()) throw malformed("required input " + i + " is missing");
    }

    /** Fails unless the node asks for between 1 and {@code max} outputs, those past {@code supported} not at all. */
    void expectOutputs(int max, int supported) throws IOException {
        if (outputs.isEmpty() || outputs.size() > max) throw malformed("expects 1 to " + max + " outputs, has " + outputs.size());
        for (int i = supported; i < outputs.size(); i++) {
            if (!outputs.get(i).isEmpty()) throw unsupported("output " + i + " ('" + outputs.get(i) + "')");
        }
    }

    // ---------------------------------------------------------------------------------------------- attributes

    boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    long attrInt(String attribute, long fallback) throws IOException {
        AttributeProto a = get(attribute, AttributeType.INT);
        return a == null ? fallback : a.getI();
    }

    double attrFloat(String attribute, double fallback) throws IOException {
        AttributeProto a = get(attribute, AttributeType.FLOAT);
        return a == null ? fallback : a.getF();
    }

    String attrString(String attribute, String fallback) throws IOException {
        AttributeProto a = get(attribute, AttributeType.STRING);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    /** The INTS attribute, or null when absent. */
    long[] attrInts(String attribute) throws IOException {
        AttributeProto a = get(attribute, AttributeType.INTS);
        if (a == null) return null;
        long[] v = new long[a.getIntsCount()];
        for (int i = 0; i < v.length; i++) v[i] = a.getInts(i);
        return v;
    }

    /** The FLOATS attribute, or null when absent. */
    float[] attrFloats(String attribute) throws IOException {
        AttributeProto a = get(attribute, AttributeType.FLOATS);
        if (a == null) return null;
        float[] v = new float[a.getFloatsCount()];
        for (int i = 0; i < v.length; i++) v[i] = a.getFloats(i);
        return v;
    }

    /** The STRINGS attribute, or null when absent. */
    List<String> attrStrings(String attribute) throws IOException {
        AttributeProto a = get(attribute, AttributeType.STRINGS);
        return a == null ? null : a.getStringsList().stream().map(b -> b.toStringUtf8()).toList();
    }

    /** The TENSOR attribute decoded, or null when absent. */
    Tensor attrTensor(String attribute) throws IOException {
        AttributeProto a = get(attribute, AttributeType.TENSOR);
        return a == null ? null : TensorDecoder.decode(a.getT(), file + ": " + where() + ", attribute '" + attribute + "'", modelDir);
    }

    private AttributeProto get(String attribute, AttributeType type) throws IOException {
        AttributeProto a = attributes.get(attribute);
        read.add(attribute);
        if (a == null) return null;
        if (a.hasRefAttrName()) throw unsupported("attribute '" + attribute + "' referring to a function attribute");
        AttributeType actual = a.hasType() ? a.getType() : AttributeType.UNDEFINED;
        if (actual != type) throw malformed("attribute '" + attribute + "' should be " + type + ", is " + actual);
        return a;
    }

    /** Fails naming the first attribute that no op compiler read: one the loader does not implement. */
    void checkAllAttributesRead() {
        for (String a : attributes.keySet()) {
            if (!read.contains(a)) throw unsupported("attribute '" + a + "'");
        }
    }
}
