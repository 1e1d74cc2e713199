package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PyTorch's lr sequences: get_last_lr() after construction and after each scheduler.step(). */
class SchedulersTest {
    private static Optimizer sgd(double lr) {
        return new SGD(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), lr);
    }

    private static double[] sequence(LRScheduler s, int epochs) {
        double[] out = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            out[e] = s.lastLr();
            s.step();
        }
        return out;
    }

    private static void assertSequence(double[] expected, double[] got) {
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 1e-15 * Math.max(1, expected[i]), "epoch " + i);
    }

    @Test
    void stepLR() {
        Optimizer opt = sgd(0.1);
        StepLR s = new StepLR(opt, 3, 0.5);
        assertSequence(new double[] {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125}, sequence(s, 10));
        assertEquals(10, s.lastEpoch());
        assertEquals(0.0125, opt.lr(), 1e-18); // epoch 10: not a multiple of 3
    }

    @Test
    void exponentialLR() {
        Optimizer opt = sgd(1.0);
        double[] got = sequence(new ExponentialLR(opt, 0.9), 6);
        assertSequence(new double[] {1.0, 0.9, 0.81, 0.729, 0.6561, 0.59049}, got);
    }

    @Test
    void cosineAnnealingLR() {
        Optimizer opt = sgd(0.1);
        double[] got = sequence(new CosineAnnealingLR(opt, 4), 9);
        double c = Math.cos(Math.PI / 4);
        // η_t = 0.1·(1 + cos(πt/4))/2, continuing past T_max as PyTorch does.
        double[] expected = {0.1, 0.05 * (1 + c), 0.05, 0.05 * (1 - c), 0.0, 0.05 * (1 - c), 0.05, 0.05 * (1 + c), 0.1};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 1e-15, "epoch " + i);
        Optimizer opt2 = sgd(0.1);
        double[] withMin = sequence(new CosineAnnealingLR(opt2, 2, 0.02), 3);
        assertEquals(0.1, withMin[0], 1e-15);
        assertEquals(0.06, withMin[1], 1e-15);
        assertEquals(0.02, withMin[2], 1e-15);
    }

    @Test
    void schedulersChangeTheOptimizersStep() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        SGD opt = new SGD(List.of(x), 1.0);
        StepLR s = new StepLR(opt, 1, 0.5);
        for (int epoch = 0; epoch < 3; epoch++) {
            opt.zeroGrad();
            x.sum().backward(); // gradient 1
            opt.step();
            s.step();
        }
        assertEquals(-(1 + 0.5 + 0.25), x.item(), 0.0);
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new StepLR(sgd(0.1), 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new StepLR(null, 1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(sgd(0.1), -1));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(sgd(0.1), 0));
    }
}
