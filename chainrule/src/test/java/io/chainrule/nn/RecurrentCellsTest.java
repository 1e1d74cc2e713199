package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RNNCell, LSTMCell, GRUCell: names, shapes, one step against the reference, gradients. */
class RecurrentCellsTest {
    static RecurrentCell make(String kind, int in, int hidden) {
        return switch (kind) {
            case "tanh" -> new RNNCell(in, hidden);
            case "relu" -> new RNNCell(in, hidden, "relu");
            case "lstm" -> new LSTMCell(in, hidden);
            case "gru" -> new GRUCell(in, hidden);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Test
    void parameterNamesAndShapes() {
        int[][] expected = {{4, 3}, {4, 4}, {4}, {4}};
        check(new RNNCell(3, 4), 1, expected);
        check(new LSTMCell(3, 4), 4, expected);
        check(new GRUCell(3, 4), 3, expected);
    }

    private static void check(Module m, int gates, int[][] shapes) {
        Map<String, Tensor> p = m.namedParameters();
        assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"), new ArrayList<>(p.keySet()));
        int i = 0;
        for (Tensor t : p.values()) {
            int[] s = shapes[i++].clone();
            s[0] *= gates;
            assertArrayEquals(s, t.shape());
            assertTrue(t.abs().max().item() <= 0.5); // 1/sqrt(4)
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "relu", "lstm", "gru"})
    void oneStepMatchesReference(String kind) {
        Tensor.manualSeed(kind.hashCode());
        RecurrentCell cell = make(kind, 3, 4);
        cell.to(DType.FLOAT64);
        Map<String, Tensor> p = cell.namedParameters();
        Generator g = new Generator(1);
        double[][] x = RecurrentLayersTest.random(g, 1, 2, 3)[0];
        double[][] h = RecurrentLayersTest.random(g, 1, 2, 4)[0];
        double[][] c = RecurrentLayersTest.random(g, 1, 2, 4)[0];
        double[][][] ref = RecurrentReference.step(kind, RecurrentReference.matrix(p.get("weight_ih")),
                RecurrentReference.matrix(p.get("weight_hh")), p.get("bias_ih").toDoubleArray(),
                p.get("bias_hh").toDoubleArray(), x, h, c, 4);
        boolean lstm = kind.equals("lstm");
        RecurrentOutput out = cell.forward(Tensor.of(x), new RecurrentOutput(null, Tensor.of(h), lstm ? Tensor.of(c) : null));
        assertArrayEquals(new int[] {2, 4}, out.h().shape());
        assertArrayEquals(flat(ref[0]), out.h().toDoubleArray(), 1e-12);
        assertSame(out.h(), out.output());
        if (lstm) assertArrayEquals(flat(ref[1]), out.c().toDoubleArray(), 1e-12);
        else assertNull(out.c());

        // forward(x) starts from zeros; unbatched input gives the unbatched h.
        double[][][] zero = RecurrentReference.step(kind, RecurrentReference.matrix(p.get("weight_ih")),
                RecurrentReference.matrix(p.get("weight_hh")), p.get("bias_ih").toDoubleArray(),
                p.get("bias_hh").toDoubleArray(), x, new double[2][4], new double[2][4], 4);
        assertArrayEquals(flat(zero[0]), cell.forward(Tensor.of(x)).toDoubleArray(), 1e-12);
        assertArrayEquals(flat(zero[0]), cell.forward(Tensor.of(x), null).h().toDoubleArray(), 1e-12);
        Tensor single = cell.forward(Tensor.of(x[1]));
        assertArrayEquals(new int[] {4}, single.shape());
        assertArrayEquals(zero[0][1], single.toDoubleArray(), 1e-12);
    }

    private static double[] flat(double[][] a) {
        return RecurrentReference.flatten(new double[][][] {a});
    }

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "lstm", "gru"})
    void gradCheck(String kind) {
        Tensor.manualSeed(3);
        RecurrentCell cell = make(kind, 3, 2);
        cell.to(DType.FLOAT64);
        Generator g = new Generator(2);
        Tensor x = Tensor.randn(g, 2, 3).to(DType.FLOAT64).requiresGrad(true);
        Tensor h = Tensor.randn(g, 2, 2).to(DType.FLOAT64).requiresGrad(true);
        boolean lstm = kind.equals("lstm");
        Tensor c = Tensor.randn(g, 2, 2).to(DType.FLOAT64).requiresGrad(lstm);
        assertTrue(GradCheck.check(t -> {
            RecurrentOutput r = cell.forward(t.get(0), new RecurrentOutput(null, t.get(1), lstm ? t.get(2) : null));
            return lstm ? Tensor.cat(List.of(r.h(), r.c()), 0) : r.h();
        }, List.of(x, h, c)));
    }

    @Test
    void cellLoopEqualsLayer() {
        // An LSTMCell stepped by hand over a sequence gives LSTM's output when they share weights.
        Tensor.manualSeed(6);
        LSTM layer = new LSTM(3, 4);
        LSTMCell cell = new LSTMCell(3, 4);
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        layer.namedParameters().forEach((k, v) -> state.put(k.replace("_l0", ""), v.detach()));
        cell.loadStateDict(state);
        Tensor x = Tensor.randn(5, 2, 3);
        RecurrentOutput s = null;
        List<Tensor> hs = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            s = cell.forward(x.select(0, t), s);
            hs.add(s.h());
        }
        RecurrentOutput all = layer.forward(x, null);
        assertArrayEquals(all.output().toFloatArray(), Tensor.stack(hs, 0).toFloatArray(), 1e-6f);
        assertArrayEquals(all.c().select(0, 0).toFloatArray(), s.c().toFloatArray(), 1e-6f);
    }

    @Test
    void badShapesAreClearErrors() {
        LSTMCell cell = new LSTMCell(3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> cell.forward(Tensor.zeros(2, 5)));
        assertTrue(e.getMessage().contains("LSTMCell") && e.getMessage().contains("[2, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cell.forward(Tensor.zeros(2, 3), new RecurrentOutput(null, Tensor.zeros(3, 4), null)));
        assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("[3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new GRUCell(3, 4).forward(Tensor.zeros(2, 3), new RecurrentOutput(null, null, Tensor.zeros(2, 4))));
        assertTrue(e.getMessage().contains("GRUCell"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RNNCell(3, 4, "gelu"));
    }
}
