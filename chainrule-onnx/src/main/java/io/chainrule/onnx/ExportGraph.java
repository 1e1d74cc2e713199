package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns two traces of the same forward pass (on the example, and on the example with one more row) into ONNX nodes.
 * The second trace says which dimensions follow the batch: those become symbolic in reshapes, slices and expands,
 * and a constant that differs between the two is a tensor the trace did not see being made from the input (an
 * error, rather than a file that only works at the example's batch size).
 *
 * <p>Each op's operands resolve to the graph input, a parameter or buffer (an initializer named by its state-dict
 * key), an earlier op's output, or a constant (a tensor made inside forward, or an op computed only from such
 * tensors, folded to its value). Only the ops the output depends on are mapped, in the order they ran, so an
 * unsupported op whose result is unused (the parts of a layer reported as a whole) is no error.
 */
final class ExportGraph {
    /** Where an operand comes from. */
    enum Source { NONE, INPUT, STATE, OP, CONSTANT }

    /** One operand of an op: its source, the producing op (for OP), and its tensors in the two traces. */
    record Operand(Source source, int producer, Tensor a, Tensor b) {}

    private final List<TracedOp> opsA, opsB;
    private final Tensor inputA;
    private final Map<Tensor, String> stateNames;
    private final Operand[][] operands;
    private final boolean[] dynamic;
    private final Operand output;
    /** Ops that write in place into a tensor that shares storage with another (a view or a viewed base). */
    private final boolean[] writesThroughView;
    private final GraphProto.Builder graph;
    private final Map<Tensor, String> constantNames = new IdentityHashMap<>();
    private int fresh;

    ExportGraph(ForwardTrace a, ForwardTrace b, Tensor inputA, Tensor inputB, Tensor outA, Tensor outB,
                Map<Tensor, String> stateNames, GraphProto.Builder graph) {
        this.opsA = a.ops();
        this.opsB = b.ops();
        this.inputA = inputA;
        this.stateNames = stateNames;
        this.graph = graph;
        checkSameOps();
        this.operands = new Operand[opsA.size()][];
        this.dynamic = new boolean[opsA.size()];
        this.writesThroughView = new boolean[opsA.size()];
        Map<Tensor, Boolean> aliased = new IdentityHashMap<>();
        Map<Tensor, Integer> producerA = new IdentityHashMap<>(), producerB = new IdentityHashMap<>();
        for (int k = 0; k < opsA.size(); k++) {
            TracedOp opA = opsA.get(k), opB = opsB.get(k);
            Tensor[] inA = operandTensors(opA), inB = operandTensors(opB);
            if (inA.length != inB.length) throw differentOps(k);
            operands[k] = new Operand[inA.length];
            for (int i = 0; i < inA.length; i++) {
                operands[k][i] = resolve(inA[i], inB[i], a, b, producerA, producerB, inputA, inputB);
                Source s = operands[k][i].source();
                dynamic[k] |= s == Source.INPUT || s == Source.STATE || (s == Source.OP && dynamic[operands[k][i].producer()]);
            }
            if (VIEW_OPS.contains(opA.name()) && inA.length > 0 && inA[0] != null) {
                aliased.put(inA[0], true);
                aliased.put(opA.output(), true);
            }
            writesThroughView[k] = inA.length > 0 && inA[0] == opA.output() && aliased.containsKey(opA.output());
            producerA.put(opA.output(), k);
            producerB.put(opB.output(), k);
        }
        this.output = resolve(outA, outB, a, b, producerA, producerB, inputA, inputB);
    }

    /** Ops whose result shares storage with their input. */
    private static final java.util.Set<String> VIEW_OPS = java.util.Set.of("ViewBackward0", "TransposeBackward0",
            "TBackward0", "PermuteBackward0", "UnsqueezeBackward0", "SqueezeBackward0", "SqueezeBackward1",
            "ExpandBackward0", "SliceBackward0");

    private void checkSameOps() {
        if (opsA.size() != opsB.size()) throw differentOps(Math.min(opsA.size(), opsB.size()));
        for (int k = 0; k < opsA.size(); k++) if (!opsA.get(k).name().equals(opsB.get(k).name())) throw differentOps(k);
    }

    private UnsupportedOperationException differentOps(int k) {
        String at = k < opsA.size() ? opsA.get(k).name() + " in " + opsA.get(k).where() : "the end of the pass";
        return new UnsupportedOperationException("ONNX export: the forward pass runs different ops for batch sizes "
                + inputA.size(0) + " and " + (inputA.size(0) + 1) + " (from op " + k + ", " + at + "); a traced "
                + "export needs one op sequence for every batch size (no control flow on the batch size or on values)");
    }

    /** The op's tensor operands in mapping order; ops that pass a tensor as an attribute get it as an operand. */
    static Tensor[] operandTensors(TracedOp op) {
        return switch (op.name()) {
            case "ToCopyBackward0" -> new Tensor[] {(Tensor) op.attribute("source")};
            case "IndexSelectBackward0", "GatherBackward0" -> new Tensor[] {op.inputs()[0], (Tensor) op.attribute("index")};
            case "WhereBackward0" -> new Tensor[] {(Tensor) op.attribute("condition"), op.inputs()[0], op.inputs()[1]};
            default -> op.inputs();
        };
    }

    private Operand resolve(Tensor ta, Tensor tb, ForwardTrace a, ForwardTrace b, Map<Tensor, Integer> producerA,
                            Map<Tensor, Integer> producerB, Tensor inputA, Tensor inputB) {
        if (ta == null) return new Operand(Source.NONE, -1, null, null);
        if (ta == inputA) return new Operand(Source.INPUT, -1, ta, tb);
        Integer k = producerA.get(ta);
        if (k != null) {
            Integer kb = producerB.get(tb);
            if (kb == null || !kb.equals(k)) throw differentOps(k);
            return new Operand(Source.OP, k, ta, tb);
        }
        if (stateNames.containsKey(ta)) return new Operand(Source.STATE, -1, ta, tb);
        Tensor sa = a.snapshot(ta), sb = b.snapshot(tb);
        return new Operand(Source.CONSTANT, -1, sa != null ? sa : ta, sb != null ? sb : tb);
    }

    // ------------------------------------------------------------------------------------------------- building

    /** Maps every op the output depends on, in order, and names the result {@code output}. */
    void build() {
        boolean[] live = new boolean[opsA.size()];
        List<Integer> stack = new ArrayList<>();
        if (output.source() == Source.OP) stack.add(output.producer());
        while (!stack.isEmpty()) {
            int k = stack.remove(stack.size() - 1);
            if (live[k] || !dynamic[k]) continue;
            live[k] = true;
            for (Operand o : operands[k]) if (o.source() == Source.OP) stack.add(o.producer());
        }
        for (int k = 0; k < opsA.size(); k++) {
            // even when its own result looks unused: the write changed the other tensor, which may be used
            if (writesThroughView[k] && dynamic[k]) {
                TracedOp op = opsA.get(k);
                throw new UnsupportedOperationException("ONNX export: op " + op.name() + " in " + op.where() + " writes in "
                        + "place into a tensor that shares memory with another (a view, or the base of one); a traced "
                        + "graph cannot follow the write to the other tensor (write the op out of place)");
            }
            if (live[k]) OpMappings.emit(new OpContext(k));
        }
        boolean outputIsOp = output.source() == Source.OP && dynamic[output.producer()];
        if (!outputIsOp) node("Identity", List.of(name(output, null)), List.of("output"));
    }

    /** The ONNX name of an operand's value (a constant is added on first use). */
    private String name(Operand o, TracedOp user) {
        return switch (o.source()) {
            case NONE -> "";
            case INPUT -> "input";
            case STATE -> stateNames.get(o.a());
            case OP -> dynamic[o.producer()] ? valueName(o.producer()) : constant(o.a(), o.b(), user);
            case CONSTANT -> constant(o.a(), o.b(), user);
        };
    }

    private String valueName(int k) {
        boolean isOutput = output.source() == Source.OP && output.producer() == k;
        return isOutput ? "output" : "v" + k + "_" + opsA.get(k).name();
    }

    /** A Constant node holding {@code a}, which must be the same tensor in the second trace. */
    private String constant(Tensor a, Tensor b, TracedOp user) {
        String known = constantNames.get(a);
        if (known != null) return known;
        if (!Arrays.equals(a.shape(), b.shape()) || !sameValues(a, b)) {
            String where = user == null ? "the output" : "op " + user.name() + " in " + user.where();
            throw new UnsupportedOperationException("ONNX export: " + where + " reads a tensor of shape "
                    + Arrays.toString(a.shape()) + " that changes with the batch size but was not traced from the input "
                    + "(made with the batch size, e.g. Tensor.zeros(x.size(0), ...), or by an op that reports no trace, "
                    + "such as detach() or toFloatArray()); it would be frozen into the file");
        }
        String name = "const" + constantNames.size();
        constantNames.put(a, name);
        graph.addNode(NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProtos.of(name, a.detach().contiguous()))));
        return name;
    }

    private static boolean sameValues(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) return false;
        return switch (a.dtype()) {
            case INT64 -> Arrays.equals(a.toLongArray(), b.toLongArray());
            case BOOL -> Arrays.equals(a.toBooleanArray(), b.toBooleanArray());
            default -> Arrays.equals(a.toDoubleArray(), b.toDoubleArray());
        };
    }

    NodeProto.Builder node(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(opType + "_" + graph.getNodeCount())
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) n.addAttribute(a);
        graph.addNode(n);
        return n;
    }

    /** What a mapping sees of one op: its operands' names and shapes in both traces, its output, helpers. */
    final class OpContext {
        final TracedOp a, b;
        private final int k;

        OpContext(int k) {
            this.k = k;
            this.a = opsA.get(k);
            this.b = opsB.get(k);
        }

        int operandCount() {
            return operands[k].length;
        }

        /** Operand i's ONNX name ("" when absent). */
        String in(int i) {
            return name(operands[k][i], a);
        }

        boolean present(int i) {
            return i < operands[k].length && operands[k][i].source() != Source.NONE;
        }

        Operand operand(int i) {
            return operands[k][i];
        }

        /** True when operand i depends on neither the input nor a parameter (its value is fixed at export). */
        boolean isConstant(int i) {
            Operand o = operands[k][i];
            return o.source() == Source.CONSTANT || (o.source() == Source.OP && !dynamic[o.producer()]);
        }

        int[] inShape(int i) {
            return operands[k][i].a().shape();
        }

        /** The dimensions of operand i that follow the batch size. */
        boolean[] inBatchDims(int i) {
            return varying(operands[k][i].a().shape(), operands[k][i].b().shape());
        }

        DType inType(int i) {
            return operands[k][i].a().dtype();
        }

        String out() {
            return valueName(k);
        }

        int[] outShape() {
            return a.output().shape();
        }

        DType outType() {
            return a.output().dtype();
        }

        boolean[] outBatchDims() {
            return varying(a.output().shape(), b.output().shape());
        }

        String tmp(String what) {
            return "t" + (fresh++) + "_" + what;
        }

        void node(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
            ExportGraph.this.node(opType, inputs, outputs, attributes);
        }

        /** Operand i, cast to the op's output type when it differs (ONNX arithmetic needs equal types). */
        String inAs(int i, DType type) {
            if (inType(i) == type) return in(i);
            String cast = tmp("cast");
            node("Cast", List.of(in(i)), List.of(cast), Attrs.i("to", TensorProtos.elementType(type)));
            return cast;
        }

        /** A constant tensor, added once. */
        String constant(Tensor t) {
            return ExportGraph.this.constant(t, t, a);
        }

        String longs(long... v) {
            return constant(Tensor.of(v, v.length));
        }

        String scalar(double v, DType type) {
            return constant(Tensor.scalar(v, type));
        }

        UnsupportedOperationException unsupported(String why) {
            return new UnsupportedOperationException("ONNX export: op " + a.name() + " in " + a.where() + " " + why);
        }
    }

    private static boolean[] varying(int[] sa, int[] sb) {
        boolean[] v = new boolean[sa.length];
        if (sa.length != sb.length) {
            throw new UnsupportedOperationException("ONNX export: the rank of a tensor changes with the batch size ("
                    + Arrays.toString(sa) + " vs " + Arrays.toString(sb) + ")");
        }
        for (int i = 0; i < sa.length; i++) v[i] = sa[i] != sb[i];
        return v;
    }
}
