package io.chainrule;

import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NnOps#lstm}: its forward against the recurrence written in plain tensor ops, and its two backwards (fused,
 * and in tensor ops for gradients of gradients) against each other. GradCheck covers the fused one and gradGradCheck
 * the second derivatives ({@code OpGradCheckTest}), but only this comparison shows the tensor-op backward's first
 * derivatives are right.
 */
class LstmOpTest {
    private static final int SEQ = 4, BATCH = 3, IN = 5, HIDDEN = 6;

    /** x, h0, c0, W_ih, W_hh, b_ih, b_hh, each requiring grad. */
    private static List<Tensor> inputs(DType type, long seed) {
        Generator g = new Generator(seed);
        int[][] shapes = {{SEQ, BATCH, IN}, {BATCH, HIDDEN}, {BATCH, HIDDEN}, {4 * HIDDEN, IN}, {4 * HIDDEN, HIDDEN},
                {4 * HIDDEN}, {4 * HIDDEN}};
        List<Tensor> xs = new ArrayList<>();
        for (int[] s : shapes) xs.add(Tensor.randn(g, s).mul(0.7).to(type).requiresGrad(true));
        return xs;
    }

    private static Tensor lstm(List<Tensor> t) {
        return NnOps.lstm(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6));
    }

    /** The recurrence step by step in tensor ops: h after each step, then the last c. */
    private static Tensor reference(List<Tensor> t) {
        Tensor h = t.get(1), c = t.get(2);
        List<Tensor> rows = new ArrayList<>();
        for (int s = 0; s < SEQ; s++) {
            Tensor gates = t.get(0).select(0, s).matmul(t.get(3).t()).add(h.matmul(t.get(4).t())).add(t.get(5)).add(t.get(6));
            Tensor i = gates.narrow(1, 0, HIDDEN).sigmoid(), f = gates.narrow(1, HIDDEN, HIDDEN).sigmoid();
            Tensor g = gates.narrow(1, 2 * HIDDEN, HIDDEN).tanh(), o = gates.narrow(1, 3 * HIDDEN, HIDDEN).sigmoid();
            c = f.mul(c).add(i.mul(g));
            h = o.mul(c.tanh());
            rows.add(h);
        }
        rows.add(c);
        return Tensor.stack(rows, 0);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int k = 0; k < e.length; k++) {
            assertEquals(e[k], a[k], tol * (1 + Math.abs(e[k])), what + " element " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void forwardIsTheRecurrence(String dtype) {
        DType type = dtype.equals("float32") ? DType.FLOAT32 : DType.FLOAT64;
        List<Tensor> t = inputs(type, 1);
        Tensor y = lstm(t);
        assertArrayEquals(new int[] {SEQ + 1, BATCH, HIDDEN}, y.shape());
        assertEquals(type, y.dtype());
        assertClose(reference(t), y, type == DType.FLOAT32 ? 1e-6 : 1e-14, "output");
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void fusedBackwardEqualsTheBackwardInTensorOps(String dtype) {
        DType type = dtype.equals("float32") ? DType.FLOAT32 : DType.FLOAT64;
        List<Tensor> t = inputs(type, 2);
        Tensor v = Tensor.randn(new Generator(3), SEQ + 1, BATCH, HIDDEN).to(type);
        List<Tensor> fused = Autograd.grad(List.of(lstm(t)), t, List.of(v), false, false);
        List<Tensor> inOps = Autograd.grad(List.of(lstm(t)), t, List.of(v), false, true);
        List<Tensor> composed = Autograd.grad(List.of(reference(t)), t, List.of(v), false, false);
        double tol = type == DType.FLOAT32 ? 1e-5 : 1e-13;
        for (int k = 0; k < t.size(); k++) {
            assertTrue(inOps.get(k).requiresGrad(), "input " + k + ": the tensor-op backward is on the graph");
            assertClose(fused.get(k), inOps.get(k), tol, "input " + k);
            assertClose(composed.get(k), fused.get(k), tol, "input " + k + " against the composed recurrence");
        }
    }

    @Test
    void gradientsFollowTheInputsDtypes() {
        List<Tensor> t = inputs(DType.FLOAT64, 4);
        t.set(1, t.get(1).detach().to(DType.FLOAT32).requiresGrad(true)); // a float32 h0 with float64 weights
        Tensor y = lstm(t);
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT32, t.get(1).grad().dtype());
        assertEquals(DType.FLOAT64, t.get(4).grad().dtype());
    }

    @Test
    void anInPlaceEditOfTheOutputIsCaughtAtBackward() {
        List<Tensor> t = inputs(DType.FLOAT64, 5);
        Tensor y = lstm(t);
        Tensor loss = y.sum();
        try (var off = Autograd.noGrad()) {
            y.addi(1.0);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("LstmBackward"), e.getMessage());
    }

    @Test
    void badShapesAreClearErrors() {
        List<Tensor> t = inputs(DType.FLOAT32, 6);
        Tensor x = t.get(0), h = t.get(1), c = t.get(2), wi = t.get(3), wh = t.get(4), b = t.get(5);
        var e = assertThrows(IllegalArgumentException.class, () -> NnOps.lstm(x, h, c, wi, wh.t(), b, null));
        assertTrue(e.getMessage().contains("lstm") && e.getMessage().contains("[6, 24]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NnOps.lstm(x.select(0, 0), h, c, wi, wh, b, null));
        assertTrue(e.getMessage().contains("[3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NnOps.lstm(x.narrow(2, 0, 4), h, c, wi, wh, b, null));
        assertTrue(e.getMessage().contains("weight_ih") && e.getMessage().contains("[24, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NnOps.lstm(x, h.t(), c, wi, wh, b, null));
        assertTrue(e.getMessage().contains("h0") && e.getMessage().contains("[6, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NnOps.lstm(x, h, c, wi, wh, b.narrow(0, 0, 4), null));
        assertTrue(e.getMessage().contains("biases") && e.getMessage().contains("[4]"), e.getMessage());
    }
}
