package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layers: names and order, modes, dtype conversion, strict state dicts, init, values, printing. */
class LayersTest {
    private static Sequential mlp() {
        return new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    }

    @Test
    void sequentialNamesParametersLikePyTorch() {
        Sequential m = mlp();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(4, m.parameters().size());
        assertArrayEquals(new int[] {3, 4}, m.namedParameters().get("0.weight").shape());
        assertArrayEquals(new int[] {2}, m.namedParameters().get("2.bias").shape());
        assertSame(m.parameters().get(0), ((Linear) m.get(0)).weight());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(m.stateDict().keySet()));
        for (Tensor p : m.parameters()) assertTrue(p.requiresGrad());

        m.add(new Linear(2, 1, false));
        assertEquals(4, m.size());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "3.weight"), List.copyOf(m.namedParameters().keySet()));
        assertThrows(IllegalArgumentException.class, () -> m.get(4));
    }

    @Test
    void nestedModulesUseDottedKeys() {
        Sequential outer = new Sequential(mlp(), new Sequential(new LayerNorm(2)));
        assertEquals(List.of("0.0.weight", "0.0.bias", "0.2.weight", "0.2.bias", "1.0.weight", "1.0.bias"),
                List.copyOf(outer.namedParameters().keySet()));
    }

    @Test
    void forwardComposesTheLayers() {
        Sequential m = mlp();
        Tensor x = Tensor.randn(new Generator(1), 5, 4);
        Linear a = (Linear) m.get(0), b = (Linear) m.get(2);
        Tensor expected = x.matmul(a.weight().t()).add(a.bias()).relu().matmul(b.weight().t()).add(b.bias());
        assertArrayEquals(expected.toFloatArray(), m.forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {5, 2}, m.forward(x).shape());
    }

    @Test
    void trainAndEvalPropagate() {
        Sequential inner = new Sequential(new Dropout(0.5));
        Sequential m = new Sequential(new Linear(2, 2), inner);
        assertTrue(inner.get(0).isTraining());
        m.eval();
        assertFalse(m.isTraining());
        assertFalse(inner.isTraining());
        assertFalse(inner.get(0).isTraining());
        m.train();
        assertTrue(inner.get(0).isTraining());
    }

    @Test
    void toFloat64ConvertsEveryParameter() {
        Sequential m = mlp();
        float[] before = m.parameters().get(0).toFloatArray();
        assertSame(m, m.to(DType.FLOAT64));
        for (Tensor p : m.parameters()) {
            assertEquals(DType.FLOAT64, p.dtype());
            assertTrue(p.requiresGrad() && p.isLeaf());
        }
        double[] after = m.parameters().get(0).toDoubleArray();
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 0.0);
        Tensor y = m.forward(Tensor.randn(3, 4).to(DType.FLOAT64));
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT64, ((Linear) m.get(0)).weight().grad().dtype());
    }

    @Test
    void loadStateDictIsStrictAndListsEveryProblem() {
        Sequential m = mlp();
        Map<String, Tensor> state = new LinkedHashMap<>(mlp().stateDict());
        m.loadStateDict(state);
        assertArrayEquals(state.get("0.weight").toFloatArray(), m.namedParameters().get("0.weight").toFloatArray());

        state.remove("2.bias");
        state.put("3.weight", Tensor.zeros(1));
        state.put("0.weight", Tensor.zeros(4, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(state));
        String msg = e.getMessage();
        assertTrue(msg.contains("missing keys [2.bias]"), msg);
        assertTrue(msg.contains("unexpected keys [3.weight]"), msg);
        assertTrue(msg.contains("0.weight: checkpoint [4, 3] vs model [3, 4]"), msg);
    }

    @Test
    void linearInitFollowsPyTorchBounds() {
        Linear l = new Linear(16, 200, true, new Generator(4));
        double bound = 1 / Math.sqrt(16);
        double[] w = l.weight().toDoubleArray();
        double max = 0;
        for (double v : w) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.95 * bound, "weights within ±1/√in, reaching near it: " + max);
        double mean = 0, sq = 0;
        for (double v : w) { mean += v; sq += v * v; }
        mean /= w.length;
        // U(−b, b) has variance b²/3.
        assertEquals(0, mean, 0.01);
        assertEquals(bound * bound / 3, sq / w.length - mean * mean, 0.1 * bound * bound / 3);
        for (double v : l.bias().toDoubleArray()) assertTrue(Math.abs(v) <= bound);
        assertArrayEquals(new int[] {200, 16}, l.weight().shape());
        assertEquals(DType.FLOAT32, l.weight().dtype());

        assertNull(new Linear(3, 2, false).bias());
        assertEquals(List.of("weight"), List.copyOf(new Linear(3, 2, false).namedParameters().keySet()));
        // Same generator seed, same layer; the default generator follows manualSeed.
        assertArrayEquals(new Linear(5, 4, true, new Generator(7)).weight().toFloatArray(),
                new Linear(5, 4, true, new Generator(7)).weight().toFloatArray());
        Tensor.manualSeed(123);
        float[] first = new Linear(5, 4).weight().toFloatArray();
        Tensor.manualSeed(123);
        assertArrayEquals(first, new Linear(5, 4).weight().toFloatArray());
    }

    @Test
    void activationLayersComputeTheirFunctions() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 1});
        assertArrayEquals(new double[] {0, 0, 0, 1}, new ReLU().forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-0.02, -0.005, 0, 1}, new LeakyReLU().forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-0.4, -0.1, 0, 1}, new LeakyReLU(0.2).forward(x).toDoubleArray(), 1e-12);
        assertEquals(1 / (1 + Math.exp(2)), new Sigmoid().forward(x).get(0), 1e-12);
        assertEquals(Math.tanh(-0.5), new Tanh().forward(x).get(1), 1e-12);
        assertEquals(0.8413447460685429, new GELU().forward(x).get(3), 1e-9); // 1·Φ(1)
        assertSame(x, new Identity().forward(x));

        Tensor rows = Tensor.of(new double[][] {{1, 2, 3}, {0, 0, 0}});
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, new Softmax(1).forward(rows).select(0, 1).toDoubleArray(), 1e-12);
        assertEquals(-0.4076059644443806, new LogSoftmax(1).forward(rows).get(0, 2), 1e-12);
        assertEquals(Math.E / (Math.E + 1), new Softmax(0).forward(rows).get(0, 0), 1e-12);
    }

    @Test
    void flattenKeepsTheBatchDimension() {
        Tensor x = Tensor.zeros(2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 60}, new Flatten().forward(x).shape());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
    }

    @Test
    void layerNormNormalisesTheLastDimension() {
        LayerNorm ln = new LayerNorm(3);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.namedParameters().keySet()));
        Tensor x = Tensor.of(new double[][] {{1, 2, 4}, {3, 3, 3}});
        Tensor y = ln.forward(x);
        assertArrayEquals(new double[] {-1.0690415314502977, -0.26726038286257453, 1.3363019143128718, 0, 0, 0},
                y.toDoubleArray(), 1e-7);
        try (var g = io.chainrule.autograd.Autograd.noGrad()) {
            ln.namedParameters().get("weight").fill(2);
            ln.namedParameters().get("bias").fill(1);
        }
        assertEquals(2 * -1.0690415314502977 + 1, ln.forward(x).get(0, 0), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(2, 4)));
    }

    @Test
    void dropoutScalesInTrainingAndIsIdentityInEval() {
        Dropout drop = new Dropout(0.25, new Generator(2));
        Tensor x = Tensor.ones(DType.FLOAT64, 20000);
        double[] y = drop.forward(x).toDoubleArray();
        int zeros = 0;
        double sum = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.75, v, 1e-12);
            sum += v;
        }
        assertEquals(0.25, zeros / 20000.0, 0.015);
        assertEquals(1.0, sum / 20000, 0.02); // the expectation is kept
        drop.eval();
        assertSame(x, drop.forward(x));
        assertSame(x, F.dropout(x, 0.5, false));
        assertArrayEquals(new double[20000], F.dropout(x, 1.0, true).toDoubleArray());
        assertSame(x, F.dropout(x, 0.0, true));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        // Gradient: the same mask scaled.
        Tensor w = Tensor.ones(DType.FLOAT64, 8).requiresGrad(true);
        Tensor out = F.dropout(w, 0.5, true, new Generator(3));
        out.sum().backward();
        assertArrayEquals(out.toDoubleArray(), w.grad().toDoubleArray(), 0.0);
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("Linear(in_features=4, out_features=3, bias=True)", new Linear(4, 3).toString());
        assertEquals("Sequential(\n  (0): Linear(in_features=4, out_features=3, bias=True)\n  (1): ReLU()\n"
                + "  (2): Linear(in_features=3, out_features=2, bias=True)\n)", mlp().toString());
        assertEquals("LeakyReLU(negative_slope=0.01)", new LeakyReLU().toString());
        assertEquals("Dropout(p=0.5, inplace=False)", new Dropout(0.5).toString());
        assertEquals("Linear(in_features=4, out_features=3, bias=False)", new Linear(4, 3, false).toString());
        assertEquals("LayerNorm((8,), eps=1e-05, elementwise_affine=True)", new LayerNorm(8).toString());
        assertEquals("Softmax(dim=1)", new Softmax(1).toString());
        assertEquals("LogSoftmax(dim=-1)", new LogSoftmax(-1).toString());
        assertEquals("Flatten(start_dim=1, end_dim=-1)", new Flatten().toString());
        assertEquals("GELU(approximate='none')", new GELU().toString());
    }

    @Test
    void linearRejectsMismatchedInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Linear(4, 3).forward(Tensor.zeros(2, 5)));
        assertTrue(e.getMessage().contains("[2, 5]") && e.getMessage().contains("[3, 4]"), e.getMessage());
        assertNotEquals(0, new Linear(4, 3).forward(Tensor.ones(4)).numel()); // 1-D input works, as in PyTorch
    }
}
