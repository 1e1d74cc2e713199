package io.chainrule.cli.demo;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.nn.F;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-derived recurrences agree with autograd (float64, same weights) to 1e-10. */
class ManualMlpTest {
    private static final double TOL = 1e-10;

    private static double[][] randomMatrix(Generator g, int rows, int cols) {
        double[][] a = new double[rows][cols];
        for (double[] row : a) for (int j = 0; j < cols; j++) row[j] = g.nextGaussian();
        return a;
    }

    private static Tensor t(double[][] a) {
        return Tensor.of(a);
    }

    private static void assertMatrix(double[][] expected, Tensor actual, String what) {
        double[] flat = actual.toDoubleArray();
        int cols = expected[0].length;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < cols; j++) assertEquals(flat[i * cols + j], expected[i][j], TOL, what + " [" + i + "][" + j + "]");
        }
    }

    /** Runs the same network through Tensor ops and backward; checks every manual gradient. */
    private static void compare(ManualMlp.Objective objective, boolean biases, int... sizes) {
        Generator g = new Generator(sizes.length * 31L + (biases ? 1 : 0) + objective.ordinal() * 7L);
        ManualMlp net = ManualMlp.random(objective, biases, g, sizes);
        int m = 6;
        double[][] x = randomMatrix(g, m, sizes[0]);
        int outputs = sizes[sizes.length - 1];
        int[] labels = new int[m];
        double[][] targets = new double[m][outputs];
        for (int r = 0; r < m; r++) {
            labels[r] = g.nextInt(outputs);
            for (int k = 0; k < outputs; k++) targets[r][k] = g.nextDouble();
        }
        ManualMlp.Gradients manual = objective == ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY
                ? net.backward(x, labels) : net.backward(x, targets);

        int layers = sizes.length - 1;
        List<Tensor> w = new ArrayList<>(), b = new ArrayList<>(), pre = new ArrayList<>(), z = new ArrayList<>();
        Tensor h = t(x).requiresGrad(true);
        z.add(h);
        for (int i = 0; i < layers; i++) {
            w.add(t(net.weight(i)).requiresGrad(true));
            Tensor a = h.matmul(w.get(i));
            if (biases) {
                b.add(Tensor.of(net.bias(i)).requiresGrad(true));
                a = a.add(b.get(i));
            }
            a.retainGrad();
            pre.add(a);
            boolean last = i == layers - 1;
            h = objective == ManualMlp.Objective.SIGMOID_SQUARED_ERROR ? a.sigmoid() : last ? a : a.relu();
            if (!last) h.retainGrad();
            z.add(h);
        }
        Tensor loss = objective == ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY
                ? F.crossEntropy(h, Tensor.of(java.util.Arrays.stream(labels).asLongStream().toArray()))
                : h.sub(t(targets)).square().sum().mul(0.5 / m);
        h.retainGrad();
        loss.backward();

        assertEquals(loss.item(), manual.loss(), TOL, "loss");
        for (int i = 0; i < layers; i++) {
            assertMatrix(manual.weightGrads().get(i), w.get(i).grad(), "dW" + i);
            assertMatrix(manual.deltas().get(i), pre.get(i).grad(), "delta" + i);
            if (biases) {
                double[] gb = b.get(i).grad().toDoubleArray();
                for (int k = 0; k < gb.length; k++) assertEquals(gb[k], manual.biasGrads().get(i)[k], TOL, "db" + i);
            }
        }
        for (int i = 0; i <= layers; i++) assertMatrix(manual.activationGrads().get(i), z.get(i).grad(), "G" + i);
        if (!biases) assertNull(manual.biasGrads());
    }

    @Test
    void softmaxCrossEntropyRecurrenceMatchesAutograd() {
        compare(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, 4, 3);            // one layer: G_L only
        compare(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, 4, 5, 3);         // 2 layers
        compare(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, 4, 6, 5, 3);      // 3 layers
        compare(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, 3, 7, 6, 5, 4, 2); // 5 layers
        compare(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, true, 3, 7, 6, 5, 4, 2);
    }

    @Test
    void sigmoidDeltaRuleMatchesAutograd() {
        compare(ManualMlp.Objective.SIGMOID_SQUARED_ERROR, false, 4, 5, 3);
        compare(ManualMlp.Objective.SIGMOID_SQUARED_ERROR, false, 4, 6, 5, 3);
        compare(ManualMlp.Objective.SIGMOID_SQUARED_ERROR, false, 3, 7, 6, 5, 4, 2);
        compare(ManualMlp.Objective.SIGMOID_SQUARED_ERROR, true, 3, 7, 6, 5, 4, 2);
    }

    @Test
    void probabilityTargetsEqualLabelsWhenOneHot() {
        ManualMlp net = ManualMlp.random(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, true, new Generator(1), 2, 4, 3);
        double[][] x = {{1, 2}, {-1, 0.5}};
        ManualMlp.Gradients a = net.backward(x, new int[] {2, 0});
        ManualMlp.Gradients b = net.backward(x, new double[][] {{0, 0, 1}, {1, 0, 0}});
        assertEquals(a.loss(), b.loss(), 1e-15);
        assertEquals(a.weightGrads().get(0)[1][2], b.weightGrads().get(0)[1][2], 1e-15);
    }

    @Test
    void stepDescendsAndTrainsXor() {
        // XOR with a 2-8-2 ReLU network: a few hundred manual steps reach zero errors.
        double[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        int[] y = {0, 1, 1, 0};
        ManualMlp net = ManualMlp.random(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, true, new Generator(3), 2, 8, 2);
        double first = net.backward(x, y).loss();
        double[][] w0 = net.weight(0);
        net.step(0.5);
        assertTrue(net.weight(0)[0][0] != w0[0][0] || net.weight(0)[1][1] != w0[1][1]);
        assertThrows(IllegalStateException.class, () -> net.step(0.5)); // gradients are consumed
        double loss = first;
        for (int i = 0; i < 500; i++) loss = net.trainStep(x, y, 0.5);
        assertTrue(loss < 0.05 * first, "loss " + first + " -> " + loss);
        assertEquals(java.util.Arrays.toString(y), java.util.Arrays.toString(net.predict(x)));
    }

    @Test
    void sigmoidNetworkLearnsWithTheDeltaRule() {
        double[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        double[][] t = {{0.1}, {0.9}, {0.9}, {0.1}};
        ManualMlp net = ManualMlp.random(ManualMlp.Objective.SIGMOID_SQUARED_ERROR, true, new Generator(8), 2, 6, 1);
        double first = net.backward(x, t).loss();
        net.step(2.0);
        double loss = first;
        for (int i = 0; i < 3000; i++) loss = net.trainStep(x, t, 2.0);
        assertTrue(loss < 0.1 * first, "loss " + first + " -> " + loss);
    }

    @Test
    void rejectsInconsistentShapes() {
        assertThrows(IllegalArgumentException.class, () -> new ManualMlp(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY,
                new double[2][3], new double[4][2]));
        ManualMlp net = ManualMlp.random(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, new Generator(1), 2, 3);
        assertThrows(IllegalArgumentException.class, () -> net.backward(new double[][] {{1, 2, 3}}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> net.backward(new double[][] {{1, 2}}, new int[] {3}));
        ManualMlp sig = ManualMlp.random(ManualMlp.Objective.SIGMOID_SQUARED_ERROR, false, new Generator(1), 2, 3);
        assertThrows(IllegalStateException.class, () -> sig.backward(new double[][] {{1, 2}}, new int[] {0}));
    }
}
