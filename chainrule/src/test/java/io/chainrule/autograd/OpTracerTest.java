package io.chainrule.autograd;

import io.chainrule.OpTracer;
import io.chainrule.Tensor;
import io.chainrule.nn.BatchNorm1d;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpTracerTest {
    /** Records what it hears; does tensor work of its own, which must not be reported back. */
    static final class Recorder implements OpTracer.Listener {
        final List<String> names = new ArrayList<>();
        final List<Map<String, Object>> attributes = new ArrayList<>();
        final List<Tensor[]> inputs = new ArrayList<>();

        @Override
        public void op(String name, Tensor[] in, Tensor output, Map<String, Object> attrs) {
            names.add(name);
            inputs.add(in);
            attributes.add(new java.util.LinkedHashMap<>(attrs));
            output.detach().add(1.0); // the listener's own op: not traced
        }

        @Override
        public void annotate(Tensor output, Map<String, Object> attrs) {
            attributes.get(attributes.size() - 1).putAll(attrs);
        }
    }

    @Test
    void hearsEveryOpWithAttributesEvenWithoutGradients() {
        Recorder r = new Recorder();
        Tensor x = Tensor.randn(2, 3);
        try (var session = OpTracer.start(r); var g = Autograd.noGrad()) {
            assertTrue(OpTracer.isTracing());
            Tensor y = x.mul(2.0).softmax(1).transpose(0, 1);
            x.gt(0).where(y.t(), x);
        }
        assertEquals(List.of("MulBackward0", "SoftmaxBackward0", "TransposeBackward0", "Compare", "TransposeBackward0",
                "WhereBackward0"), r.names);
        assertEquals(1, r.attributes.get(1).get("dim"));
        assertEquals(Map.of("dim0", 0, "dim1", 1), r.attributes.get(2));
        assertEquals("GT", r.attributes.get(3).get("op"));
        assertTrue(r.attributes.get(5).get("condition") instanceof Tensor);
        assertSame(x, r.inputs.get(0)[0]);
        assertFalse(OpTracer.isTracing(), "closing the session stops the trace");
        x.add(1.0);
        assertEquals(6, r.names.size());
    }

    @Test
    void aLayerReportsItselfWholeAfterItsParts() {
        Recorder r = new Recorder();
        BatchNorm1d bn = new BatchNorm1d(3);
        bn.eval();
        try (var session = OpTracer.start(r)) {
            bn.forward(Tensor.randn(4, 3));
        }
        int last = r.names.size() - 1;
        assertEquals("NativeBatchNormBackward0", r.names.get(last));
        assertEquals(5, r.inputs.get(last).length);
        assertEquals(1e-5, (double) r.attributes.get(last).get("eps"), 0);
    }

    @Test
    void sessionsNestAndRestore() {
        Recorder outer = new Recorder(), inner = new Recorder();
        try (var a = OpTracer.start(outer)) {
            try (var b = OpTracer.start(inner)) {
                Tensor.ones(2).neg();
            }
            Tensor.ones(2).exp();
        }
        assertEquals(List.of("NegBackward0"), inner.names);
        assertEquals(List.of("ExpBackward0"), outer.names);
    }
}
