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
 * {@link LayerPrimitives#lstm}, {@link LayerPrimitives#gru} and {@link LayerPrimitives#rnn}: the forward against the recurrence written in plain
 * tensor ops, and the two backwards (fused, and in tensor ops for gradients of gradients) against each other and
 * against autograd through that plain recurrence. GradCheck covers the fused backward and gradGradCheck the second
 * derivatives ({@code OpGradCheckTest}), but only this comparison shows the tensor-op backward's first derivatives
 * are right.
 */
class RecurrentOpsTest {
    private static final int SEQ = 4, BATCH = 3, IN = 5, HIDDEN = 6;

    private static int gates(String cell) {
        return cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1;
    }

    /** x, h0, c0, W_ih, W_hh, b_ih, b_hh, each requiring grad (c0 null but for the LSTM). */
    private static List<Tensor> inputs(String cell, DType type, long seed) {
        Generator g = new Generator(seed);
        int gw = gates(cell) * HIDDEN;
        int[][] shapes = {{SEQ, BATCH, IN}, {BATCH, HIDDEN}, {BATCH, HIDDEN}, {gw, IN}, {gw, HIDDEN}, {gw}, {gw}};
        List<Tensor> xs = new ArrayList<>();
        for (int[] s : shapes) xs.add(Tensor.randn(g, s).mul(0.7).to(type).requiresGrad(true));
        if (!cell.equals("lstm")) xs.set(2, null);
        return xs;
    }

    private static Tensor op(String cell, List<Tensor> t) {
        return switch (cell) {
            case "lstm" -> LayerPrimitives.lstm(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6));
            case "gru" -> LayerPrimitives.gru(t.get(0), t.get(1), t.get(3), t.get(4), t.get(5), t.get(6));
            default -> LayerPrimitives.rnn(t.get(0), t.get(1), t.get(3), t.get(4), t.get(5), t.get(6), cell);
        };
    }

    /** The recurrence step by step in tensor ops: h after each step (then the last c, for the LSTM). */
    private static Tensor reference(String cell, List<Tensor> t) {
        Tensor h = t.get(1), c = t.get(2), wIh = t.get(3), wHh = t.get(4), bIh = t.get(5), bHh = t.get(6);
        List<Tensor> rows = new ArrayList<>();
        for (int s = 0; s < SEQ; s++) {
            Tensor gi = t.get(0).select(0, s).matmul(wIh.t()), gh = h.matmul(wHh.t());
            switch (cell) {
                case "lstm" -> {
                    Tensor gates = gi.add(gh).add(bIh.add(bHh));
                    Tensor i = gates.narrow(1, 0, HIDDEN).sigmoid(), f = gates.narrow(1, HIDDEN, HIDDEN).sigmoid();
                    Tensor g = gates.narrow(1, 2 * HIDDEN, HIDDEN).tanh(), o = gates.narrow(1, 3 * HIDDEN, HIDDEN).sigmoid();
                    c = f.mul(c).add(i.mul(g));
                    h = o.mul(c.tanh());
                }
                case "gru" -> {
                    gi = gi.add(bIh);
                    gh = gh.add(bHh);
                    Tensor r = gi.narrow(1, 0, HIDDEN).add(gh.narrow(1, 0, HIDDEN)).sigmoid();
                    Tensor z = gi.narrow(1, HIDDEN, HIDDEN).add(gh.narrow(1, HIDDEN, HIDDEN)).sigmoid();
                    Tensor n = gi.narrow(1, 2 * HIDDEN, HIDDEN).add(r.mul(gh.narrow(1, 2 * HIDDEN, HIDDEN))).tanh();
                    h = z.neg().add(1.0).mul(n).add(z.mul(h));
                }
                case "tanh" -> h = gi.add(gh).add(bIh.add(bHh)).tanh();
                default -> h = gi.add(gh).add(bIh.add(bHh)).relu();
            }
            rows.add(h);
        }
        if (c != null) rows.add(c);
        return Tensor.stack(rows, 0);
    }

    /** The inputs that take part: all but the GRU's and RNN's missing c0. */
    private static List<Tensor> present(List<Tensor> t) {
        List<Tensor> p = new ArrayList<>();
        for (Tensor x : t) if (x != null) p.add(x);
        return p;
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int k = 0; k < e.length; k++) {
            assertEquals(e[k], a[k], tol * (1 + Math.abs(e[k])), what + " element " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "tanh", "relu"})
    void forwardIsTheRecurrence(String cell) {
        for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            List<Tensor> t = inputs(cell, type, 1);
            Tensor y = op(cell, t);
            assertArrayEquals(new int[] {cell.equals("lstm") ? SEQ + 1 : SEQ, BATCH, HIDDEN}, y.shape());
            assertEquals(type, y.dtype());
            assertClose(reference(cell, t), y, type == DType.FLOAT32 ? 1e-6 : 1e-14, cell + " " + type + " output");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "tanh", "relu"})
    void fusedBackwardEqualsTheBackwardInTensorOps(String cell) {
        for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            List<Tensor> t = inputs(cell, type, 2), in = present(t);
            Tensor v = Tensor.randn(new Generator(3), op(cell, t).shape()).to(type);
            List<Tensor> fused = Autograd.grad(List.of(op(cell, t)), in, List.of(v), false, false);
            List<Tensor> inOps = Autograd.grad(List.of(op(cell, t)), in, List.of(v), false, true);
            List<Tensor> composed = Autograd.grad(List.of(reference(cell, t)), in, List.of(v), false, false);
            double tol = type == DType.FLOAT32 ? 1e-5 : 1e-13;
            for (int k = 0; k < in.size(); k++) {
                String what = cell + " " + type + " input " + k;
                assertTrue(inOps.get(k).requiresGrad(), what + ": the tensor-op backward is on the graph");
                assertClose(fused.get(k), inOps.get(k), tol, what);
                assertClose(composed.get(k), fused.get(k), tol, what + " against the composed recurrence");
            }
        }
    }

    @Test
    void gradientsFollowTheInputsDtypes() {
        List<Tensor> t = inputs("lstm", DType.FLOAT64, 4);
        t.set(1, t.get(1).detach().to(DType.FLOAT32).requiresGrad(true)); // a float32 h0 with float64 weights
        Tensor y = op("lstm", t);
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT32, t.get(1).grad().dtype());
        assertEquals(DType.FLOAT64, t.get(4).grad().dtype());
    }

    @Test
    void anInPlaceEditOfTheOutputIsCaughtAtBackward() {
        List<Tensor> t = inputs("gru", DType.FLOAT64, 5);
        Tensor y = op("gru", t);
        Tensor loss = y.sum();
        try (var off = Autograd.noGrad()) {
            y.addi(1.0);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("GruBackward"), e.getMessage());
    }

    @Test
    void badShapesAreClearErrors() {
        List<Tensor> t = inputs("lstm", DType.FLOAT32, 6);
        Tensor x = t.get(0), h = t.get(1), c = t.get(2), wi = t.get(3), wh = t.get(4), b = t.get(5);
        var e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.lstm(x, h, c, wi, wh.t(), b, null));
        assertTrue(e.getMessage().contains("lstm") && e.getMessage().contains("[6, 24]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.lstm(x.select(0, 0), h, c, wi, wh, b, null));
        assertTrue(e.getMessage().contains("[3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.lstm(x.narrow(2, 0, 4), h, c, wi, wh, b, null));
        assertTrue(e.getMessage().contains("weight_ih") && e.getMessage().contains("[24, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.lstm(x, h.t(), c, wi, wh, b, null));
        assertTrue(e.getMessage().contains("h0") && e.getMessage().contains("[6, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.lstm(x, h, c, wi, wh, b.narrow(0, 0, 4), null));
        assertTrue(e.getMessage().contains("biases") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.gru(x, h, wi, wh, b, null));
        assertTrue(e.getMessage().contains("gru") && e.getMessage().contains("3·hidden"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.rnn(x, h, wi, wh, b, null, "sigmoid"));
        assertTrue(e.getMessage().contains("sigmoid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.lstm(x, h, null, wi, wh, b, null));
    }
}
