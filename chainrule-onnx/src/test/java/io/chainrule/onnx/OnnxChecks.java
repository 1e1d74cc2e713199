package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.chainrule.nn.Module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The structural part of ONNX's checker, in Java (onnx.checker is Python-only): versions, topological order (every
 * node input made by an earlier node, an initializer or the graph input), single assignment of every name, the
 * initializers exactly the model's state dict, and the graph's input and output with a symbolic batch.
 */
final class OnnxChecks {
    private OnnxChecks() {}

    static ModelProto check(Path file, Module model) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(8, m.getIrVersion(), "IR version");
        assertEquals(1, m.getOpsetImportCount());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(17, m.getOpsetImport(0).getVersion(), "opset");
        GraphProto g = m.getGraph();
        List<String> initializers = new ArrayList<>();
        for (TensorProto t : g.getInitializerList()) initializers.add(t.getName());
        assertEquals(new ArrayList<>(model.stateDict().keySet()), initializers, "initializers are the state dict, in order");
        Set<String> defined = new HashSet<>(initializers);
        assertEquals(1, g.getInputCount());
        assertEquals(1, g.getOutputCount());
        checkBatched(g.getInput(0), "input");
        checkBatched(g.getOutput(0), "output");
        assertTrue(defined.add("input"), "the input is not also an initializer");
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                assertTrue(in.isEmpty() || defined.contains(in), "node " + n.getName() + " (" + n.getOpType() + ") reads '" + in
                        + "' before anything defines it");
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) assertTrue(defined.add(out), "'" + out + "' is assigned twice (node " + n.getName() + ")");
            }
        }
        assertTrue(defined.contains("output"), "some node makes the output");
        return m;
    }

    private static void checkBatched(ValueInfoProto v, String name) {
        assertEquals(name, v.getName());
        assertTrue(v.getType().getTensorType().getShape().getDimCount() >= 1, name + " has a batch dimension");
        assertEquals("batch", v.getType().getTensorType().getShape().getDim(0).getDimParam(), name + "'s dim 0 is symbolic");
    }
}
