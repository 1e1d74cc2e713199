package io.chainrule.autograd;

import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Gradients at kinks and ties: the values PyTorch gives. */
class SubgradientTest {

    /** d/dx of sum(f(x)) at {@code x}. */
    private static double[] gradOf(UnaryOperator<Tensor> f, double... x) {
        Tensor t = Tensor.of(x).requiresGrad(true);
        f.apply(t).sum().backward();
        return t.grad().toDoubleArray();
    }

    @Test
    void reluHasZeroSlopeAtZero() {
        assertArrayEquals(new double[] {0, 0, 1}, gradOf(Tensor::relu, -1, 0, 2));
    }

    @Test
    void reluPropagatesNaNAndPassesItsGradient() {
        // torch.relu(torch.tensor([nan, -1., 1., 0.])) gives [nan, 0, 1, 0]; its backward (threshold_backward on the
        // output: grad where not out <= 0) gives [1, 0, 1, 0]
        Tensor x = Tensor.of(new double[] {Double.NaN, -1, 1, 0}).requiresGrad(true);
        Tensor y = x.relu();
        assertArrayEquals(new double[] {Double.NaN, 0, 1, 0}, y.toDoubleArray());
        y.sum().backward();
        assertArrayEquals(new double[] {1, 0, 1, 0}, x.grad().toDoubleArray());
        assertArrayEquals(new float[] {Float.NaN, 0, 1, 0},
                Tensor.of(new float[] {Float.NaN, -1, 1, 0}).relu().toFloatArray());
    }

    @Test
    void absHasZeroSlopeAtZero() {
        assertArrayEquals(new double[] {-1, 0, 1}, gradOf(Tensor::abs, -2, 0, 3));
    }

    @Test
    void leakyReluAtZeroHasTheNegativeSlope() {
        assertArrayEquals(new double[] {0.1, 0.1, 1}, gradOf(x -> x.leakyRelu(0.1), -3, 0, 2), 1e-15);
    }

    @Test
    void clampPassesTheGradientOnItsBoundary() {
        assertArrayEquals(new double[] {0, 1, 1, 1, 0}, gradOf(x -> x.clamp(-0.5, 0.5), -1, -0.5, 0, 0.5, 1));
    }

    @Test
    void fullMaxAndMinShareTheGradientAmongTies() {
        // torch.tensor([1., 3., 3.]).max() backward gives [0, .5, .5]
        assertArrayEquals(new double[] {0, 0.5, 0.5}, gradOf(Tensor::max, 1, 3, 3));
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, gradOf(Tensor::min, 2, 1, 1, 5));
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, gradOf(Tensor::max, 7, 7, 7), 1e-15);
    }

    @Test
    void maxAndMinAlongADimSendTheGradientToTheFirstExtreme() {
        Tensor x = Tensor.of(new double[][] {{1, 3, 3}, {2, 2, 0}}).requiresGrad(true);
        x.max(1, false).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0}, x.grad().toDoubleArray());
        assertArrayEquals(new long[] {1, 0}, x.argmax(1, false).toLongArray());

        Tensor y = Tensor.of(new double[][] {{4, 1, 1}, {0, 5, 0}}).requiresGrad(true);
        y.min(-1, true).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0}, y.grad().toDoubleArray());

        Tensor z = Tensor.of(new double[][] {{1, 3}, {1, 2}}).requiresGrad(true);
        z.max(0, false).sum().backward();
        assertArrayEquals(new double[] {1, 1, 0, 0}, z.grad().toDoubleArray());
    }

    @Test
    void maximumAndMinimumSplitTiesInHalf() {
        Tensor a = Tensor.of(new double[] {1, 2, 5}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1, 3, 4}).requiresGrad(true);
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[] {0.5, 0, 1}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {0.5, 1, 0}, b.grad().toDoubleArray());
        a.zeroGrad();
        b.zeroGrad();
        a.minimum(b).sum().backward();
        assertArrayEquals(new double[] {0.5, 1, 0}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {0.5, 0, 1}, b.grad().toDoubleArray());
    }

    @Test
    void maximumWithBroadcastScalarSumsTheTieShares() {
        Tensor a = Tensor.of(new double[] {0, 0, 1}).requiresGrad(true);
        Tensor zero = Tensor.of(new double[] {0}).requiresGrad(true);
        a.maximum(zero).sum().backward();
        assertArrayEquals(new double[] {0.5, 0.5, 1}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {1.0}, zero.grad().toDoubleArray());
    }

    @Test
    void signHasZeroGradientAndNormIsZeroAtTheOrigin() {
        assertArrayEquals(new double[] {0, 0, 0}, gradOf(Tensor::sign, -1, 0, 2));
        assertArrayEquals(new double[] {0, 0}, gradOf(Tensor::norm, 0, 0));
        assertArrayEquals(new double[] {0.6, 0.8}, gradOf(Tensor::norm, 3, 4), 1e-15);
    }

    @Test
    void sqrtAtZeroHasAnInfiniteSlope() {
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.25}, gradOf(Tensor::sqrt, 0, 4));
    }

    @Test
    void powWithTensorExponentAtAZeroBase() {
        // PyTorch: d/da is 0 where b == 0; d/db is 0 where a == 0 and b >= 0 (never 0·log 0 = NaN).
        Tensor a = Tensor.of(new double[] {0, 2, 0}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {0, 3, 2}).requiresGrad(true);
        a.pow(b).sum().backward();
        assertArrayEquals(new double[] {0, 12, 0}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 8 * Math.log(2), 0}, b.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void powWithScalarExponentZeroHasZeroGradient() {
        assertArrayEquals(new double[] {0, 0}, gradOf(x -> x.pow(0), 0, 3));
        assertArrayEquals(new double[] {0, 6}, gradOf(x -> x.pow(2), 0, 3));
    }
}
