package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every loss against hand-computed values (each reduction), stability at ±1000, gradient checks, bad input. */
class LossesTest {
    private static final double TOL = 1e-6;

    private static Tensor d(double... v) {
        return Tensor.of(v);
    }

    private static Tensor labels(long... v) {
        return Tensor.of(v);
    }

    @Test
    void composedNnOpsCarryPyTorchsNodeNames() {
        // grad_fn names PyTorch 2.x prints for the same calls; chainrule composes these of other ops
        Tensor x = Tensor.of(new float[] {0.2f, 0.7f, 0.4f, 0.9f}, 2, 2).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {0, 1, 1, 0}, 2, 2);
        assertEquals("MseLossBackward0", F.mseLoss(x, t).gradFn());
        assertEquals("MseLossBackward0", F.mseLoss(x, t, Reduction.NONE).gradFn());
        assertEquals("BinaryCrossEntropyBackward0", F.binaryCrossEntropy(x, t).gradFn());
        assertEquals("BinaryCrossEntropyWithLogitsBackward0", F.binaryCrossEntropyWithLogits(x, t, Reduction.SUM).gradFn());
        assertEquals("NativeDropoutBackward0", F.dropout(x, 0.5, true).gradFn());
        assertEquals(null, F.dropout(x, 0.5, false).gradFn(), "eval: x itself, its name untouched");
        assertEquals("NativeLayerNormBackward0", new LayerNorm(2).forward(x).gradFn());
        assertEquals("NativeBatchNormBackward0", new BatchNorm1d(2).forward(x).gradFn());
        Tensor img = Tensor.randn(new Generator(1), 1, 1, 4, 4).requiresGrad(true);
        assertEquals("AvgPool2DBackward0", F.avgPool2d(img, 2, 2, 0).gradFn());
        assertEquals("AdaptiveAvgPool2DBackward0", F.adaptiveAvgPool2d(img, 3, 3).gradFn());
        assertEquals("EmbeddingBackward0", F.embedding(Tensor.of(new long[] {1, 0}), x).gradFn());
        // only the name: the MSE gradient is still 2(x − t)/n
        F.mseLoss(x, t).backward();
        assertArrayEquals(new float[] {0.1f, -0.15f, -0.3f, 0.45f}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void mseAndL1ForEachReduction() {
        Tensor x = d(1, 2, 3), t = d(1.5, 2, 1); // differences -0.5, 0, 2
        assertEquals(4.25 / 3, F.mseLoss(x, t).item(), TOL);
        assertEquals(4.25, F.mseLoss(x, t, Reduction.SUM).item(), TOL);
        assertArrayEquals(new double[] {0.25, 0, 4}, F.mseLoss(x, t, Reduction.NONE).toDoubleArray(), TOL);
        assertEquals(2.5 / 3, F.l1Loss(x, t).item(), TOL);
        assertEquals(2.5, F.l1Loss(x, t, Reduction.SUM).item(), TOL);
        assertArrayEquals(new double[] {0.5, 0, 2}, F.l1Loss(x, t, Reduction.NONE).toDoubleArray(), TOL);
        assertEquals(4.25 / 3, new MSELoss().forward(x, t).item(), TOL);
        assertEquals(2.5, new L1Loss(Reduction.SUM).forward(x, t).item(), TOL);
    }

    @Test
    void crossEntropyMatchesPyTorch() {
        // torch.nn.functional.cross_entropy(torch.tensor([[1., 2., 3.]]), torch.tensor([2])) = 0.40760596
        Tensor one = Tensor.of(new float[][] {{1, 2, 3}});
        assertEquals(0.40760596, F.crossEntropy(one, labels(2)).item(), 1e-7);

        Tensor logits = Tensor.of(new double[][] {{1, 2, 3}, {0, 0, 0}});
        Tensor y = labels(2, 1);
        double a = 0.4076059644443806, b = Math.log(3);
        assertEquals((a + b) / 2, F.crossEntropy(logits, y).item(), 1e-12);
        assertEquals(a + b, F.crossEntropy(logits, y, Reduction.SUM).item(), 1e-12);
        assertArrayEquals(new double[] {a, b}, F.crossEntropy(logits, y, Reduction.NONE).toDoubleArray(), 1e-12);
        assertEquals((a + b) / 2, new CrossEntropyLoss().forward(logits, y).item(), 1e-12);
        // Unbatched [C] with a 0-d target.
        assertEquals(a, F.crossEntropy(d(1, 2, 3), Tensor.of(new long[] {2}).reshape()).item(), 1e-12);
    }

    @Test
    void crossEntropyWithProbabilityTargets() {
        Tensor logits = Tensor.of(new double[][] {{1, 2, 3}, {0, 0, 0}});
        Tensor probs = Tensor.of(new double[][] {{0.25, 0.25, 0.5}, {0, 1, 0}});
        double first = 1.1576059644443806, second = Math.log(3);
        assertArrayEquals(new double[] {first, second}, F.crossEntropy(logits, probs, Reduction.NONE).toDoubleArray(), 1e-12);
        assertEquals((first + second) / 2, F.crossEntropy(logits, probs).item(), 1e-12);
        // One-hot probabilities give the same loss as the class indices.
        assertEquals(F.crossEntropy(logits, labels(1, 1)).item(),
                F.crossEntropy(logits, Tensor.of(new double[][] {{0, 1, 0}, {0, 1, 0}})).item(), 1e-12);
    }

    @Test
    void crossEntropyOverExtraDimensions() {
        // [N=2, C=3, d=2]: the loss of each (n, d) position equals the 2-D loss of logits[n, :, d].
        Tensor logits = Tensor.randn(new Generator(3), 2, 3, 2).to(DType.FLOAT64);
        Tensor y = labels(0, 2, 1, 1).reshape(2, 2);
        Tensor loss = F.crossEntropy(logits, y, Reduction.NONE);
        assertArrayEquals(new int[] {2, 2}, loss.shape());
        for (int n = 0; n < 2; n++) {
            for (int k = 0; k < 2; k++) {
                Tensor row = logits.select(0, n).select(1, k).unsqueeze(0);
                double expected = F.crossEntropy(row, labels((long) y.get(n, k))).item();
                assertEquals(expected, loss.get(n, k), 1e-12);
            }
        }
        assertEquals(loss.mean().item(), F.crossEntropy(logits, y).item(), 1e-12);
    }

    @Test
    void nllLossForEachReduction() {
        Tensor logProbs = Tensor.of(new double[][] {{-0.5, -1.0}, {-2.0, -0.1}});
        Tensor y = labels(1, 0);
        assertEquals(1.5, F.nllLoss(logProbs, y).item(), 1e-12);
        assertEquals(3.0, F.nllLoss(logProbs, y, Reduction.SUM).item(), 1e-12);
        assertArrayEquals(new double[] {1.0, 2.0}, F.nllLoss(logProbs, y, Reduction.NONE).toDoubleArray(), 1e-12);
        assertEquals(1.5, new NLLLoss().forward(logProbs, y).item(), 1e-12);
        // LogSoftmax + NLLLoss = CrossEntropyLoss.
        Tensor logits = Tensor.of(new double[][] {{1, 2, 3}, {0, 0, 0}});
        assertEquals(F.crossEntropy(logits, labels(2, 1)).item(),
                new NLLLoss().forward(new LogSoftmax(1).forward(logits), labels(2, 1)).item(), 1e-12);
    }

    @Test
    void binaryCrossEntropyForEachReduction() {
        Tensor p = d(0.8, 0.3), t = d(1, 0);
        double a = -Math.log(0.8), b = -Math.log(0.7);
        assertEquals((a + b) / 2, F.binaryCrossEntropy(p, t).item(), 1e-12);
        assertEquals(a + b, F.binaryCrossEntropy(p, t, Reduction.SUM).item(), 1e-12);
        assertArrayEquals(new double[] {a, b}, F.binaryCrossEntropy(p, t, Reduction.NONE).toDoubleArray(), 1e-12);
        assertEquals(a + b, new BCELoss(Reduction.SUM).forward(p, t).item(), 1e-12);
    }

    @Test
    void binaryCrossEntropyClampsLogAtMinus100() {
        // PyTorch: binary_cross_entropy(tensor([0., 1., 0.]), tensor([1., 0., 0.]), reduction='none') = [100, 100, 0]
        for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor p = d(0, 1, 0).to(type).requiresGrad(true);
            Tensor loss = F.binaryCrossEntropy(p, d(1, 0, 0).to(type), Reduction.NONE);
            assertArrayEquals(new double[] {100, 100, 0}, loss.toDoubleArray(), 1e-4);
            loss.sum().backward();
            for (double g : p.grad().toDoubleArray()) assertTrue(Double.isFinite(g), "finite gradient for " + type);
        }
    }

    @Test
    void bceWithLogitsForEachReduction() {
        Tensor x = d(0, 2, -3), t = d(1, 0, 1);
        double[] expected = {0.6931471805599453, 2.1269280110429727, 3.048587351573742};
        assertArrayEquals(expected, F.binaryCrossEntropyWithLogits(x, t, Reduction.NONE).toDoubleArray(), 1e-12);
        assertEquals(5.86866254317666, F.binaryCrossEntropyWithLogits(x, t, Reduction.SUM).item(), 1e-12);
        assertEquals(5.86866254317666 / 3, F.binaryCrossEntropyWithLogits(x, t).item(), 1e-12);
        assertEquals(5.86866254317666 / 3, new BCEWithLogitsLoss().forward(x, t).item(), 1e-12);
        // Same as BCE on the sigmoid where the latter is accurate.
        assertEquals(F.binaryCrossEntropy(x.sigmoid(), t).item(), F.binaryCrossEntropyWithLogits(x, t).item(), 1e-12);
    }

    @Test
    void bceWithLogitsGradientIsSigmoidMinusTargetEvenAtZero() {
        Tensor x = d(0, 0, 1.5).requiresGrad(true);
        Tensor t = d(1, 0, 0.25);
        F.binaryCrossEntropyWithLogits(x, t, Reduction.SUM).backward();
        double s = 1 / (1 + Math.exp(-1.5));
        assertArrayEquals(new double[] {-0.5, 0.5, s - 0.25}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void extremeLogitsGiveFiniteLossAndGradient() {
        for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor logits = Tensor.of(new double[][] {{1000, -1000, 0}, {-1000, 1000, 1000}}).to(type).requiresGrad(true);
            Tensor loss = F.crossEntropy(logits, labels(1, 0));
            assertEquals((2000 + 2000 + Math.log(2)) / 2, loss.item(), 1e-3);
            loss.backward();
            // (softmax − one-hot) / N
            double[] expected = {0.5, -0.5, 0, -0.5, 0.25, 0.25};
            assertArrayEquals(expected, logits.grad().toDoubleArray(), 1e-6);

            Tensor z = d(1000, -1000, 1000, -1000).to(type).requiresGrad(true);
            Tensor bce = F.binaryCrossEntropyWithLogits(z, d(0, 1, 1, 0).to(type), Reduction.SUM);
            assertEquals(2000, bce.item(), 1e-3);
            bce.backward();
            assertArrayEquals(new double[] {1, -1, 0, 0}, z.grad().toDoubleArray(), 1e-6);
        }
    }

    // ------------------------------------------------------------------------------------------ gradient checks

    private static Tensor leaf(Generator g, int... shape) {
        return Tensor.randn(g, shape).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void gradCheckEveryLoss() {
        Generator g = new Generator(11);
        Tensor x = leaf(g, 3, 4), target = leaf(g, 3, 4);
        for (Reduction r : Reduction.values()) {
            assertTrue(GradCheck.check(in -> F.mseLoss(in.get(0), in.get(1), r), List.of(x, target)));
            assertTrue(GradCheck.check(in -> F.l1Loss(in.get(0), in.get(1), r), List.of(x, target)));
            assertTrue(GradCheck.check(in -> F.crossEntropy(in.get(0), labels(3, 0, 1), r), List.of(x)));
            assertTrue(GradCheck.check(in -> F.crossEntropy(in.get(0), in.get(1).softmax(1), r), List.of(x, target)));
            assertTrue(GradCheck.check(in -> F.nllLoss(in.get(0), labels(2, 2, 0), r), List.of(x)));
            Tensor probs = Tensor.rand(g, 3, 4).mul(0.9).add(0.05).to(DType.FLOAT64).requiresGrad(true);
            Tensor bits = Tensor.rand(g, 3, 4).to(DType.FLOAT64);
            assertTrue(GradCheck.check(in -> F.binaryCrossEntropy(in.get(0), in.get(1), r), List.of(probs, bits)));
            assertTrue(GradCheck.check(in -> F.binaryCrossEntropyWithLogits(in.get(0), in.get(1), r), List.of(x, bits)));
        }
        Tensor spatial = leaf(g, 2, 3, 2);
        assertTrue(GradCheck.check(in -> F.crossEntropy(in.get(0), labels(0, 2, 1, 1).reshape(2, 2)), List.of(spatial)));
        Tensor withZeros = d(0, 0, 2, -1).requiresGrad(true);
        assertTrue(GradCheck.check(in -> F.binaryCrossEntropyWithLogits(in.get(0), d(1, 0, 0.5, 1)), List.of(withZeros)));
    }

    @Test
    void secondDerivativesOfTheLosses() {
        Generator g = new Generator(5);
        Tensor x = leaf(g, 2, 3);
        assertTrue(GradCheck.gradGradCheck(in -> F.crossEntropy(in.get(0), labels(2, 0)), List.of(x)));
        // nllLoss on [N, C] is one op (NllLossBackward0): its backward must stay differentiable for both reductions
        assertTrue(GradCheck.gradGradCheck(in -> F.nllLoss(in.get(0).tanh(), labels(2, 0), Reduction.SUM), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> F.nllLoss(in.get(0).tanh(), labels(1, 1), Reduction.MEAN), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> F.binaryCrossEntropyWithLogits(in.get(0), Tensor.rand(new Generator(1), 2, 3)
                .to(DType.FLOAT64)), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> F.mseLoss(in.get(0), Tensor.zeros(DType.FLOAT64, 2, 3)), List.of(x)));
    }

    @Test
    void gradCheckEveryFunction() {
        Generator g = new Generator(12);
        Tensor x = leaf(g, 3, 4);
        Tensor w = leaf(g, 2, 4), b = leaf(g, 2);
        assertTrue(GradCheck.check(in -> F.relu(in.get(0)), List.of(x)));
        assertTrue(GradCheck.check(in -> F.leakyRelu(in.get(0), 0.1), List.of(x)));
        assertTrue(GradCheck.check(in -> F.sigmoid(in.get(0)), List.of(x)));
        assertTrue(GradCheck.check(in -> F.tanh(in.get(0)), List.of(x)));
        assertTrue(GradCheck.check(in -> F.gelu(in.get(0)), List.of(x)));
        assertTrue(GradCheck.check(in -> F.softmax(in.get(0), 1), List.of(x)));
        assertTrue(GradCheck.check(in -> F.logSoftmax(in.get(0), 0), List.of(x)));
        assertTrue(GradCheck.check(in -> F.linear(in.get(0), in.get(1), in.get(2)), List.of(x, w, b)));
        assertTrue(GradCheck.check(in -> F.linear(in.get(0), in.get(1), null), List.of(x, w)));
        // linear is one op with its own backward: batched and 1-D inputs, and its second derivatives
        Tensor x3 = leaf(g, 2, 3, 4), x1 = leaf(g, 4);
        assertTrue(GradCheck.check(in -> F.linear(in.get(0), in.get(1), in.get(2)), List.of(x3, w, b)));
        assertTrue(GradCheck.check(in -> F.linear(in.get(0), in.get(1), in.get(2)), List.of(x1, w, b)));
        assertTrue(GradCheck.gradGradCheck(in -> F.linear(in.get(0), in.get(1), in.get(2)).tanh(), List.of(x3, w, b)));
        // A fresh generator per call: every evaluation draws the same mask.
        assertTrue(GradCheck.check(in -> F.dropout(in.get(0), 0.4, true, new Generator(9)), List.of(x)));
        LayerNorm ln = new LayerNorm(4);
        assertTrue(GradCheck.check(in -> ln.forward(in.get(0)), List.of(x)));
    }

    // ---------------------------------------------------------------------------------------------- bad input

    @Test
    void mismatchedShapesAndTypesNameTheLossAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.mseLoss(Tensor.zeros(4, 1), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("mseLoss") && e.getMessage().contains("[4, 1]") && e.getMessage().contains("[4]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(4, 3), labels(0, 1, 2)));
        assertTrue(e.getMessage().contains("crossEntropy") && e.getMessage().contains("[4, 3]") && e.getMessage().contains("[3]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(2, 3), labels(0, 3)));
        assertTrue(e.getMessage().contains("out of bounds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(2, 3), Tensor.zeros(2, 2)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.nllLoss(Tensor.zeros(2, 3), Tensor.zeros(2)));
        assertTrue(e.getMessage().contains("nllLoss") && e.getMessage().contains("INT64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(d(0.5, 1.5), d(0, 1)));
        assertTrue(e.getMessage().contains("binaryCrossEntropy") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropyWithLogits(d(0.5), labels(1)));
        assertTrue(e.getMessage().contains("binaryCrossEntropyWithLogits") && e.getMessage().contains("int64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.l1Loss(labels(1, 2), d(1, 2)));
        assertTrue(e.getMessage().contains("l1Loss"), e.getMessage());
    }

    @Test
    void lossModulesRefuseOneArgumentForward() {
        for (Loss loss : List.of(new MSELoss(), new L1Loss(), new CrossEntropyLoss(), new NLLLoss(), new BCELoss(),
                new BCEWithLogitsLoss())) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> loss.forward(d(1)));
            assertTrue(e.getMessage().contains("forward(input, target)"), e.getMessage());
            assertEquals(Reduction.MEAN, loss.reduction());
        }
        assertEquals("CrossEntropyLoss()", new CrossEntropyLoss().toString());
        assertEquals("MSELoss(reduction='sum')", new MSELoss(Reduction.SUM).toString());
    }

    @Test
    void floatTargetsOfAnotherTypeAreConverted() {
        Tensor x = Tensor.of(new float[] {1, 2});
        Tensor loss = F.mseLoss(x, d(0, 0));
        assertEquals(DType.FLOAT32, loss.dtype());
        assertEquals(2.5, loss.item(), 1e-6);
    }
}
