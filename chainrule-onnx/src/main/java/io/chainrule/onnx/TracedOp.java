package io.chainrule.onnx;

import io.chainrule.Tensor;

import java.util.Map;

/**
 * One op heard while tracing a forward pass: its node name ({@code AddBackward0}), tensor inputs (entries may be
 * null), output, attributes, and the module path it ran in ({@code features.3}; "" for the model itself).
 */
record TracedOp(int index, String name, Tensor[] inputs, Tensor output, Map<String, Object> attributes, String module) {

    /** Attribute {@code key}, which the op must have reported. */
    Object attribute(String key) {
        Object v = attributes.get(key);
        if (v == null) {
            throw new IllegalStateException("ONNX export: op " + name + " did not report its attribute '" + key + "'");
        }
        return v;
    }

    int intAttribute(String key) {
        return ((Number) attribute(key)).intValue();
    }

    double doubleAttribute(String key) {
        return ((Number) attribute(key)).doubleValue();
    }

    int[] intsAttribute(String key) {
        return (int[]) attribute(key);
    }

    /** Where the op ran, as an error message says it. */
    String where() {
        return module.isEmpty() ? "the model's own forward" : "module '" + module + "'";
    }
}
