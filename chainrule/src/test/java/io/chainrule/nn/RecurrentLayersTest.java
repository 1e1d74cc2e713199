package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.RecurrentCellKind;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RNN, LSTM, GRU: PyTorch's parameter names and shapes, values against a float64 reference, gradients. */
class RecurrentLayersTest {
    static RecurrentLayer make(String kind, int in, int hidden, int layers, boolean batchFirst) {
        return switch (kind) {
            case "tanh" -> new RNN(in, hidden, layers, batchFirst);
            case "relu" -> new RNN(in, hidden, layers, batchFirst, "relu");
            case "lstm" -> new LSTM(in, hidden, layers, batchFirst);
            case "gru" -> new GRU(in, hidden, layers, batchFirst);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static double[][][] random(Generator g, int d0, int d1, int d2) {
        double[] flat = new double[d0 * d1 * d2];
        g.fillNormal(flat);
        return RecurrentReference.nest(flat, d0, d1, d2);
    }

    static Tensor tensor(double[][][] a) {
        return Tensor.of(RecurrentReference.flatten(a), a.length, a[0].length, a[0][0].length);
    }

    // ------------------------------------------------------------------------------------------ names and shapes

    @Test
    void parameterNamesAndShapesArePyTorchs() {
        assertShapes(new RNN(3, 5, 2, false), 1, 3, 5);
        assertShapes(new LSTM(3, 5, 2, true), 4, 3, 5);
        assertShapes(new GRU(3, 5, 2, false), 3, 3, 5);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                new ArrayList<>(new LSTM(2, 4).namedParameters().keySet()));
    }

    private static void assertShapes(Module m, int gates, int in, int hidden) {
        Map<String, Tensor> p = m.namedParameters();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), new ArrayList<>(p.keySet()));
        int g = gates * hidden;
        assertArrayEquals(new int[] {g, in}, p.get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {g, hidden}, p.get("weight_hh_l0").shape());
        assertArrayEquals(new int[] {g}, p.get("bias_ih_l0").shape());
        assertArrayEquals(new int[] {g}, p.get("bias_hh_l0").shape());
        assertArrayEquals(new int[] {g, hidden}, p.get("weight_ih_l1").shape());
        assertArrayEquals(new int[] {g, hidden}, p.get("weight_hh_l1").shape());
        assertArrayEquals(new int[] {g}, p.get("bias_hh_l1").shape());
        double bound = 1 / Math.sqrt(hidden);
        for (Tensor t : p.values()) {
            assertTrue(t.requiresGrad());
            assertTrue(t.abs().max().item() <= bound, "init within ±1/sqrt(hidden)");
        }
        // U(-k, k): with 2·gates·hidden² values or more, some lie in the outer half of the range on each side
        Tensor w = p.get("weight_hh_l0");
        assertTrue(w.max().item() > bound / 2 && w.min().item() < -bound / 2);
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("LSTM(3, 5, num_layers=2, batch_first=True)", new LSTM(3, 5, 2, true).toString());
        assertEquals("RNN(3, 5)", new RNN(3, 5, 1, false, "relu").toString()); // PyTorch omits the nonlinearity here
        assertEquals("RNNCell(3, 5, nonlinearity=relu)", new RNNCell(3, 5, "relu").toString());
        assertEquals("LSTMCell(3, 5)", new LSTMCell(3, 5).toString());
        assertEquals("GRU(3, 5)", new GRU(3, 5).toString());
    }

    // ------------------------------------------------------------------------------------ values vs the reference

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "relu", "lstm", "gru"})
    void forwardMatchesReference(String kind) {
        // seq 11 spans two projection chunks (8 + 3), seq 17 ends on a one-step chunk; seq 1 is a single step.
        for (int seq : new int[] {11, 17, 1}) {
            for (boolean batchFirst : new boolean[] {false, true}) {
                for (boolean withState : new boolean[] {false, true}) {
                    checkAgainstReference(kind, seq, batchFirst, withState);
                }
            }
        }
    }

    private static void checkAgainstReference(String kind, int seq, boolean batchFirst, boolean withState) {
        int batch = 3, in = 4, hidden = 5, layers = 2;
        Tensor.manualSeed(seq * 10L + (batchFirst ? 1 : 0));
        RecurrentLayer m = make(kind, in, hidden, layers, batchFirst);
        m.to(DType.FLOAT64);
        Generator g = new Generator(7);
        double[][][] x = random(g, seq, batch, in);
        double[][][] h0 = withState ? random(g, layers, batch, hidden) : null;
        double[][][] c0 = withState && kind.equals("lstm") ? random(g, layers, batch, hidden) : null;
        RecurrentReference.Result ref = RecurrentReference.run(kind, m.namedParameters(), layers, hidden, x, h0, c0);

        Tensor xt = tensor(batchFirst ? RecurrentReference.swap01(x) : x);
        RecurrentOutput state = withState ? new RecurrentOutput(null, tensor(h0), c0 == null ? null : tensor(c0)) : null;
        RecurrentOutput out = m.forward(xt, state);
        String where = kind + " seq=" + seq + " batchFirst=" + batchFirst + " state=" + withState;

        int[] outShape = batchFirst ? new int[] {batch, seq, hidden} : new int[] {seq, batch, hidden};
        assertArrayEquals(outShape, out.output().shape(), where);
        assertArrayEquals(new int[] {layers, batch, hidden}, out.h().shape(), where);
        double[][][] expectedOut = batchFirst ? RecurrentReference.swap01(ref.output()) : ref.output();
        assertArrayEquals(RecurrentReference.flatten(expectedOut), out.output().toDoubleArray(), 1e-12, where);
        assertArrayEquals(RecurrentReference.flatten(ref.h()), out.h().toDoubleArray(), 1e-12, where);
        if (kind.equals("lstm")) {
            assertArrayEquals(new int[] {layers, batch, hidden}, out.c().shape(), where);
            assertArrayEquals(RecurrentReference.flatten(ref.c()), out.c().toDoubleArray(), 1e-12, where);
        } else {
            assertNull(out.c(), where);
        }
        // The final h of the top layer is the last output step.
        Tensor last = batchFirst ? out.output().select(1, seq - 1) : out.output().select(0, seq - 1);
        assertArrayEquals(last.toDoubleArray(), out.h().select(0, layers - 1).toDoubleArray(), 0.0, where);
        // forward(x) is the output of forward(x, null).
        if (!withState) assertArrayEquals(out.output().toDoubleArray(), m.forward(xt).toDoubleArray(), 0.0, where);
    }

    @Test
    void float32ModuleMatchesReference() {
        Tensor.manualSeed(3);
        LSTM m = new LSTM(4, 6);
        double[][][] x = random(new Generator(1), 9, 2, 4);
        RecurrentReference.Result ref = RecurrentReference.run("lstm", m.namedParameters(), 1, 6, x, null, null);
        Tensor out = m.forward(tensor(x).to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, out.dtype());
        assertArrayEquals(RecurrentReference.flatten(ref.output()), out.toDoubleArray(), 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "lstm", "gru"})
    void unbatchedInputIsBatchOfOne(String kind) {
        Tensor.manualSeed(5);
        RecurrentLayer m = make(kind, 3, 4, 2, true);
        Tensor x = Tensor.randn(6, 3);
        Tensor h0 = Tensor.randn(2, 4), c0 = kind.equals("lstm") ? Tensor.randn(2, 4) : null;
        RecurrentOutput single = m.forward(x, new RecurrentOutput(null, h0, c0));
        RecurrentOutput batched = m.forward(x.unsqueeze(0),
                new RecurrentOutput(null, h0.unsqueeze(1), c0 == null ? null : c0.unsqueeze(1)));
        assertArrayEquals(new int[] {6, 4}, single.output().shape());
        assertArrayEquals(new int[] {2, 4}, single.h().shape());
        assertArrayEquals(batched.output().toFloatArray(), single.output().toFloatArray(), 1e-6f);
        assertArrayEquals(batched.h().toFloatArray(), single.h().toFloatArray(), 1e-6f);
        if (c0 != null) assertArrayEquals(batched.c().toFloatArray(), single.c().toFloatArray(), 1e-6f);
    }

    @Test
    void stateCarriesAcrossCalls() {
        // Running 5 steps then 4 from the returned state equals running all 9 at once.
        Tensor.manualSeed(11);
        LSTM m = new LSTM(3, 4, 2, false);
        Tensor x = Tensor.randn(9, 2, 3);
        RecurrentOutput all = m.forward(x, null);
        RecurrentOutput first = m.forward(x.narrow(0, 0, 5), null);
        RecurrentOutput second = m.forward(x.narrow(0, 5, 4), new RecurrentOutput(null, first.h(), first.c()));
        assertArrayEquals(all.h().toFloatArray(), second.h().toFloatArray(), 1e-6f);
        assertArrayEquals(all.c().toFloatArray(), second.c().toFloatArray(), 1e-6f);
        assertArrayEquals(all.output().narrow(0, 5, 4).toFloatArray(), second.output().toFloatArray(), 1e-6f);
    }

    // ------------------------------------------------------------------------------------------------ gradients

    /** Output, h and c flattened into one vector, so GradCheck covers every Jacobian block. */
    private static Tensor flat(RecurrentOutput r) {
        List<Tensor> parts = new ArrayList<>(List.of(r.output().reshape(-1), r.h().reshape(-1)));
        if (r.c() != null) parts.add(r.c().reshape(-1));
        return Tensor.cat(parts, 0);
    }

    private static RecurrentCellKind kindOf(String kind) {
        return switch (kind) {
            case "tanh" -> RecurrentCellKind.RNN_TANH;
            case "relu" -> RecurrentCellKind.RNN_RELU;
            case "lstm" -> RecurrentCellKind.LSTM;
            default -> RecurrentCellKind.GRU;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "relu", "lstm", "gru"})
    void gradCheckInputStateAndParameters(String kind) {
        int seq = 3, batch = 2, in = 3, hidden = 2, layers = 2;
        for (boolean batchFirst : new boolean[] {false, true}) {
            Tensor.manualSeed(21);
            RecurrentLayer m = make(kind, in, hidden, layers, batchFirst);
            m.to(DType.FLOAT64);
            Map<String, Tensor> p = m.namedParameters();
            Generator g = new Generator(4);
            // Shift away from 0 so relu's kink is not straddled by the finite differences.
            Tensor x = Tensor.randn(g, batchFirst ? batch : seq, batchFirst ? seq : batch, in).to(DType.FLOAT64)
                    .add(kind.equals("relu") ? 0.5 : 0.0).requiresGrad(true);
            Tensor h0 = Tensor.randn(g, layers, batch, hidden).to(DType.FLOAT64).mul(0.5).requiresGrad(true);
            boolean lstm = kind.equals("lstm");
            Tensor c0 = Tensor.randn(g, layers, batch, hidden).to(DType.FLOAT64).requiresGrad(lstm);
            List<Tensor> inputs = new ArrayList<>(List.of(x, h0, c0));
            List<String> names = new ArrayList<>(p.keySet());
            for (String name : names) inputs.add(p.get(name).detach().requiresGrad(name.equals("weight_hh_l0")
                    || name.equals("weight_ih_l1") || name.equals("bias_hh_l1")));
            GradCheck.check(t -> {
                List<Recurrence.Weights> w = new ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    w.add(new Recurrence.Weights(t.get(3 + 4 * l), t.get(4 + 4 * l), t.get(5 + 4 * l), t.get(6 + 4 * l)));
                }
                RecurrentOutput state = new RecurrentOutput(null, t.get(1), lstm ? t.get(2) : null);
                return flat(Recurrence.run(kindOf(kind), w, in, hidden, batchFirst, t.get(0), state));
            }, inputs);
            // The module's own forward, with its parameters held fixed.
            GradCheck.check(t -> flat(m.forward(t.get(0), new RecurrentOutput(null, t.get(1), lstm ? t.get(2) : null))),
                    List.of(x, h0, c0));
        }
    }

    @Test
    void parameterGradientsReachEveryLayer() {
        Tensor.manualSeed(2);
        GRU m = new GRU(3, 4, 2, true);
        m.forward(Tensor.randn(2, 5, 3)).square().sum().backward();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            Tensor grad = e.getValue().grad();
            assertArrayEquals(e.getValue().shape(), grad.shape(), e.getKey());
            assertTrue(grad.abs().sum().item() > 0, e.getKey());
        }
    }

    @Test
    void secondDerivativesOfLstm() {
        Tensor.manualSeed(8);
        LSTM m = new LSTM(2, 2);
        m.to(DType.FLOAT64);
        Generator g = new Generator(9);
        Tensor x = Tensor.randn(g, 3, 1, 2).to(DType.FLOAT64).requiresGrad(true);
        Tensor h0 = Tensor.randn(g, 1, 1, 2).to(DType.FLOAT64).requiresGrad(true);
        Tensor c0 = Tensor.randn(g, 1, 1, 2).to(DType.FLOAT64).requiresGrad(true);
        Tensor v = Tensor.randn(g, 10).to(DType.FLOAT64);
        // The gradient of <v, f(x, h0, c0)>, itself checked against finite differences: second derivatives of every
        // op in the step. (Grad mode is switched on inside, since GradCheck's perturbed passes may run without it.)
        assertTrue(GradCheck.check(t -> {
            try (var on = Autograd.enableGrad()) {
                Tensor out = flat(m.forward(t.get(0), new RecurrentOutput(null, t.get(1), t.get(2))));
                List<Tensor> grads = Autograd.grad(List.of(out), t, List.of(v), true, true);
                List<Tensor> parts = new ArrayList<>();
                for (Tensor gr : grads) parts.add(gr.reshape(-1));
                return Tensor.cat(parts, 0);
            }
        }, List.of(x, h0, c0)));
    }

    // --------------------------------------------------------------------------------------------------- errors

    @Test
    void badShapesAndArgumentsAreClearErrors() {
        LSTM lstm = new LSTM(3, 4, 2, false);
        var e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 7)));
        assertTrue(e.getMessage().contains("LSTM") && e.getMessage().contains("[5, 2, 7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(1, 5, 2, 3)));
        assertTrue(e.getMessage().contains("[1, 5, 2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> lstm.forward(Tensor.zeros(5, 2, 3), new RecurrentOutput(null, Tensor.zeros(1, 2, 4), null)));
        assertTrue(e.getMessage().contains("LSTM") && e.getMessage().contains("[2, 2, 4]")
                && e.getMessage().contains("[1, 2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> lstm.forward(Tensor.zeros(5, 2, 3), new RecurrentOutput(null, null, Tensor.zeros(2, 3, 4))));
        assertTrue(e.getMessage().contains("c of shape") || e.getMessage().contains("expected c"), e.getMessage());
        GRU gru = new GRU(3, 4);
        e = assertThrows(IllegalArgumentException.class,
                () -> gru.forward(Tensor.zeros(5, 2, 3), new RecurrentOutput(null, null, Tensor.zeros(1, 2, 4))));
        assertTrue(e.getMessage().contains("GRU") && e.getMessage().contains("cell state"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RNN(3, 4, 1, false, "sigmoid"));
        assertTrue(e.getMessage().contains("sigmoid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RNN(3, 4, 1, false, null));
        assertThrows(IllegalArgumentException.class, () -> new LSTM(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4, 0, false));
        assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(0, 2, 3)));
        // batch_first: the message shows the expected layout
        e = assertThrows(IllegalArgumentException.class, () -> new RNN(3, 4, 1, true).forward(Tensor.zeros(2, 5, 4)));
        assertTrue(e.getMessage().contains("[batch, seq, 3]"), e.getMessage());
    }

    @Test
    void nullStateIsAcceptedWithoutCast() {
        // forward(x, null) must compile without a cast: there is one two-argument forward.
        RecurrentOutput out = new RNN(2, 3).forward(Tensor.ones(4, 1, 2), null);
        assertArrayEquals(new int[] {1, 1, 3}, out.h().shape());
        assertTrue(Arrays.stream(out.output().toDoubleArray()).allMatch(v -> Math.abs(v) < 1));
    }
}
