package io.chainrule;

import io.chainrule.autograd.Autograd;
import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused kernels of a CNN step: batch normalisation in training mode ({@link LayerPrimitives#batchNorm}) and max pooling's
 * 2×2 forward and first-order backward — values against the composed formulas, finite-difference gradients, and the
 * same bits on any thread count.
 */
class CnnKernelsTest {
    private final int threadsBefore = Threads.get();

    @AfterEach
    void restoreThreads() {
        Threads.set(threadsBefore);
    }

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64);
    }

    private static Tensor meanOverChannels(Tensor t) {
        Tensor m = t.mean(0, true);
        for (int d = 2; d < t.dim(); d++) m = m.mean(d, true);
        return m;
    }

    @Test
    void batchNormMatchesTheComposedFormula() {
        for (int[] shape : new int[][] {{4, 3}, {4, 3, 5}, {3, 2, 4, 5}}) {
            Tensor x = randn(1, shape).mul(3).add(2), w = randn(2, shape[1]), b = randn(3, shape[1]);
            double[] mean = new double[shape[1]], var = new double[shape[1]];
            Tensor y = LayerPrimitives.batchNorm(x, w, b, 1e-5, mean, var);
            int[] stat = new int[shape.length];
            java.util.Arrays.fill(stat, 1);
            stat[1] = shape[1];
            Tensor m = meanOverChannels(x), v = meanOverChannels(x.sub(m).square());
            Tensor expected = x.sub(m).div(v.add(1e-5).sqrt()).mul(w.reshape(stat)).add(b.reshape(stat));
            assertArrayEquals(expected.toDoubleArray(), y.toDoubleArray(), 1e-12);
            assertArrayEquals(m.toDoubleArray(), mean, 1e-12);
            assertArrayEquals(v.toDoubleArray(), var, 1e-12);
        }
    }

    @Test
    void batchNormGradientsMatchFiniteDifferences() {
        Tensor x = randn(4, 3, 2, 2, 3).requiresGrad(true), w = randn(5, 2).requiresGrad(true);
        Tensor b = randn(6, 2).requiresGrad(true), weights = randn(7, 3, 2, 2, 3);
        double[] mean = new double[2], var = new double[2];
        // a weighted sum, so that the gradient in x is not the zero that a plain sum of normalised values gives
        assertTrue(GradCheck.check(in -> LayerPrimitives.batchNorm(in.get(0), in.get(1), in.get(2), 1e-5, mean, var).mul(weights),
                List.of(x, w, b)));
        assertTrue(GradCheck.gradGradCheck(in -> LayerPrimitives.batchNorm(in.get(0), in.get(1), in.get(2), 1e-5, mean, var)
                .mul(weights), List.of(x, w, b)));
    }

    @Test
    void batchNormFusedBackwardMatchesTheRecordedOne() {
        // The first-order backward runs the fused kernels; with create-graph the composed ops: same numbers.
        Tensor x = randn(8, 5, 3, 4, 4).requiresGrad(true), w = randn(9, 3).requiresGrad(true);
        Tensor b = randn(10, 3).requiresGrad(true), weights = randn(11, 5, 3, 4, 4);
        double[] mean = new double[3], var = new double[3];
        Tensor loss = LayerPrimitives.batchNorm(x, w, b, 1e-5, mean, var).mul(weights).sum();
        List<Tensor> fused = Autograd.grad(List.of(loss), List.of(x, w, b), null, true, false);
        List<Tensor> composed = Autograd.grad(List.of(loss), List.of(x, w, b), null, false, true);
        for (int i = 0; i < 3; i++) assertArrayEquals(composed.get(i).toDoubleArray(), fused.get(i).toDoubleArray(), 1e-12);
    }

    @Test
    void batchNormRejectsBadArguments() {
        Tensor x = Tensor.zeros(4, 3, 2), w = Tensor.ones(3), b = Tensor.zeros(3);
        double[] three = new double[3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerPrimitives.batchNorm(x, Tensor.ones(2), b, 1e-5, three, three));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.batchNorm(x, w, b, 1e-5, new double[2], three));
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.batchNorm(Tensor.zeros(1, 3), w, b, 1e-5, three, three));
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.batchNorm(Tensor.zeros(4), w, b, 1e-5, three, three));
    }

    @Test
    void maxPoolTwoByTwoGradientsMatchFiniteDifferences() {
        // distinct values, so no window has a tie that a finite difference would break
        Tensor x = randn(12, 2, 3, 4, 6).requiresGrad(true);
        assertTrue(GradCheck.check(in -> LayerPrimitives.maxPool2d(in.get(0), new int[] {2}, new int[] {2}, new int[] {0},
                new int[] {1}), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> LayerPrimitives.maxPool2d(in.get(0), new int[] {2}, new int[] {2}, new int[] {0},
                new int[] {1}).square(), List.of(x)));
    }

    /** Forward output and input gradients of a conv-BN-ReLU-pool block, float32, on {@code threads} threads. */
    private static List<float[]> block(int threads) {
        Threads.set(threads);
        Tensor x = Tensor.randn(new Generator(13), 32, 6, 32, 32).requiresGrad(true);
        Tensor w = Tensor.randn(new Generator(14), 6).requiresGrad(true), b = Tensor.randn(new Generator(15), 6).requiresGrad(true);
        Tensor weights = Tensor.randn(new Generator(16), 32, 6, 16, 16);
        Tensor y = LayerPrimitives.maxPool2d(LayerPrimitives.batchNorm(x, w, b, 1e-5, new double[6], new double[6]).relu(),
                new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1});
        y.mul(weights).sum().backward();
        List<float[]> out = new ArrayList<>();
        for (Tensor t : List.of(y, x.grad(), w.grad(), b.grad())) out.add(t.toFloatArray());
        return out;
    }

    @Test
    void sameBitsOnAnyThreadCount() {
        List<float[]> one = block(1);
        for (int threads : new int[] {2, 3}) {
            List<float[]> many = block(threads);
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), many.get(i), "output " + i + ", " + threads + " threads");
        }
        assertEquals(32 * 6 * 16 * 16, one.get(0).length);
    }
}
